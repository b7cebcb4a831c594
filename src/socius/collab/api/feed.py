"""Follows and the feed through the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict, model_validator

from socius.accounts.api_auth import api_user
from socius.collab.api.auth import READ, WRITE
from socius.collab.selectors import post_get_for_user
from socius.collab.selectors_feed import (
    FOLLOW_KINDS,
    FeedItem,
    feed_page,
    follow_target_get,
    follows_of,
)
from socius.collab.services.follows import (
    FollowTarget,
    feed_mark_seen,
    follow_create,
    follow_delete,
)
from socius.core.markdown import render_markdown

router = Router(tags=["collab"])


class FollowIn(Schema):
    model_config = ConfigDict(extra="forbid")

    user: str | int | None = Field(None, description="A colleague's id or email.")
    space: str | int | None = Field(None, description="A space's id or slug.")
    topic: str | int | None = Field(None, description="A topic's id or slug.")
    person: int | None = Field(None, description="A customer's person id.")

    @model_validator(mode="after")
    def _exactly_one(self) -> FollowIn:
        if sum(getattr(self, kind) is not None for kind in FOLLOW_KINDS) != 1:
            raise ValueError("Name exactly one of user, space, topic or person.")
        return self

    def kind_and_key(self) -> tuple[str, str | int]:
        kind = next(kind for kind in FOLLOW_KINDS if getattr(self, kind) is not None)
        return kind, getattr(self, kind)


class FollowOut(Schema):
    target: str
    target_id: int
    label: str


class FollowListOut(Schema):
    items: list[FollowOut]


class FeedPostOut(Schema):
    id: int
    space_id: int
    space: str
    author: str | None
    body_html: str = Field(description="The Markdown rendered and sanitized.")
    comment_count: int
    created_at: dt.datetime
    unread: bool


class FeedOut(Schema):
    items: list[FeedPostOut]
    next_cursor: str | None


class SeenIn(Schema):
    model_config = ConfigDict(extra="forbid")

    post_id: int = Field(ge=1)


class SeenOut(Schema):
    seen_post_id: int


def _target(request: Any, data: FollowIn) -> FollowTarget:
    kind, key = data.kind_and_key()
    return follow_target_get(user=api_user(request), kind=kind, key=key)


def _out(target: FollowTarget) -> dict[str, Any]:
    return {"target": target.kind, "target_id": target.instance.pk, "label": str(target.instance)}


@router.post("/follows", response={201: FollowOut}, auth=WRITE)
def follows_create(request: Any, data: FollowIn) -> Status[dict[str, Any]]:
    target = _target(request, data)
    follow_create(actor=api_user(request), target=target)
    return Status(201, _out(target))


@router.delete("/follows", response={204: None}, auth=WRITE)
def follows_delete(request: Any, data: FollowIn) -> Status[None]:
    follow_delete(actor=api_user(request), target=_target(request, data))
    return Status(204, None)


@router.get("/follows", response=FollowListOut, auth=READ)
def follows_list(request: Any) -> dict[str, Any]:
    lines = follows_of(api_user(request))
    return {
        "items": [
            {"target": line.target, "target_id": line.target_id, "label": line.label}
            for line in lines
        ]
    }


def _item(item: FeedItem) -> dict[str, Any]:
    post = item.post
    return {
        "id": post.pk,
        "space_id": post.space_id,
        "space": post.space.name,
        "author": post.author.full_name if post.author else None,
        "body_html": str(render_markdown(post.body)),
        "comment_count": post.comment_count,
        "created_at": post.created_at,
        "unread": item.unread,
    }


@router.get("/feed", response=FeedOut, auth=READ)
def feed(request: Any, cursor: str | None = None) -> dict[str, Any]:
    page = feed_page(user=api_user(request), cursor=cursor)
    return {"items": [_item(item) for item in page.items], "next_cursor": page.next_cursor}


@router.post("/feed/seen", response=SeenOut, auth=WRITE)
def feed_seen(request: Any, data: SeenIn) -> dict[str, Any]:
    actor = api_user(request)
    post = post_get_for_user(user=actor, post_id=data.post_id)
    return {"seen_post_id": feed_mark_seen(actor=actor, post_id=post.pk)}
