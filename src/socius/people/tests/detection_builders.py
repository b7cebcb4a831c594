"""Persons as duplicate detection sees them, for the detection tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from socius.people.models import Person
from socius.people.names import search_name


def person(given: str, family: str, born: dt.date | None = None, **fields: Any) -> Person:
    """A person written directly (no resolution), with the folded name search uses."""
    return Person.objects.create(
        given_name=given,
        family_name=family,
        birth_date=born,
        search_name=search_name(given, family),
        **fields,
    )


def nantais(given: str, family: str, born: dt.date, address: str, city: str = "Nantes") -> Person:
    """Someone living at ``address`` in Nantes (44000)."""
    return person(given, family, born, address=address, postcode="44000", city=city)
