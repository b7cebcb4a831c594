"""Keyset pagination: stable pages over growing tables, without OFFSET scans."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet

from socius.core.errors import InvalidCursor

T = TypeVar("T", bound=Model)

MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"dt"}:
        moment = datetime.fromisoformat(value["dt"])
        if moment.tzinfo is None:  # cursors are written with aware datetimes only
            raise InvalidCursor()
        return moment
    if isinstance(value, dict | list):
        raise InvalidCursor()
    return value


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([_encode_value(value) for value in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *, length: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidCursor() from None
    if not isinstance(values, list) or len(values) != length:
        raise InvalidCursor()
    try:
        return [_decode_value(value) for value in values]
    except (TypeError, ValueError):
        raise InvalidCursor() from None


def _after(ordering: tuple[str, ...], values: list[Any]) -> Q:
    """Rows strictly after ``values`` in ``ordering`` (a lexicographic comparison)."""
    condition = Q()
    for position, field in enumerate(ordering):
        name = field.lstrip("-")
        lookup = "lt" if field.startswith("-") else "gt"
        equal_prefix = Q(**{ordering[i].lstrip("-"): values[i] for i in range(position)})
        condition |= equal_prefix & Q(**{f"{name}__{lookup}": values[position]})
    return condition


def keyset_page(
    queryset: QuerySet[T], *, ordering: tuple[str, ...], cursor: str | None, size: int
) -> Page[T]:
    """One page of ``queryset`` ordered by ``ordering``, whose last field must be unique."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    queryset = queryset.order_by(*ordering)
    if cursor:
        condition = _after(ordering, decode_cursor(cursor, length=len(ordering)))
        try:
            queryset = queryset.filter(condition)
        except (TypeError, ValueError, OverflowError, ValidationError):
            # Well-formed JSON whose values do not fit the fields: a forged cursor.
            raise InvalidCursor() from None
    rows = list(queryset[: size + 1])
    items = rows[:size]
    next_cursor = None
    if len(rows) > size:
        last = items[-1]
        next_cursor = encode_cursor([getattr(last, f.lstrip("-")) for f in ordering])
    return Page(items=items, next_cursor=next_cursor)
