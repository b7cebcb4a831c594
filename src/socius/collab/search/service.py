"""The one search of the social network: posts, comments, colleagues and spaces.

Each kind costs two queries whatever the amount of data: the backend's ranked ids (with
visibility inside the query), then the rows shown. Pages are offsets into the ranking,
bounded by ``MAX_OFFSET``: a ranking is read from the top, and deep pages are not useful.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from socius.accounts.models import User
from socius.collab.models import Comment, Post, Space
from socius.collab.search.backends import Ranked, backend_for_connection
from socius.collab.search.query import SearchQuery, parse_query
from socius.collab.search.snippets import highlight, plain_text
from socius.core.errors import InvalidCursor, InvalidInput
from socius.core.pagination import decode_cursor, encode_cursor

DEFAULT_LIMIT = 10
MAX_LIMIT = 50
MAX_OFFSET = 500


class Kind(StrEnum):
    POSTS = "posts"
    COMMENTS = "comments"
    PEOPLE = "people"
    SPACES = "spaces"


ALL_KINDS: tuple[Kind, ...] = (Kind.POSTS, Kind.COMMENTS, Kind.PEOPLE, Kind.SPACES)


@dataclass(frozen=True)
class SearchHit:
    kind: Kind
    id: int
    title: str
    snippet: SafeString  # escaped text, the matching words in <mark>
    url: str
    score: float
    created_at: datetime | None = None
    author_name: str = ""
    space_id: int | None = None
    space_name: str = ""
    post_id: int | None = None
    department: str = ""


@dataclass(frozen=True)
class SearchGroup:
    kind: Kind
    hits: list[SearchHit]
    next_cursor: str | None


@dataclass(frozen=True)
class SearchResults:
    query: SearchQuery
    groups: list[SearchGroup]


def parse_kinds(values: Sequence[str]) -> tuple[Kind, ...]:
    if not values:
        return ALL_KINDS
    try:
        return tuple(Kind(value) for value in values)
    except ValueError:
        raise InvalidInput(details={"field": "kind", "allowed": [k.value for k in Kind]}) from None


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    (offset,) = decode_cursor(cursor, length=1)
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 < offset <= MAX_OFFSET:
        raise InvalidCursor()
    return offset


def _page(ranked: Ranked, *, offset: int, limit: int) -> tuple[Ranked, str | None]:
    more = len(ranked) > limit and offset + limit < MAX_OFFSET
    return ranked[:limit], encode_cursor([offset + limit]) if more else None


def search(
    *,
    user: User,
    query: str | None,
    kinds: Sequence[Kind] = ALL_KINDS,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> SearchResults:
    """Ranked hits of each kind among what ``user`` may read; a cursor pages one kind."""
    parsed = parse_query(query)
    if cursor and len(kinds) != 1:
        raise InvalidInput(details={"field": "cursor", "reason": "one_kind_only"})
    offset, limit = _offset(cursor), max(1, min(limit, MAX_LIMIT))
    backend = backend_for_connection()
    rankings = {
        Kind.POSTS: backend.posts,
        Kind.COMMENTS: backend.comments,
        Kind.SPACES: backend.spaces,
    }
    groups = []
    for kind in kinds:
        if kind is Kind.PEOPLE:
            groups.append(people_search(query=parsed, offset=offset, limit=limit))
            continue
        ranking = rankings[kind]
        ranked, next_cursor = _page(
            ranking(query=parsed, user=user, offset=offset, limit=limit + 1),
            offset=offset,
            limit=limit,
        )
        groups.append(SearchGroup(kind, _HITS[kind](ranked, parsed), next_cursor))
    return SearchResults(query=parsed, groups=groups)


def people_search(
    *,
    query: SearchQuery,
    offset: int = 0,
    limit: int = DEFAULT_LIMIT,
    department_id: int | None = None,
) -> SearchGroup:
    """Active colleagues matching by name, title, skills or "ask me about"."""
    ranked, next_cursor = _page(
        backend_for_connection().people(
            query=query, department_id=department_id, offset=offset, limit=limit + 1
        ),
        offset=offset,
        limit=limit,
    )
    return SearchGroup(Kind.PEOPLE, _people_hits(ranked, query), next_cursor)


def _post_hits(ranked: Ranked, query: SearchQuery) -> list[SearchHit]:
    posts = Post.objects.select_related("space", "author").in_bulk([pk for pk, _ in ranked])
    hits = []
    for pk, score in ranked:
        if (post := posts.get(pk)) is None:  # deleted in between
            continue
        text = plain_text(post.body)
        hits.append(
            SearchHit(
                kind=Kind.POSTS,
                id=pk,
                title=Truncator(text).chars(80),
                snippet=highlight(text, query.terms),
                url=reverse("collab:post-detail", args=[pk]),
                score=score,
                created_at=post.created_at,
                author_name=post.author.full_name if post.author else "",
                space_id=post.space_id,
                space_name=post.space.name,
                post_id=pk,
            )
        )
    return hits


def _comment_hits(ranked: Ranked, query: SearchQuery) -> list[SearchHit]:
    comments = Comment.objects.select_related("post__space", "author").in_bulk(
        [pk for pk, _ in ranked]
    )
    hits = []
    for pk, score in ranked:
        if (comment := comments.get(pk)) is None:
            continue
        text = plain_text(comment.body)
        hits.append(
            SearchHit(
                kind=Kind.COMMENTS,
                id=pk,
                title=Truncator(text).chars(80),
                snippet=highlight(text, query.terms),
                url=reverse("collab:post-detail", args=[comment.post_id]) + f"#comment-{pk}",
                score=score,
                created_at=comment.created_at,
                author_name=comment.author.full_name if comment.author else "",
                space_id=comment.post.space_id,
                space_name=comment.post.space.name,
                post_id=comment.post_id,
            )
        )
    return hits


def _space_hits(ranked: Ranked, query: SearchQuery) -> list[SearchHit]:
    spaces = Space.objects.in_bulk([pk for pk, _ in ranked])
    hits = []
    for pk, score in ranked:
        if (space := spaces.get(pk)) is None:
            continue
        about = " — ".join(part for part in (space.goal, plain_text(space.description)) if part)
        hits.append(
            SearchHit(
                kind=Kind.SPACES,
                id=pk,
                title=space.name,
                snippet=highlight(about, query.terms),
                url=reverse("collab:space-detail", args=[pk]),
                score=score,
                created_at=space.created_at,
                space_id=pk,
                space_name=space.name,
            )
        )
    return hits


def _people_hits(ranked: Ranked, query: SearchQuery) -> list[SearchHit]:
    users = User.objects.select_related("department", "profile").in_bulk([pk for pk, _ in ranked])
    hits = []
    for pk, score in ranked:
        if (user := users.get(pk)) is None:
            continue
        profile = getattr(user, "profile", None)
        about = " · ".join(
            part
            for part in ((profile.title, profile.skills, profile.ask_me_about) if profile else ())
            if part
        )
        hits.append(
            SearchHit(
                kind=Kind.PEOPLE,
                id=pk,
                title=user.full_name,
                snippet=highlight(about, query.terms),
                url=reverse("collab:person-detail", args=[pk]),
                score=score,
                department=user.department.name if user.department else "",
            )
        )
    return hits


_HITS = {Kind.POSTS: _post_hits, Kind.COMMENTS: _comment_hits, Kind.SPACES: _space_hits}
