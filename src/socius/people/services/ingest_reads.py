"""What an ingestion batch reads in bulk, without the ORM preparing each value."""

from __future__ import annotations

from typing import Any

from django.db import connections, router

from socius.core.bulk import among, server_cursor
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
