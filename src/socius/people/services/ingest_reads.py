"""What an ingestion batch reads in bulk, without the ORM preparing each value."""

from __future__ import annotations

from typing import Any

from django.db import connections, router

from socius.core.bulk import among, server_cursor
from socius.people.models import Identifier, Interaction

_IDENTIFIER_COLUMNS = (
    ("id", "pk"),
    ("person_id",) * 2,
    ("kind",) * 2,
    ("value",) * 2,
    ("is_shared",) * 2,
)


def identifier_rows(
    person_ids: set[int], by_kind: dict[str, set[str]]
) -> list[tuple[int, int, str, str, bool]]:
    """``Identifier.objects.filter(Q(person_id__in=person_ids) | Q(kind=k, value__in=vs) |
    ...).values_list("pk", "person_id", "kind", "value", "is_shared")``, without the ORM
    preparing each of thousands of values one by one, each list as ``core.bulk.among``
    sends it. The rows' order does not matter: the batch orders persons itself."""
    connection = connections[router.db_for_read(Identifier)]
    quote = connection.ops.quote_name
    table = quote(Identifier._meta.db_table)

    def column(name: str) -> str:
        return f"{table}.{quote(name)}"

    terms: list[str] = []
    params: list[Any] = []
    if person_ids:
        test, values = among(connection, person_ids)
        terms.append(f"{column('person_id')} {test}")
        params += values
    for kind, kind_values in by_kind.items():
        test, values = among(connection, kind_values)
        terms.append(f"({column('kind')} = %s AND {column('value')} {test})")
        params += [kind, *values]
    where = terms[0] if len(terms) == 1 else f"({' OR '.join(terms)})"
    select = ", ".join(f"{column(name)} AS {quote(alias)}" for name, alias in _IDENTIFIER_COLUMNS)
    # Only names from the model's metadata reach the SQL text; values are parameters.
    sql = f"SELECT {select} FROM {table} WHERE {where}"  # noqa: S608
    with server_cursor(connection) as cursor:
        cursor.execute(sql, params)
        return [
            (pk, person_id, kind, value, bool(is_shared))
            for pk, person_id, kind, value, is_shared in cursor.fetchall()
        ]


def interactions_seen(by_source: dict[str, set[str]]) -> list[Interaction]:
    """The interactions already ingested among these (source, external ids): their ids in
    one statement, each list as ``core.bulk.among`` sends it, then those rows, if any (a
    batch of new interactions finds none, and building a queryset of a thousand literals
    cost more than reading nothing)."""
    connection = connections[router.db_for_read(Interaction)]
    quote = connection.ops.quote_name
    table = quote(Interaction._meta.db_table)
    terms, params = [], []
    for source, external_ids in by_source.items():
        test, values = among(connection, external_ids)
        terms.append(f"({table}.{quote('source')} = %s AND {table}.{quote('external_id')} {test})")
        params += [source, *values]
    if not terms:
        return []
    # Only names from the model's metadata reach the SQL text; values are parameters.
    sql = f"SELECT {table}.{quote('id')} FROM {table} WHERE {' OR '.join(terms)}"  # noqa: S608
    with server_cursor(connection) as cursor:
        cursor.execute(sql, params)
        ids = [pk for (pk,) in cursor.fetchall()]
    return list(Interaction.objects.filter(pk__in=ids)) if ids else []
