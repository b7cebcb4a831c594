"""The shape of duplicate detection runs and of the review queue in the API."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict


class DetectionRunOut(Schema):
    id: int
    status: str
    stage: str
    trigger: str
    backend: str
    persons_count: int
    pairs_count: int
    suggested_count: int
    merged_count: int
    skipped_count: int
    trained: bool = Field(description="EM on this base; false: fixed priors (small base).")
    threshold: float
    failure: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class SuggestionListIn(Schema):
    status: Literal["open", "later", "merged", "distinct"] = "open"
    cursor: str | None = None
    min_probability: float | None = Field(None, ge=0, le=1)


class SuggestedPersonOut(Schema):
    id: int
    display_name: str
    birth_date: dt.date | None
    address: str
    postcode: str
    city: str


class SuggestionOut(Schema):
    id: int
    status: str
    origin: str
    probability: float | None
    reason: str
    person_a: SuggestedPersonOut
    person_b: SuggestedPersonOut
    evidence: dict[str, Any] = Field(
        description="Why: per-field comparison levels and match weights, or the identifiers "
        "that linked the records at ingestion."
    )
    created_at: dt.datetime
    decided_at: dt.datetime | None


class SuggestionPageOut(Schema):
    items: list[SuggestionOut]
    next_cursor: str | None


class DecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["merge", "distinct", "later"]


class MergeAboveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    min_probability: float = Field(
        ge=0.5, le=1, description="Merge every open pair scored this high or higher."
    )
    limit: int = Field(200, ge=1, le=1000)


class MergeAboveOut(Schema):
    merged: list[int] = Field(description="Suggestions merged.")
    refused: list[dict[str, Any]] = Field(description="Suggestions left open, with why.")
    remaining: int = Field(description="Open suggestions still at or above the probability.")
