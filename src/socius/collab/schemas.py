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


class PostIn(BodyIn):
    kind: Literal["post", "question", "announcement"] = Field(
        "post", description="An announcement is for the space's owners to post."
    )


class ReactionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["like", "celebrate", "support", "insightful", "curious"] = "like"
    comment: int | None = Field(None, description="React to this comment of the post.")


class ReactionOut(Schema):
    post_id: int
    comment_id: int | None
    kind: str
    reacted: bool = Field(description="Whether the caller now reacts this way.")
    changed: bool = Field(description="False when the call found it already so.")


class AnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    comment: int = Field(description="The comment accepted as the answer.")


class RevisionOut(Schema):
    id: int
    body: str = Field(description="The text the post had before the edit that followed.")
    edited_by: str | None
    created_at: dt.datetime


class ReadOut(Schema):
    post_id: int
    confirmed_at: dt.datetime


class ReaderOut(Schema):
    user_id: int
    name: str
    confirmed_at: dt.datetime | None


class ReadsOut(Schema):
    post_id: int
    read_count: int
    member_count: int
    read: list[ReaderOut]
    not_read: list[ReaderOut]


class CommentOut(Schema):
    id: int
    post_id: int
    parent_id: int | None
    author: str | None
    body: str
    body_html: str
    created_at: dt.datetime
    edited_at: dt.datetime | None = None


class TopicOut(Schema):
    slug: str
    name: str


class PostOut(Schema):
    id: int
    space_id: int
    author: str | None
    kind: str = "post"
    body: str
    body_html: str = Field(
        description="The Markdown rendered and sanitized, mentions and topics as links."
    )
    created_at: dt.datetime
    edited_at: dt.datetime | None
    pinned_at: dt.datetime | None = None
    accepted_comment_id: int | None = None
    comment_count: int = 0
    reaction_count: int = 0
    reactions: dict[str, int] = Field(default_factory=dict, description="Count per kind.")
    topics: list[TopicOut] = []
    comments: list[CommentOut] = []


class PostPageOut(Schema):
    items: list[PostOut]
    next_cursor: str | None
