"""SQLite: FTS5 tables kept by triggers (migration 0004), ranked by bm25.

The tokenizer is ``porter unicode61 remove_diacritics 2``: accents are folded on both
sides and English words are stemmed by Porter, at index and at query time. FTS5 has no
French stemmer and triggers cannot call Python, so French is handled at query time only:
each word is searched as typed *or* as a prefix of its French Snowball stem
(``développeurs`` → ``developpeur*``, ``mangeaient`` → ``mang*``). A document matching both
ranks higher. The trade-off: prefixes over-match a little (``port*`` also finds
"portail"), and irregular forms that do not share the stem's spelling (``chevaux`` for
``cheval``) are not found; PostgreSQL's French dictionary handles those.
"""

# ruff: noqa: S608 - SQL built from constants; every value typed by a user is a parameter
from __future__ import annotations

from typing import Any

from socius.accounts.models import User
from socius.collab.search.backends import (
    RANK_WINDOW,
    Ranked,
    fetch_ranked,
    readable_spaces,
    visible_spaces,
)
from socius.collab.search.query import SearchQuery, Term


def _quoted(text: str) -> str:
    # An FTS5 string: any character is literal inside double quotes, doubled to escape.
    return '"' + text.replace('"', '""') + '"'


def _term(term: Term) -> str:
    alternatives = [_quoted(term.folded)]
    if term.french_prefix and term.french_prefix != term.folded:
        alternatives.append(_quoted(term.french_prefix) + "*")
    elif term.french_prefix:
        alternatives = [_quoted(term.folded) + "*"]
    return "(" + " OR ".join(alternatives) + ")"


def _ranked(candidates: str) -> str:
    return (
        f"SELECT id, score FROM ({candidates}) AS candidates "
        "ORDER BY score DESC, id DESC LIMIT %s OFFSET %s"
    )


def match_expression(query: SearchQuery) -> str:
    """Every word must match (AND), each in any of its forms (OR)."""
    return " AND ".join(_term(term) for term in query.terms)


class SqliteBackend:
    def posts(self, *, query: SearchQuery, user: User, offset: int, limit: int) -> Ranked:
        spaces_sql, spaces_params = readable_spaces(user)
        # FTS5 walks its matches newest first and stops at the window: bm25 is computed for
        # those rows only.
        newest = (
            "SELECT p.id AS id, -bm25(collab_post_fts) AS score FROM collab_post_fts "
            "JOIN collab_post p ON p.id = collab_post_fts.rowid "
            f"WHERE collab_post_fts MATCH %s AND p.space_id IN ({spaces_sql}) "
            "ORDER BY collab_post_fts.rowid DESC LIMIT %s"
        )
        return fetch_ranked(
            _ranked(newest),
            (match_expression(query), *spaces_params, RANK_WINDOW, limit, offset),
        )

    def comments(self, *, query: SearchQuery, user: User, offset: int, limit: int) -> Ranked:
        spaces_sql, spaces_params = readable_spaces(user)
        newest = (
            "SELECT c.id AS id, -bm25(collab_comment_fts) AS score FROM collab_comment_fts "
            "JOIN collab_comment c ON c.id = collab_comment_fts.rowid "
            "JOIN collab_post p ON p.id = c.post_id "
            f"WHERE collab_comment_fts MATCH %s AND p.space_id IN ({spaces_sql}) "
            "ORDER BY collab_comment_fts.rowid DESC LIMIT %s"
        )
        return fetch_ranked(
            _ranked(newest),
            (match_expression(query), *spaces_params, RANK_WINDOW, limit, offset),
        )

    def spaces(self, *, query: SearchQuery, user: User, offset: int, limit: int) -> Ranked:
        spaces_sql, spaces_params = visible_spaces(user)
        # Columns name, description, goal: a word in the name counts most.
        sql = (
            "SELECT s.id, -bm25(collab_space_fts, 4.0, 1.0, 2.0) AS score FROM collab_space_fts "
            "JOIN collab_space s ON s.id = collab_space_fts.rowid "
            f"WHERE collab_space_fts MATCH %s AND s.id IN ({spaces_sql}) "
            "ORDER BY score DESC, s.id DESC LIMIT %s OFFSET %s"
        )
        return fetch_ranked(sql, (match_expression(query), *spaces_params, limit, offset))

    def people(
        self, *, query: SearchQuery, department_id: int | None, offset: int, limit: int
    ) -> Ranked:
        department = "AND u.department_id = %s " if department_id is not None else ""
        # Columns name, title, skills, ask_me_about: a name counts most.
        sql = (
            "SELECT u.id, -bm25(collab_people_fts, 4.0, 2.0, 2.0, 2.0) AS score "
            "FROM collab_people_fts JOIN accounts_user u ON u.id = collab_people_fts.rowid "
            f"WHERE collab_people_fts MATCH %s AND u.is_active = %s {department}"
            "ORDER BY score DESC, u.id DESC LIMIT %s OFFSET %s"
        )
        params: tuple[Any, ...] = (match_expression(query), True)
        if department_id is not None:
            params = (*params, department_id)
        return fetch_ranked(sql, (*params, limit, offset))
