"""Leaner ``bulk_create`` and ``bulk_update`` for the hot write paths (ingestion, timeline
appends, duplicate suggestions)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Collection, Sequence
from typing import Any

import orjson
from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.utils import timezone

Prepare = Callable[[Any], Any]

# Field classes whose preparation for the database is known: their plain values (a str for
# a CharField, an int for a key, an aware datetime...) are adapted here directly, which is
# what their ``get_db_prep_save`` ends up doing through five or six calls per value.
# Anything else (a subclass, an expression, a lazy string) takes the field's own path.
_PLAIN: dict[type[Any], tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.BooleanField: (bool,),
    models.IntegerField: (int,),
    models.BigIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.AutoField: (int,),
    models.BigAutoField: (int,),
    models.FloatField: (float,),
}


_UNSET = object()


def _preparer(field: Any, connection: BaseDatabaseWrapper) -> Prepare:
    """A function turning the field's value into the database's, as ``get_db_prep_save``."""

    def generic(value: Any) -> Any:
        return field.get_db_prep_save(value, connection)

    target = field.target_field if field.is_relation else field
    kind = type(target)
    if kind in _PLAIN:
        plain = _PLAIN[kind]
        return lambda value: value if value is None or type(value) in plain else generic(value)
    if kind is models.JSONField:
        encoder = target.encoder
        adapt: Callable[[Any, Any], Any] = (
            _json_adapter(connection) if encoder is None else connection.ops.adapt_json_value
        )
        return lambda value: (
            adapt(value, encoder) if type(value) in (dict, list) else generic(value)
        )
    if kind is models.DateTimeField:
        return _datetime_preparer(connection, generic)
    if kind is models.DateField:
        # An empty date (most birth dates) is NULL: the field would say so the long way.
        return lambda value: None if value is None else generic(value)
    return generic


def json_text(value: Any) -> str:
    """``json.dumps(value)`` as the same JSON, written several times faster by orjson
    (compact, UTF-8 rather than escapes). What orjson refuses, ``json`` writes: integers
    beyond 64 bits, keys that are not strings. NaN and infinities, which JSON has no words
    for (PostgreSQL refuses ``json``'s), become null."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value)


def _json_adapter(connection: BaseDatabaseWrapper) -> Callable[[Any, Any], Any]:
    """The backend's ``adapt_json_value`` for fields without an encoder, with ``json_text``:
    a batch writes tens of thousands of JSON values, and encoding them was a twentieth of
    its time."""
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb  # only installed where PostgreSQL is used

        return lambda value, _encoder: Jsonb(value, dumps=json_text)
    return lambda value, _encoder: json_text(value)


def _datetime_preparer(connection: BaseDatabaseWrapper, generic: Prepare) -> Prepare:
    """An aware datetime as the backend stores it; other values through the field."""
    if connection.vendor == "sqlite":
        # SQLite stores naive text in the connection's zone (what the backend does).
        # Most rows of a statement share one instant (created, seen): convert it once.
        zone, last = connection.timezone, [_UNSET, None]

        def sqlite_datetime(value: Any) -> Any:
            if value is None:  # empty (never seen, not verified): NULL, as the field says
                return None
            if value is last[0]:
                return last[1]
            if type(value) is not dt.datetime or value.tzinfo is None:
                return generic(value)
            last[:] = value, str(value.astimezone(zone).replace(tzinfo=None))
            return last[1]

        return sqlite_datetime
    adapt_datetime = connection.ops.adapt_datetimefield_value

    def datetime_value(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is dt.datetime and value.tzinfo is not None:
            return adapt_datetime(value)
        return generic(value)

    return datetime_value


def _auto_now(field: Any) -> bool:
    return type(field) is models.DateTimeField and (field.auto_now or field.auto_now_add)


def _point_to_saved(objects: Sequence[Model], relations: list[Any]) -> None:
    """``_prepare_related_fields_for_save`` for new rows: a related object saved since it
    was assigned gives its id; an unsaved one refuses the insert (the data would be lost)."""
    for obj in objects:
        cache = obj._state.fields_cache
        for field in relations:
            related = cache.get(field.name)
            if related is None:
                continue
            if related.pk is None:
                raise ValueError(
                    f"bulk_create() prohibited to prevent data loss due to unsaved related "
                    f"object '{field.name}'."
                )
            target = getattr(related, field.target_field.attname)
            current = obj.__dict__[field.attname]
            if current is None:
                obj.__dict__[field.attname] = current = target
            if current != target:
                del cache[field.name]  # the id was changed after the object was assigned


def bulk_insert(model: type[Model], objects: Sequence[Model]) -> None:
    """``model.objects.bulk_create(objects)`` without its per-value query compilation and
    field-by-field preparation, which dominate its cost: related objects saved since are
    taken up, auto-now datetimes set (one instant for the whole call), every value adapted
    as ``get_db_prep_save`` would (plain values directly, see ``_preparer``), then
    multi-row INSERTs return the ids in the batch sizes Django would use (on PostgreSQL,
    one array per column through ``UNNEST``, as ``bulk_create`` does there). Rows that
    already have an id, and databases that cannot return ids from a multi-row INSERT, go
    through ``bulk_create`` itself."""
    if not objects:
        return
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    if not connection.features.can_return_rows_from_bulk_insert or any(
        obj.pk is not None for obj in objects
    ):
        model._default_manager.bulk_create(objects)
        return
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    _ready(meta, objects, fields)
    readers = [_reader(field) for field in fields]
    values = [[read(obj) for read in readers] for obj in objects]
    for obj, pk in zip(objects, _insert(model, connection, fields, values), strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


def bulk_insert_values(
    model: type[Model], names: list[str], rows: Sequence[Sequence[Any]]
) -> list[int]:
    """Insert rows given as the values of these fields (attnames: ``person_id``), the
    others taking their defaults, as ``bulk_insert`` of the same instances would; returns
    the new ids. For rows nobody reads back: building a model instance per row costs more
    than writing it."""
    if not rows:
        return []
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    if not connection.features.can_return_rows_from_bulk_insert:
        objects = [model(**dict(zip(names, row, strict=True))) for row in rows]
        model._default_manager.bulk_create(objects)
        return [obj.pk for obj in objects]
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    now = timezone.now()
    given = {name: index for index, name in enumerate(names)}
    # (index in the row, or None and the value every row takes)
    sources = [(given.get(f.attname), now if _auto_now(f) else f.get_default()) for f in fields]
    values = [
        [row[index] if index is not None else default for index, default in sources] for row in rows
    ]
    return _insert(model, connection, fields, values)


def _insert(
    model: type[Model], connection: BaseDatabaseWrapper, fields: list[Any], values: list[Any]
) -> list[int]:
    """Multi-row INSERTs of these values (one list per row, in the fields' order)."""
    meta = model._meta
    preparers = [_preparer(field, connection) for field in fields]
    quote = connection.ops.quote_name
    returning, returning_params = connection.ops.return_insert_columns([meta.pk])
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    arrays = _unnest_arrays(connection, fields)
    size = max(connection.ops.bulk_batch_size(fields, values), 1)
    pks: list[int] = []
    with server_cursor(connection) as cursor:
        for start in range(0, len(values), size):
            chunk = values[start : start + size]
            rows = [[prepare(v) for prepare, v in zip(preparers, r, strict=True)] for r in chunk]
            if arrays and len(rows) > 1 and not any(hasattr(v, "as_sql") for r in rows for v in r):
                # One array per column: PostgreSQL plans this far faster than a VALUES list
                # of thousands of parameters (what bulk_create does there since Django 5.2).
                # Only names and types from the model's metadata reach the SQL text.
                sql = f"{head} SELECT * FROM UNNEST({arrays}) {returning}"  # noqa: S608
                params: list[Any] = [list(column) for column in zip(*rows, strict=True)]
            else:
                sql = f"{head} VALUES {', '.join([row] * len(chunk))} {returning}"
                params = [value for prepared in rows for value in prepared]
            cursor.execute(sql, [*params, *returning_params])
            pks += [pk for (pk,) in cursor.fetchall()]
    return pks


def _ready(meta: Any, objects: Sequence[Model], fields: list[Any]) -> None:
    """What ``bulk_create`` does to the rows before reading their values."""
    if meta.private_fields:
        for obj in objects:
            obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
    else:
        _point_to_saved(objects, [f for f in meta.concrete_fields if f.is_relation])
    now = timezone.now()
    for field in fields:
        if _auto_now(field):
            for obj in objects:
                obj.__dict__[field.attname] = now


def _reader(field: Any) -> Callable[[Model], Any]:
    """The field's value as ``pre_save`` gives it for a new row (auto-now values are set)."""
    plain = (models.Field.pre_save, models.DateField.pre_save, models.DateTimeField.pre_save)
    auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    if _auto_now(field) or (type(field).pre_save in plain and not auto):
        attname = field.attname
        return lambda obj: obj.__dict__[attname]
    return lambda obj: field.pre_save(obj, True)


def server_cursor(connection: BaseDatabaseWrapper) -> Any:
    """A cursor that sends the values apart from the statement, on PostgreSQL.

    Django's PostgreSQL backend binds values on the client by default: psycopg then quotes
    every element of the ``UNNEST`` arrays into the SQL text in Python, which cost more
    than the insert itself. Bound on the server, the arrays travel in binary (``%b`` in
    ``_unnest_arrays``). Wrapped as Django wraps its own: errors and query logging as usual.
    """
    options = connection.settings_dict["OPTIONS"]
    if connection.vendor != "postgresql" or options.get("server_side_binding"):
        return connection.cursor()
    import psycopg  # only installed where PostgreSQL is used

    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(psycopg.Cursor(connection.connection))  # type: ignore[attr-defined]


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
    # Without the type's parameters, as Django does: varchar[] never truncates. The arrays
    # travel in binary (``%b``; ``server_cursor`` binds on the server): psycopg's text format
    # escapes every element in Python, three times slower for a thousand rows.
    return ", ".join(f"(%b)::{field.db_type(connection).split('(')[0]}[]" for field in fields)


def among(
    connection: BaseDatabaseWrapper, values: Collection[Any], *, scanned: bool = False
) -> tuple[str, list[Any]]:
    """The test that a column is one of ``values`` and its parameters, for a
    ``server_cursor``: on PostgreSQL one array (``= ANY(%s)``), the same text whatever their
    number, so the server parses and plans it once instead of a list of literals; elsewhere
    ``IN (%s, ...)``. ``scanned``: the rows are read one by one rather than found through
    an index (a small table, a test on either of two columns), and PostgreSQL would search
    the whole array for each row: the values are hashed once instead (three times faster
    for a thousand values)."""
    if connection.vendor == "postgresql":
        return ("IN (SELECT UNNEST(%s))" if scanned else "= ANY(%s)"), [list(values)]
    return f"IN ({', '.join(['%s'] * len(values))})", list(values)


def update_ids(model: type[Model], pks: Collection[int], **values: Any) -> None:
    """``model.objects.filter(pk__in=pks).update(**values)`` (same statement, values
    prepared as ``update`` would), without compiling a queryset and preparing each id
    through the field: a batch sends this with a thousand ids."""
    if not pks:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    meta = model._meta
    assert meta.pk is not None
    concrete = {f.name: f for f in meta.concrete_fields}
    fields_ = [concrete[name] for name in values]
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields_)
    table = quote(meta.db_table)
    params = [_preparer(f, connection)(v) for f, v in zip(fields_, values.values(), strict=True)]
    test, ids = among(connection, pks)
    # Only names from the model's own metadata reach the SQL text; values are parameters.
    sql = f"UPDATE {table} SET {assignments} WHERE {table}.{quote(meta.pk.column)} {test}"  # noqa: S608
    with server_cursor(connection) as cursor:
        cursor.execute(sql, [*params, *ids])


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
    preparers = [_preparer(f, connection) for f in fields_]
    prepare_bound = _preparer(bound_field, connection) if bound_field is not None else None
    params = []
    for values, pk, bound in rows:
        row = [prepare(v) for prepare, v in zip(preparers, values, strict=True)]
        row.append(pk)
        if prepare_bound is not None:
            row.append(prepare_bound(bound))
        params.append(row)
    columns = [*fields_, meta.pk, *([bound_field] if bound_field is not None else [])]
    arrays = _unnest_arrays(connection, columns)
    with server_cursor(connection) as cursor:
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
