"""Schemas of the person read API (GET /api/v1/people, /{id}, /{id}/timeline)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from socius.core.pagination import MAX_PAGE_SIZE
from socius.people.selectors.search import MAX_LIMIT, SEARCH_LIMIT
from socius.people.selectors.timeline import TIMELINE_PAGE_SIZE


class PeopleSearchIn(Schema):
    q: str = Field(min_length=1, max_length=200)
    limit: int = Field(SEARCH_LIMIT, ge=1, le=MAX_LIMIT)


class TimelineQueryIn(Schema):
    cursor: str | None = None
    department: str | None = None
    channel: str | None = None
    kind: str | None = None
    size: int = Field(TIMELINE_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class IdentifierOut(Schema):
    kind: str
    value: str
    source: str
    is_shared: bool
    first_seen: dt.datetime
    last_seen: dt.datetime | None


class RelationOut(Schema):
    kind: str
    direction: Literal["outgoing", "incoming"]
    person_id: int
    display_name: str


class DepartmentSeenOut(Schema):
    slug: str
    name: str
    first_at: dt.datetime
    last_at: dt.datetime
    count: int


class ConsentEntryOut(Schema):
    purpose: str
    state: str
    source: str
    evidence: str
    occurred_at: dt.datetime
    recorded_at: dt.datetime


class PersonOut(Schema):
    id: int
    given_name: str
    family_name: str
    birth_date: dt.date | None
    address: str
    postcode: str
    city: str
    locale: str
    created_at: dt.datetime
    identifiers: list[IdentifierOut]
    consents: dict[str, str | None]
    consent_history: list[ConsentEntryOut]
    relations: list[RelationOut]
    departments_seen: list[DepartmentSeenOut]


class ActorOut(Schema):
    id: int
    name: str


class TimelineItemOut(Schema):
    id: int
    occurred_at: dt.datetime
    verb: str
    summary: str
    channel: str
    department: str | None
    visibility: str
    actor: ActorOut | None
    payload: dict[str, Any]


class TimelinePageOut(Schema):
    items: list[TimelineItemOut]
    next_cursor: str | None


class IdentifierPreviewOut(Schema):
    kind: str
    value: str


class PersonSearchHitOut(Schema):
    id: int
    display_name: str
    matched: Literal["identifier", "name"]
    identifiers: list[IdentifierPreviewOut]
