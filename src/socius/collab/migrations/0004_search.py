"""Full-text search over posts, comments, spaces and colleagues, kept in sync by the database.

Nothing in Python keeps these indexes current: whoever writes a post, a comment, a space,
a name or a profile (services, admin, bulk loaders) updates them through the database
itself, so search can never miss a write path.

- PostgreSQL: GIN expression indexes over ``to_tsvector('french', ...) ||
  to_tsvector('english', ...)`` of the accent-folded text. ``unaccent()`` is only STABLE
  (it reads its dictionary through the search path), so an index cannot use it; the
  two-argument form naming the dictionary is safe to declare IMMUTABLE in a wrapper.
- SQLite: FTS5 tables (``porter unicode61 remove_diacritics 2``) filled by triggers.
  Posts and comments use external content (the text is not stored twice); spaces and
  colleagues, small tables whose text spans two tables, keep their own copy.

Reversible: going back drops the indexes, triggers and tables. The ``unaccent`` extension
stays installed, since something else in the database may use it.

Caution for later migrations on SQLite: a change that makes Django rebuild ``collab_post``,
``collab_comment``, ``collab_space``, ``collab_profile`` or ``accounts_user`` (copy to a new
table, drop the old one) drops its triggers too; ``test_search_schema`` fails when a
trigger is missing, and the statements below recreate them.
"""

# ruff: noqa: S608 - the SQL is built from constants of this file; nothing comes from input
from __future__ import annotations

from typing import Any

from django.db import migrations

# -- PostgreSQL -------------------------------------------------------------------------


def _vector(text: str) -> str:
    # Both stemmers over the same folded text: French is the company's language, but
    # colleagues also write English ("meeting", "running"); a query term then matches when
    # either stemmer agrees. The price is a vector about twice as large.
    return (
        f"(to_tsvector('french'::regconfig, socius_unaccent({text}))"
        f" || to_tsvector('english'::regconfig, socius_unaccent({text})))"
    )


SPACE_TEXT = "name || ' ' || description || ' ' || goal"
PROFILE_TEXT = "title || ' ' || skills || ' ' || ask_me_about"


def _unaccent_wrapper(schema_editor: Any) -> list[str]:
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent", params=None)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'"
        )
        (schema,) = cursor.fetchone()
    # Fully qualified: an index expression is also evaluated by autovacuum and restores,
    # which run with another search path.
    return [
        "CREATE OR REPLACE FUNCTION socius_unaccent(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE "
        f"AS $$ SELECT {schema}.unaccent('{schema}.unaccent'::regdictionary, $1) $$"
    ]


POSTGRES_FORWARD = [
    f"CREATE INDEX collab_post_search ON collab_post USING gin ({_vector('body')})",
    f"CREATE INDEX collab_comment_search ON collab_comment USING gin ({_vector('body')})",
    f"CREATE INDEX collab_space_search ON collab_space USING gin ({_vector(SPACE_TEXT)})",
    f"CREATE INDEX collab_user_name_search ON accounts_user USING gin ({_vector('full_name')})",
    f"CREATE INDEX collab_profile_search ON collab_profile USING gin ({_vector(PROFILE_TEXT)})",
]

POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS collab_profile_search",
    "DROP INDEX IF EXISTS collab_user_name_search",
    "DROP INDEX IF EXISTS collab_space_search",
    "DROP INDEX IF EXISTS collab_comment_search",
    "DROP INDEX IF EXISTS collab_post_search",
    "DROP FUNCTION IF EXISTS socius_unaccent(text)",
]

# -- SQLite -----------------------------------------------------------------------------

TOKENIZER = "tokenize = 'porter unicode61 remove_diacritics 2'"


def _external_content(table: str) -> list[str]:
    """An FTS5 index of ``table.body`` reading its text from the table itself."""
    index = f"{table}_fts"
    add = f"INSERT INTO {index}(rowid, body) VALUES (new.id, new.body);"
    # External content: FTS5 must be told the exact old text to take it out of the index.
    remove = f"INSERT INTO {index}({index}, rowid, body) VALUES ('delete', old.id, old.body);"
    return [
        f"CREATE VIRTUAL TABLE {index} USING fts5("
        f"body, content = '{table}', content_rowid = 'id', {TOKENIZER})",
        f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN {remove} END",
        # Only when the text changes: counters on posts are updated all the time.
        f"CREATE TRIGGER {index}_update AFTER UPDATE OF body ON {table} BEGIN {remove} {add} END",
        f"INSERT INTO {index}({index}) VALUES ('rebuild')",
    ]


def _space_row(space: str) -> str:
    return (
        f"INSERT INTO collab_space_fts(rowid, name, description, goal) "
        f"VALUES ({space}.id, {space}.name, {space}.description, {space}.goal);"
    )


def _person_row(user_id: str) -> str:
    # A colleague's name lives in accounts_user, what they tell about themselves in
    # collab_profile: the row is rebuilt from both whenever either changes.
    return (
        f"DELETE FROM collab_people_fts WHERE rowid = {user_id}; "
        "INSERT INTO collab_people_fts(rowid, name, title, skills, ask_me_about) "
        "SELECT u.id, u.full_name, coalesce(p.title, ''), coalesce(p.skills, ''), "
        "coalesce(p.ask_me_about, '') FROM accounts_user u "
        f"LEFT JOIN collab_profile p ON p.user_id = u.id WHERE u.id = {user_id};"
    )


SQLITE_FORWARD = [
    *_external_content("collab_post"),
    *_external_content("collab_comment"),
    f"CREATE VIRTUAL TABLE collab_space_fts USING fts5(name, description, goal, {TOKENIZER})",
    f"CREATE TRIGGER collab_space_fts_insert AFTER INSERT ON collab_space BEGIN "
    f"{_space_row('new')} END",
    "CREATE TRIGGER collab_space_fts_update AFTER UPDATE OF name, description, goal "
    "ON collab_space BEGIN DELETE FROM collab_space_fts WHERE rowid = old.id; "
    f"{_space_row('new')} END",
    "CREATE TRIGGER collab_space_fts_delete AFTER DELETE ON collab_space BEGIN "
    "DELETE FROM collab_space_fts WHERE rowid = old.id; END",
    "INSERT INTO collab_space_fts(rowid, name, description, goal) "
    "SELECT id, name, description, goal FROM collab_space",
    "CREATE VIRTUAL TABLE collab_people_fts USING fts5("
    f"name, title, skills, ask_me_about, {TOKENIZER})",
    "CREATE TRIGGER collab_people_fts_user_insert AFTER INSERT ON accounts_user BEGIN "
    f"{_person_row('new.id')} END",
    "CREATE TRIGGER collab_people_fts_user_update AFTER UPDATE OF full_name ON accounts_user "
    f"BEGIN {_person_row('new.id')} END",
    "CREATE TRIGGER collab_people_fts_user_delete AFTER DELETE ON accounts_user BEGIN "
    "DELETE FROM collab_people_fts WHERE rowid = old.id; END",
    "CREATE TRIGGER collab_people_fts_profile_insert AFTER INSERT ON collab_profile BEGIN "
    f"{_person_row('new.user_id')} END",
    "CREATE TRIGGER collab_people_fts_profile_update AFTER UPDATE ON collab_profile BEGIN "
    f"{_person_row('old.user_id')} {_person_row('new.user_id')} END",
    "CREATE TRIGGER collab_people_fts_profile_delete AFTER DELETE ON collab_profile BEGIN "
    f"{_person_row('old.user_id')} END",
    "INSERT INTO collab_people_fts(rowid, name, title, skills, ask_me_about) "
    "SELECT u.id, u.full_name, coalesce(p.title, ''), coalesce(p.skills, ''), "
    "coalesce(p.ask_me_about, '') FROM accounts_user u "
    "LEFT JOIN collab_profile p ON p.user_id = u.id",
]

SQLITE_BACKWARD = [
    # Dropping an FTS5 table does not drop the triggers that write into it.
    *(
        f"DROP TRIGGER IF EXISTS {name}"
        for table in ("collab_post_fts", "collab_comment_fts", "collab_space_fts")
        for name in (f"{table}_insert", f"{table}_update", f"{table}_delete")
    ),
    *(
        f"DROP TRIGGER IF EXISTS collab_people_fts_{source}_{event}"
        for source in ("user", "profile")
        for event in ("insert", "update", "delete")
    ),
    "DROP TABLE IF EXISTS collab_people_fts",
    "DROP TABLE IF EXISTS collab_space_fts",
    "DROP TABLE IF EXISTS collab_comment_fts",
    "DROP TABLE IF EXISTS collab_post_fts",
]


def _run(schema_editor: Any, statements: dict[str, list[str]]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise RuntimeError(f"Search has no backend for the {vendor} database.")
    for statement in statements[vendor]:
        schema_editor.execute(statement, params=None)


def forward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, {"postgresql": _unaccent_wrapper(schema_editor) + POSTGRES_FORWARD})
        return
    _run(schema_editor, {"sqlite": SQLITE_FORWARD})


def backward(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD})


class Migration(migrations.Migration):
    dependencies = [
        # After the employee language column: adding it rebuilds the users table on SQLite,
        # which drops the triggers created here.
        ("accounts", "0002_employee_language"),
        ("collab", "0003_social_network_features"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
