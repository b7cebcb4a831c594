"""Mention autocomplete through the API."""

from __future__ import annotations

from typing import Any

from ninja import Query, Router, Schema

from socius.accounts.api_auth import api_user
from socius.collab.api.auth import READ
from socius.collab.selectors_mentions import mention_space_get, mention_suggestions

router = Router(tags=["collab"])


class MentionSuggestionOut(Schema):
    kind: str
    handle: str
    label: str
    detail: str


class MentionQuery(Schema):
    q: str = ""
    space: int | None = None


@router.get("/mentions", response=list[MentionSuggestionOut], auth=READ)
def mentions_suggest(request: Any, filters: Query[MentionQuery]) -> list[Any]:
    """Who ``@q`` may name; with ``space``, only its members if it is private or secret."""
    actor = api_user(request)
    space = None
    if filters.space is not None:
        space = mention_space_get(user=actor, space_id=filters.space)
    return mention_suggestions(user=actor, query=filters.q, space=space)
