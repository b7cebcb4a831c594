"""One search backend per database vendor, each answering ranked ids in one query per kind.

Visibility is part of every query (the subquery comes from the selectors themselves), so a
non-member's search never counts, ranks or pages over a private space's content.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.db import connection

from socius.accounts.models import User
from socius.collab.search.query import SearchQuery
from socius.collab.selectors import spaces_readable_by, spaces_visible_to

Ranked = list[tuple[int, float]]  # (id, score), best first

# Posts and comments are ranked among their newest RANK_WINDOW readable matches: ranking
# reads every candidate, so a word found in a third of a million comments would cost in
# proportion. Recent posts are what a colleague looks for most; older ones are reached with
# more words. Ranking then costs the same whatever the amount of data.
RANK_WINDOW = 500


class Backend(Protocol):
    def posts(self, *, query: SearchQuery, user: User, offset: int, limit: int) -> Ranked: ...

    def comments(self, *, query: SearchQuery, user: User, offset: int, limit: int) -> Ranked: ...

    def spaces(self, *, query: SearchQuery, user: User, offset: int, limit: int) -> Ranked: ...

    def people(
        self, *, query: SearchQuery, department_id: int | None, offset: int, limit: int
    ) -> Ranked: ...


def readable_spaces(user: User) -> tuple[str, tuple[Any, ...]]:
    sql, params = spaces_readable_by(user).values("id").query.sql_with_params()
    return sql, tuple(params)


def visible_spaces(user: User) -> tuple[str, tuple[Any, ...]]:
    sql, params = spaces_visible_to(user).values("id").query.sql_with_params()
    return sql, tuple(params)


def fetch_ranked(sql: str, params: tuple[Any, ...]) -> Ranked:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(row[0]), float(row[1])) for row in cursor.fetchall()]


def backend_for_connection() -> Backend:
    from socius.collab.search.postgres import PostgresBackend
    from socius.collab.search.sqlite import SqliteBackend

    backends: dict[str, Backend] = {"sqlite": SqliteBackend(), "postgresql": PostgresBackend()}
    try:
        return backends[connection.vendor]
    except KeyError:
        raise RuntimeError(f"Search has no backend for {connection.vendor}.") from None
