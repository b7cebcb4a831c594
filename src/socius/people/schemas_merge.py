"""The shape of merge requests and records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict


class MergeValuesIn(Schema):
    """Profile values to keep, each one of the two records' values (others: see below).

    Fields left out keep the survivor's value, or the absorbed one's where the survivor's
    is empty.
    """

    model_config = ConfigDict(extra="forbid")

    given_name: str = Field("", max_length=150)
    family_name: str = Field("", max_length=150)
    birth_date: dt.date | None = None
    address: str = Field("", max_length=300)
    postcode: str = Field("", max_length=20)
    city: str = Field("", max_length=120)
    locale: str = Field("", max_length=10)


class MergeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    survivor: int = Field(description="The person kept.")
    absorbed: int = Field(description="The person merged into the survivor, kept as a tombstone.")
    values: MergeValuesIn | None = None

    def chosen(self) -> dict[str, Any]:
        return self.values.model_dump(exclude_unset=True) if self.values else {}


class MergeOut(Schema):
    merge_id: int
    survivor_id: int
    absorbed_id: int
    moved: dict[str, int] = Field(description="Rows moved per person reference.")


class MergeUndoOut(Schema):
    merge_id: int
    undone_at: dt.datetime
    survivor_id: int
    absorbed_id: int


class MergeRecordOut(Schema):
    id: int
    survivor_id: int
    absorbed_id: int
    reason: str
    actor_id: int | None
    created_at: dt.datetime
    undone_at: dt.datetime | None
    undone_by_id: int | None
    moved: dict[str, list[int]] = Field(description="Ids of the rows moved, per reference.")
    survivor_before: dict[str, list[Any]] = Field(
        description="Survivor's profile fields the merge changed: [before, after]."
    )
    created_rows: dict[str, Any] = Field(description="Rows the merge itself added.")
