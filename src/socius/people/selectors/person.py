"""Fetching a person for an employee, with the rules every boundary shares."""

from __future__ import annotations

from django.db.models import QuerySet

from socius.accounts.models import User
from socius.accounts.roles import Capability
from socius.core.errors import NotFound
from socius.people.errors import PersonErased, PersonMergedAway
from socius.people.models import Identifier, Person

MAX_MERGE_HOPS = 50


def person_get_for_employee(*, user: User, person_id: int, allow_tombstone: bool = False) -> Person:
    """The person with this id, for an employee allowed to see people.

    A person merged away raises PersonMergedAway naming the survivor (boundaries answer
    with a redirect); an erased person raises PersonErased. Anything else is a 404.
    """
    if not user.can(Capability.VIEW_PEOPLE):
        raise NotFound()
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise NotFound()
    if person.merged_into_id is not None and not allow_tombstone:
        raise PersonMergedAway(survivor_id=_survivor_id(person))
    if person.erased_at is not None and not allow_tombstone:
        raise PersonErased(details={"person_id": person.pk})
    return person


def _survivor_id(person: Person) -> int:
    hops = 0
    while person.merged_into_id is not None and hops < MAX_MERGE_HOPS:
        person, hops = person.merged_into, hops + 1  # type: ignore[assignment]
    return person.pk


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
