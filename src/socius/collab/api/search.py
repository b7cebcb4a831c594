"""Search through the API: ranked hits of what the caller may read, grouped by kind."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Router, Schema

from socius.accounts.api_auth import api_user
from socius.collab.api.auth import READ
from socius.collab.search import SearchResults, parse_kinds, search
from socius.collab.services.limits import ensure_may_search

router = Router(tags=["collab"])


class SearchHitOut(Schema):
    kind: str
    id: int
    title: str
    snippet_html: str = Field(description="An excerpt, escaped; the matching words in <mark>.")
    url: str
    score: float = Field(description="Higher is better; comparable within one kind and query.")
    created_at: dt.datetime | None
    author: str
    space_id: int | None
    space: str
    post_id: int | None
    department: str


class SearchGroupOut(Schema):
    kind: str
    hits: list[SearchHitOut]
    next_cursor: str | None


class SearchOut(Schema):
    query: str
    groups: list[SearchGroupOut]


def _results(results: SearchResults) -> dict[str, Any]:
    return {
        "query": results.query.text,
        "groups": [
            {
                "kind": group.kind.value,
                "next_cursor": group.next_cursor,
                "hits": [
                    {
                        "kind": hit.kind.value,
                        "id": hit.id,
                        "title": hit.title,
                        "snippet_html": str(hit.snippet),
                        "url": hit.url,
                        "score": hit.score,
                        "created_at": hit.created_at,
                        "author": hit.author_name,
                        "space_id": hit.space_id,
                        "space": hit.space_name,
                        "post_id": hit.post_id,
                        "department": hit.department,
                    }
                    for hit in group.hits
                ],
            }
            for group in results.groups
        ],
    }


@router.get("/search", response=SearchOut, auth=READ)
def search_list(
    request: Any,
    q: str = "",
    kind: Literal["posts", "comments", "people", "spaces"] | None = None,
    cursor: str | None = None,
    limit: int = 10,
) -> dict[str, Any]:
    """Without ``kind``, one group per kind; ``cursor`` (from ``next_cursor``) needs ``kind``.

    ``limit`` is hits per kind, at most 50.
    """
    kinds = parse_kinds([kind] if kind else [])
    user = api_user(request)
    ensure_may_search(user)
    return _results(search(user=user, query=q, kinds=kinds, cursor=cursor, limit=limit))
