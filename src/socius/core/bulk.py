"""Leaner ``bulk_create`` and ``bulk_update`` for the hot write paths (ingestion, timeline
appends, duplicate suggestions)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model


def bulk_insert(model: type[Model], objects: Sequence[Model]) -> None:
    """``model.objects.bulk_create(objects)`` without its per-value query compilation, which
    dominates its cost: the same field preparation (related objects saved since, then
    ``pre_save`` and ``get_db_prep_save`` of every field), multi-row INSERTs returning the
    ids in the batch sizes Django would use (on PostgreSQL, one array per column through
    ``UNNEST``, as ``bulk_create`` does there). Rows that already have an id, and databases
    that cannot return ids from a multi-row INSERT, go through ``bulk_create`` itself."""
    if not objects:
        return
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    if not connection.features.can_return_rows_from_bulk_insert or any(
        obj.pk is not None for obj in objects
    ):
        model._default_manager.bulk_create(objects)
        return
    for obj in objects:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    returning, returning_params = connection.ops.return_insert_columns([meta.pk])
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    arrays = _unnest_arrays(connection, fields)
    size = max(connection.ops.bulk_batch_size(fields, objects), 1)
    with connection.cursor() as cursor:
        for start in range(0, len(objects), size):
            chunk = objects[start : start + size]
            rows = [
                [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
                for obj in chunk
            ]
            if arrays and len(rows) > 1 and not any(hasattr(v, "as_sql") for r in rows for v in r):
                # One array per column: PostgreSQL plans this far faster than a VALUES list
                # of thousands of parameters (what bulk_create does there since Django 5.2).
                # Only names and types from the model's metadata reach the SQL text.
                sql = f"{head} SELECT * FROM UNNEST({arrays}) {returning}"  # noqa: S608
                params: list[Any] = [list(column) for column in zip(*rows, strict=True)]
            else:
                sql = f"{head} VALUES {', '.join([row] * len(chunk))} {returning}"
                params = [value for values in rows for value in values]
            cursor.execute(sql, [*params, *returning_params])
            for obj, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = connection.alias


def _unnest_arrays(connection: BaseDatabaseWrapper, fields: list[Any]) -> str:
    """The ``UNNEST`` arguments for an insert of these fields on PostgreSQL, or "" where
    Django's own bulk insert would not use ``UNNEST`` (same conditions)."""
    if connection.vendor != "postgresql" or any(
        hasattr(field, "get_placeholder")
        or (field.target_field if field.is_relation else field).get_internal_type()
        not in connection.data_types
        for field in fields
    ):
        return ""
    # Without the type's parameters, as Django does: varchar[] never truncates.
    return ", ".join(f"(%s)::{field.db_type(connection).split('(')[0]}[]" for field in fields)


def update_rows(
    model: type[Model],
    names: list[str],
    rows: list[tuple[list[Any], int, Any]],
    *,
    only_later: str = "",
) -> None:
    """One UPDATE per row, sent in one ``executemany`` (on PostgreSQL, one UPDATE joining
    the rows as arrays): ``bulk_update`` compiles a CASE expression per row in Python,
    which costs more than the whole write here. Each row is (values, pk, bound); with
    ``only_later``, a row changes only while that column is empty or before ``bound``."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    meta = model._meta
    concrete = {f.name: f for f in meta.concrete_fields}
    fields_ = [concrete[name] for name in names]
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields_)
    assert meta.pk is not None
    condition = f"{quote(meta.pk.column)} = %s"
    bound_field = concrete[only_later] if only_later else None
    if bound_field is not None:
        column = quote(bound_field.column)
        condition += f" AND ({column} IS NULL OR {column} < %s)"
    # Only names from the model's own metadata reach the SQL text; values are parameters.
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {condition}"  # noqa: S608
    params = []
    for values, pk, bound in rows:
        row = [f.get_db_prep_save(v, connection) for f, v in zip(fields_, values, strict=True)]
        row.append(pk)
        if bound_field is not None:
            row.append(bound_field.get_db_prep_save(bound, connection))
        params.append(row)
    columns = [*fields_, meta.pk, *([bound_field] if bound_field is not None else [])]
    arrays = _unnest_arrays(connection, columns)
    with connection.cursor() as cursor:
        if arrays and len(params) > 1 and len({row[len(fields_)] for row in params}) == len(params):
            # PostgreSQL: one statement joining the rows as arrays instead of one per row
            # (each a round trip); only when no row is named twice, as rows apply in order.
            cursor.execute(
                _update_from_unnest(connection, model, names, arrays, only_later),
                [list(column) for column in zip(*params, strict=True)],
            )
        else:
            cursor.executemany(sql, params)


def _update_from_unnest(
    connection: BaseDatabaseWrapper,
    model: type[Model],
    names: list[str],
    arrays: str,
    only_later: str,
) -> str:
    quote = connection.ops.quote_name
    meta = model._meta
    assert meta.pk is not None
    concrete = {f.name: f for f in meta.concrete_fields}
    aliases = [f"v{index}" for index in range(len(names))]
    assignments = ", ".join(
        f"{quote(concrete[name].column)} = incoming.{alias}"
        for name, alias in zip(names, aliases, strict=True)
    )
    table = quote(meta.db_table)
    condition = f"{table}.{quote(meta.pk.column)} = incoming.pk"
    if only_later:
        column = f"{table}.{quote(concrete[only_later].column)}"
        condition += f" AND ({column} IS NULL OR {column} < incoming.bound)"
    names_of_row = ", ".join([*aliases, "pk", *(["bound"] if only_later else [])])
    # Only names and types from the model's metadata reach the SQL text.
    return (
        f"UPDATE {table} SET {assignments} "  # noqa: S608
        f"FROM UNNEST({arrays}) AS incoming({names_of_row}) WHERE {condition}"
    )
