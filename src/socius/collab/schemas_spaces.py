"""The shape of a space's settings, members and requests to join in the API."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from socius.collab.schemas import SpaceOut


class SpaceDetailOut(SpaceOut):
    is_archived: bool
    department: str | None = Field(description="The department's slug for a department space.")
    role: str | None = Field(description="The caller's role: owner, member, or null.")
    join_request: str | None = Field(description="The state of the caller's pending request.")
    member_count: int | None = Field(None, description="Only in the detail of one space.")


class SpaceUpdateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = Field(None, max_length=5000)
    goal: str | None = Field(None, max_length=300)


class JoinRequestIn(Schema):
    model_config = ConfigDict(extra="forbid")

    message: str = Field("", max_length=500)


class JoinRequestOut(Schema):
    id: int
    space_id: int
    user_id: int
    user: str = Field(description="The colleague's email address.")
    name: str
    message: str
    state: str
    created_at: dt.datetime
    decided_at: dt.datetime | None


class MemberRoleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    role: Literal["owner", "member"]


class MembershipOut(Schema):
    space_id: int
    user_id: int
    user: str
    name: str
    role: str
    from_department: bool
