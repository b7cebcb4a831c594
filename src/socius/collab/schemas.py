"""The shape of spaces, posts and comments in the API."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict, EmailStr


class SpaceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    visibility: Literal["public", "private", "secret"] = "public"
    description: str = Field("", max_length=5000)
    goal: str = Field("", max_length=300)


class SpaceOut(Schema):
    id: int
    name: str
    slug: str
    visibility: str
    description: str
    goal: str
    created_at: dt.datetime
    archived_at: dt.datetime | None


class MemberIn(Schema):
    model_config = ConfigDict(extra="forbid")

    user: EmailStr = Field(description="The colleague's email address.")


class MemberOut(Schema):
    space_id: int
    user: str
    role: str


class BodyIn(Schema):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=20_000, description="Markdown.")


class CommentIn(BodyIn):
    parent: int | None = Field(None, description="The comment this one answers.")


class CommentOut(Schema):
    id: int
    post_id: int
    parent_id: int | None
    author: str | None
    body: str
    body_html: str
    created_at: dt.datetime


class PostOut(Schema):
    id: int
    space_id: int
    author: str | None
    body: str
    body_html: str = Field(description="The Markdown rendered and sanitized.")
    created_at: dt.datetime
    edited_at: dt.datetime | None
    comments: list[CommentOut] = []
