"""What an ingestion batch reads in bulk, without the ORM preparing each value."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db import connections, router

from socius.core.bulk import server_cursor
from socius.people.models import Identifier

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
    preparing each of thousands of values one by one. On PostgreSQL each list is one array
    parameter (``= ANY``): a statement of thousands of literals costs more to parse and
    plan than to run. The rows' order does not matter: the batch orders persons itself."""
    connection = connections[router.db_for_read(Identifier)]
    quote = connection.ops.quote_name
    table = quote(Identifier._meta.db_table)
    arrays = connection.vendor == "postgresql"

    def column(name: str) -> str:
        return f"{table}.{quote(name)}"

    def among(values: Collection[Any]) -> tuple[str, list[Any]]:
        if arrays:
            return "= ANY(%s)", [list(values)]
        return f"IN ({', '.join(['%s'] * len(values))})", list(values)

    terms: list[str] = []
    params: list[Any] = []
    if person_ids:
        test, values = among(person_ids)
        terms.append(f"{column('person_id')} {test}")
        params += values
    for kind, kind_values in by_kind.items():
        test, values = among(kind_values)
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
