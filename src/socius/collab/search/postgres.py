"""PostgreSQL: full-text search over the GIN expression indexes of migration 0004.

Each text is indexed as ``to_tsvector('french', ·) || to_tsvector('english', ·)`` of its
accent-folded form (``socius_unaccent``); the query repeats those expressions exactly, so
the planner matches them to the indexes. Each word of the query becomes
``plainto_tsquery('french', w) || plainto_tsquery('english', w)`` (either stemmer may
match it), and the words are joined with ``&&`` (all must match). ``plainto_tsquery``
reads no operators, so nothing typed changes the query's structure.
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
from socius.collab.search.query import SearchQuery

SPACE_TEXT = "s.name || ' ' || s.description || ' ' || s.goal"
# ts_rank normalization 1: divide by 1 + log(length), so long texts do not win by length.
NORMALIZATION = 1
# How many windows of the newest matching comments are checked for visibility: a reader
# who may read few spaces can see fewer than RANK_WINDOW of them ranked.
COMMENTS_CHECKED = 4


def vector(text: str) -> str:
    """The indexed expression; must stay identical to migration 0004's to use its index."""
    return (
        f"(to_tsvector('french'::regconfig, socius_unaccent({text}))"
        f" || to_tsvector('english'::regconfig, socius_unaccent({text})))"
    )


def profile_text(alias: str) -> str:
    return f"{alias}.title || ' ' || {alias}.skills || ' ' || {alias}.ask_me_about"


def _person(user: str, profile: str) -> str:
    # Ranking only: a word in the name weighs more than one in the skills.
    name = vector(f"{user}.full_name")
    about = vector(f"coalesce({profile_text(profile)}, '')")
    return f"(setweight({name}, 'A') || setweight({about}, 'B'))"


def _word(param: str = "%s") -> str:
    return (
        f"(plainto_tsquery('french'::regconfig, socius_unaccent({param}))"
        f" || plainto_tsquery('english'::regconfig, socius_unaccent({param})))"
    )


def tsquery(query: SearchQuery, *, operator: str = "&&") -> tuple[str, tuple[Any, ...]]:
    """All words (``&&``) or any word (``||``), each in its French or English form."""
    sql = f" {operator} ".join(_word() for _ in query.terms)
    params = tuple(value for term in query.terms for value in (term.word, term.word))
    return f"({sql})", params


def _ranked(candidates: str, words: str) -> str:
    """Rank the candidates (id, body); ``words`` comes first in the parameters.

    The candidates' matches are a MATERIALIZED CTE: otherwise the planner walks the primary
    key newest first and computes the vector of every row it passes, instead of asking the
    GIN index.
    """
    return (
        f"SELECT candidates.id, ts_rank({vector('candidates.body')}, {words}, {NORMALIZATION}) "
        f"AS score FROM ({candidates}) AS candidates "
        "ORDER BY score DESC, candidates.id DESC LIMIT %s OFFSET %s"
    )


class PostgresBackend:
    def posts(self, *, query: SearchQuery, user: User, offset: int, limit: int) -> Ranked:
        spaces_sql, spaces_params = readable_spaces(user)
        words, word_params = tsquery(query)
        # ts_rank recomputes each candidate's vector (an expression index stores none): only
        # the newest matches of the window are ranked.
        newest = (
            f"WITH matches AS MATERIALIZED (SELECT p.id, p.body, p.space_id FROM collab_post p "
            f"WHERE {vector('p.body')} @@ {words}) "
            f"SELECT id, body FROM matches WHERE space_id IN ({spaces_sql}) "
            "ORDER BY id DESC LIMIT %s"
        )
        params = (*word_params, *word_params, *spaces_params, RANK_WINDOW, limit, offset)
        return fetch_ranked(_ranked(newest, words), params)

    def comments(self, *, query: SearchQuery, user: User, offset: int, limit: int) -> Ranked:
        spaces_sql, spaces_params = readable_spaces(user)
        words, word_params = tsquery(query)
        # Reading each match's post for visibility would cost in proportion to the matches:
        # only the newest few windows of them are checked.
        newest = (
            "WITH matches AS MATERIALIZED (SELECT c.id, c.body, c.post_id FROM collab_comment c "
            f"WHERE {vector('c.body')} @@ {words}), "
            "newest AS MATERIALIZED (SELECT * FROM matches ORDER BY id DESC LIMIT %s) "
            # A lookup per candidate: a join would hash every post of the network.
            "SELECT newest.id, newest.body FROM newest WHERE "
            "(SELECT p.space_id FROM collab_post p WHERE p.id = newest.post_id) "
            f"IN ({spaces_sql}) ORDER BY newest.id DESC LIMIT %s"
        )
        params = (
            *word_params,
            *word_params,
            RANK_WINDOW * COMMENTS_CHECKED,
            *spaces_params,
            RANK_WINDOW,
            limit,
            offset,
        )
        return fetch_ranked(_ranked(newest, words), params)

    def spaces(self, *, query: SearchQuery, user: User, offset: int, limit: int) -> Ranked:
        spaces_sql, spaces_params = visible_spaces(user)
        words, word_params = tsquery(query)
        ranked = f"setweight({vector('s.name')}, 'A') || {vector(SPACE_TEXT)}"
        sql = (
            f"SELECT s.id, ts_rank({ranked}, {words}, {NORMALIZATION}) AS score "
            f"FROM collab_space s WHERE {vector(SPACE_TEXT)} @@ {words} "
            f"AND s.id IN ({spaces_sql}) "
            "ORDER BY score DESC, s.id DESC LIMIT %s OFFSET %s"
        )
        return fetch_ranked(sql, (*word_params, *word_params, *spaces_params, limit, offset))

    def people(
        self, *, query: SearchQuery, department_id: int | None, offset: int, limit: int
    ) -> Ranked:
        words, word_params = tsquery(query)
        any_word, any_params = tsquery(query, operator="||")
        profiles = vector(profile_text("collab_profile"))
        department = "AND u.department_id = %s " if department_id is not None else ""
        # A name is in one table, skills in another, each with its index: a colleague
        # matches when either text has every word, or when the profile has some of them and
        # name and profile together have all (then only those few are read in full).
        candidates = (
            "SELECT u.id, u.full_name, pr.title, pr.skills, pr.ask_me_about "
            "FROM accounts_user u LEFT JOIN collab_profile pr ON pr.user_id = u.id "
            f"WHERE u.is_active {department}AND ("
            f"u.id IN (SELECT id FROM accounts_user WHERE {vector('full_name')} @@ {words}) "
            f"OR u.id IN (SELECT user_id FROM collab_profile WHERE {profiles} @@ {words}) "
            f"OR (u.id IN (SELECT user_id FROM collab_profile WHERE {profiles} @@ {any_word}) "
            f"AND {_person('u', 'pr')} @@ {words})) "
            "ORDER BY u.full_name, u.id LIMIT %s"
        )
        sql = (
            f"SELECT u.id, ts_rank({_person('u', 'u')}, {words}, {NORMALIZATION}) AS score "
            f"FROM ({candidates}) AS u "
            "ORDER BY score DESC, u.id DESC LIMIT %s OFFSET %s"
        )
        params: tuple[Any, ...] = (*word_params,)
        if department_id is not None:
            params = (*params, department_id)
        params = (*params, *word_params, *word_params, *any_params, *word_params, RANK_WINDOW)
        return fetch_ranked(sql, (*params, limit, offset))
