"""Reads of the people context."""

from __future__ import annotations

from django.db.models import QuerySet

from socius.core.errors import NotFound
from socius.people.models import Identifier, Person


def person_get(*, person_id: int) -> Person:
    try:
        return Person.objects.get(pk=person_id)
    except Person.DoesNotExist:
        raise NotFound() from None


def person_identifiers(*, person: Person) -> QuerySet[Identifier]:
    return person.identifiers.order_by("kind", "value")


def person_find_by_identifier(*, kind: str, value: str) -> Person | None:
    row = (
        Identifier.objects.filter(kind=kind, value=value, is_shared=False)
        .select_related("person")
        .first()
    )
    return row.person if row else None
