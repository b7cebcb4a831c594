"""Building blocks for the notification tests, through the real services."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from socius.accounts.models import User
from socius.accounts.services import token_create
from socius.collab.models import Post, Space
from socius.collab.services import post_create, space_create, space_member_add
from socius.collab.services.notifications import NotificationEvent, notify
from socius.conftest import make_employee


def space_with(owner: User, *members: User, visibility: str = "public", name: str = "") -> Space:
    space = space_create(actor=owner, name=name or f"Projet {visibility}", visibility=visibility)
    for member in members:
        space_member_add(actor=owner, space=space, user=member)
    return space


def post_in(space: Space, author: User, body: str = "Le planning de Noël est prêt") -> Post:
    return post_create(actor=author, space=space, body=body)


def event_on(post: Post, kind: str, actor: User | None, summary: str = "") -> NotificationEvent:
    return NotificationEvent(
        kind=kind,
        thread=f"post:{post.pk}",
        actor=actor,
        post=post,
        space=post.space,
        summary=summary or post.body[:200],
    )


def react(post: Post, actors: list[User]) -> None:
    """What the reaction service tells the author, one event per reacting colleague."""
    for actor in actors:
        notify(recipient_ids=[post.author_id or 0], event=event_on(post, "reaction", actor))


def colleagues(count: int, *, prefix: str = "collegue") -> list[User]:
    return [
        make_employee(f"{prefix}{n}@example.com", f"Collègue {n:02d}", "marketing")
        for n in range(count)
    ]


def api_client(user: User) -> Client:
    secret = token_create(user=user, name="tests", scopes=["collab:read", "collab:write"]).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def api(client: Client, method: str, url: str, data: dict[str, Any] | None = None) -> Any:
    body = json.dumps(data) if data is not None else ""
    call = getattr(client, method)
    return call(f"/api/v1/collab{url}", body, content_type="application/json")
