"""Reads of the people context (re-exported so callers import ``socius.people.selectors``)."""

from socius.people.selectors.person import (
    person_find_by_identifier,
    person_get,
    person_get_for_employee,
    person_identifiers,
)

__all__ = [
    "person_find_by_identifier",
    "person_get",
    "person_get_for_employee",
    "person_identifiers",
]
