"""The shape of ingested interactions (rules such as identifier formats live in services)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import pydantic
from ninja import Field, Schema
from pydantic import ConfigDict

from socius.people.services import interactions as ingest
from socius.people.services.types import IdentifierIn as IdentifierData
from socius.people.services.types import Profile

MAX_IDENTIFIERS = 50


def _text(max_length: int) -> Any:
    return Field(None, max_length=max_length)


class IdentifierIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(max_length=32, examples=["email"])
    value: str = Field(max_length=320, examples=["claire.dupont@example.org"])


class ProfileIn(Schema):
    """All optional: what the source knows. Known values are never overwritten by ingestion."""

    model_config = ConfigDict(extra="forbid")

    given_name: str | None = _text(150)
    family_name: str | None = _text(150)
    birth_date: dt.date | None = None
    address: str | None = _text(300)
    postcode: str | None = _text(20)
    city: str | None = _text(120)
    locale: str | None = _text(10)

    def to_data(self) -> Profile:
        return Profile(
            given_name=self.given_name or "",
            family_name=self.family_name or "",
            birth_date=self.birth_date,
            address=self.address or "",
            postcode=self.postcode or "",
            city=self.city or "",
            locale=self.locale or "",
        )


class InteractionIn(Schema):
    """One interaction; (source, external_id) is its idempotency key."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(max_length=64, examples=["shop"])
    external_id: str = Field(max_length=200, examples=["o-1001"])
    identifiers: list[IdentifierIn] = Field(min_length=1, max_length=MAX_IDENTIFIERS)
    profile: ProfileIn | None = None
    channel: str | None = _text(32)
    department: str | None = Field(None, max_length=60, description="A department slug.")
    kind: str = Field(max_length=41, examples=["purchase"])
    occurred_at: dt.datetime | None = Field(None, description="ISO 8601 with an offset.")
    summary: str | None = _text(500)
    payload: dict[str, Any] = Field(default_factory=dict)

    def to_data(self) -> ingest.InteractionIn:
        return ingest.InteractionIn(
            source=self.source,
            external_id=self.external_id,
            identifiers=[IdentifierData(item.kind, item.value) for item in self.identifiers],
            kind=self.kind,
            profile=self.profile.to_data() if self.profile else Profile(),
            channel=self.channel or "",
            department_slug=self.department or "",
            occurred_at=self.occurred_at,
            summary=self.summary or "",
            payload=self.payload,
        )


class InteractionOut(Schema):
    person_id: int
    activity_id: int | None
    resolution: Literal["created", "attached", "merged", "suggested"]


class InteractionBatchIn(Schema):
    # Items are checked one by one so that a malformed item fails alone, not the batch.
    items: list[dict[str, Any]] = Field(
        max_length=ingest.MAX_BATCH,
        description=f"Up to {ingest.MAX_BATCH} bodies of POST /interactions.",
    )


class ItemErrorOut(Schema):
    code: str
    message: str
    details: dict[str, Any]


class BatchItemOut(Schema):
    index: int
    status: Literal[200, 201]
    person_id: int
    activity_id: int | None
    resolution: Literal["created", "attached", "merged", "suggested"]


class BatchItemErrorOut(Schema):
    index: int
    status: Literal[422]
    error: ItemErrorOut


class InteractionBatchOut(Schema):
    results: list[BatchItemOut | BatchItemErrorOut]


def _json_safe(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | None) else str(value)


def validation_errors(error: pydantic.ValidationError) -> list[dict[str, Any]]:
    """Pydantic's errors in the JSON form the API uses for a refused body."""
    errors = []
    for item in error.errors(include_url=False, include_input=False):
        context = item.get("ctx")
        if context:
            item["ctx"] = {key: _json_safe(value) for key, value in context.items()}
        errors.append(dict(item))
    return errors


def interaction_parse(item: dict[str, Any]) -> InteractionIn | list[dict[str, Any]]:
    """A batch item as an interaction, or the errors that make it unusable."""
    try:
        return InteractionIn.model_validate(item)
    except pydantic.ValidationError as error:
        return validation_errors(error)
