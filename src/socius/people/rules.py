"""The rules of identity resolution, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from socius.people.models import IdentifierKind, Person
from socius.people.names import given_names_compatible

# A human has one of these at most: two different values mean two different humans.
SINGLE_VALUED_KINDS = frozenset({IdentifierKind.CUSTOMER_NUMBER, IdentifierKind.EMPLOYEE_NUMBER})


def strong_identifier_kinds() -> frozenset[str]:
    return frozenset(settings.PEOPLE_STRONG_IDENTIFIERS)


@dataclass(frozen=True)
class Contradiction:
    field: str
    known: str
    incoming: str


def profile_contradictions(
    person: Person, *, given_name: str, birth_date: object
) -> list[Contradiction]:
    """What in an incoming profile says it is not this person (another name, another birth)."""
    found = []
    if not given_names_compatible(person.given_name, given_name):
        found.append(Contradiction("given_name", person.given_name, given_name))
    if person.birth_date and birth_date and person.birth_date != birth_date:
        found.append(Contradiction("birth_date", str(person.birth_date), str(birth_date)))
    return found
