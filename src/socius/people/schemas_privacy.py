"""The shape of the data-subject rights API."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema
from pydantic import ConfigDict


class ErasureIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=300)


class ErasureOut(Schema):
    person_id: int
    erased_at: dt.datetime
