"""Plain data passed to and returned by the people services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from socius.people.models import DuplicateSuggestion, Person
from socius.people.normalize import NormalizedIdentifier

PROFILE_FIELDS = (
    "given_name",
    "family_name",
    "birth_date",
    "address",
    "postcode",
    "city",
    "locale",
)


@dataclass(frozen=True)
class IdentifierIn:
    kind: str
    value: str


@dataclass(frozen=True)
class Profile:
    given_name: str = ""
    family_name: str = ""
    birth_date: dt.date | None = None
    address: str = ""
    postcode: str = ""
    city: str = ""
    locale: str = ""


Outcome = Literal["created", "attached", "merged", "suggested"]


@dataclass
class Resolution:
    person: Person
    outcome: Outcome
    reason: str
    added: list[NormalizedIdentifier] = field(default_factory=list)
    suggestions: list[DuplicateSuggestion] = field(default_factory=list)
    merged: list[int] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ResolveContext:
    """Who and what asked for a resolution, for the activity it leaves."""

    source: str = ""
    channel: str = ""
    actor_id: int | None = None
    department_id: int | None = None
