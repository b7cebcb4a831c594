"""Notifications through the API: the centre, reading, email choices, muting a post.

A notification id that is not the caller's answers 404, exactly as a missing one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from ninja import Query, Router, Schema, Status
from pydantic import Field

from socius.accounts.api_auth import api_user
from socius.collab.api.auth import READ, WRITE
from socius.collab.notifications.preferences import email_modes_of
from socius.collab.notifications.selectors import (
    NotificationLine,
    notification_get_for_user,
    notification_lines,
    notification_page,
    notification_unread_count,
    thread_is_muted,
)
from socius.collab.selectors import post_get_for_user
from socius.collab.services.notifications import (
    notification_mark_read,
    notification_preferences_set,
    notifications_mark_all_read,
    thread_mute,
    thread_unmute,
)
from socius.core.pagination import MAX_PAGE_SIZE

router = Router(tags=["collab"])


class NotificationQueryIn(Schema):
    cursor: str | None = None
    size: int = Field(30, ge=1, le=MAX_PAGE_SIZE)


class NotificationOut(Schema):
    id: int
    kind: str
    thread: str
    summary: str
    headline: str
    event_count: int
    unread: bool
    url: str
    post_id: int | None
    comment_id: int | None
    space_id: int | None
    person_id: int | None
    last_actor: str | None
    updated_at: datetime


class NotificationPageOut(Schema):
    items: list[NotificationOut]
    next_cursor: str | None
    unread_count: int


class ReadAllOut(Schema):
    marked: int


class PreferencesIn(Schema):
    """Kinds to change, each to "off", "immediate", "hourly" or "daily"."""

    preferences: dict[str, str]


class PreferencesOut(Schema):
    preferences: dict[str, str]


class MuteOut(Schema):
    post_id: int
    muted: bool


def _item(line: NotificationLine) -> dict[str, Any]:
    n = line.notification
    return {
        "id": n.pk,
        "kind": n.kind,
        "thread": n.thread,
        "summary": n.summary,
        "headline": line.headline,
        "event_count": n.event_count,
        "unread": line.is_unread,
        "url": f"{settings.SITE_URL}{line.path}",
        "post_id": n.post_id,
        "comment_id": n.comment_id,
        "space_id": n.space_id,
        "person_id": n.person_id,
        "last_actor": n.last_actor.full_name if n.last_actor else None,
        "updated_at": n.updated_at,
    }


@router.get("/notifications", response=NotificationPageOut, auth=READ)
def notifications_list(request: Any, query: Query[NotificationQueryIn]) -> dict[str, Any]:
    """Newest first; pass ``next_cursor`` back as ``cursor`` for older ones."""
    user = api_user(request)
    page = notification_page(user=user, cursor=query.cursor, size=query.size)
    return {
        "items": [_item(line) for line in notification_lines(page.items)],
        "next_cursor": page.next_cursor,
        "unread_count": notification_unread_count(user=user),
    }


@router.post("/notifications/read-all", response=ReadAllOut, auth=WRITE)
def notifications_read_all(request: Any) -> dict[str, int]:
    return {"marked": notifications_mark_all_read(actor=api_user(request))}


@router.get("/notifications/preferences", response=PreferencesOut, auth=READ)
def notifications_preferences(request: Any) -> dict[str, Any]:
    return {"preferences": email_modes_of(api_user(request))}


@router.put("/notifications/preferences", response=PreferencesOut, auth=WRITE)
def notifications_preferences_set(request: Any, data: PreferencesIn) -> dict[str, Any]:
    user = api_user(request)
    notification_preferences_set(actor=user, choices=data.preferences)
    return {"preferences": email_modes_of(user)}


@router.post("/notifications/{notification_id}/read", response=NotificationOut, auth=WRITE)
def notifications_read(request: Any, notification_id: int) -> dict[str, Any]:
    user = api_user(request)
    notification = notification_get_for_user(user=user, notification_id=notification_id)
    notification_mark_read(actor=user, notification=notification)
    return _item(notification_lines([notification])[0])


@router.post("/posts/{post_id}/mute", response={200: MuteOut}, auth=WRITE)
def posts_mute(request: Any, post_id: int) -> Status[dict[str, Any]]:
    user = api_user(request)
    post = post_get_for_user(user=user, post_id=post_id)
    thread_mute(actor=user, post=post)
    return Status(200, {"post_id": post.pk, "muted": thread_is_muted(user=user, post_id=post.pk)})


@router.delete("/posts/{post_id}/mute", response={200: MuteOut}, auth=WRITE)
def posts_unmute(request: Any, post_id: int) -> Status[dict[str, Any]]:
    user = api_user(request)
    post = post_get_for_user(user=user, post_id=post_id)
    thread_unmute(actor=user, post=post)
    return Status(200, {"post_id": post.pk, "muted": thread_is_muted(user=user, post_id=post.pk)})
