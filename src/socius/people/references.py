"""The registry of rows that point to a person, so that a merge moves them all.

Each context that stores a foreign key to ``people.Person`` registers it once (in its
AppConfig.ready). A merge moves every registered row from the absorbed person to the
survivor and records the ids; undoing the merge moves exactly those rows back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Model, QuerySet


@dataclass(frozen=True)
class PersonReference:
    name: str
    model_label: str
    field: str
    # Rows that must stay on the absorbed tombstone because moving them would break a
    # uniqueness rule (the survivor already has the same row); undo needs nothing for them.
    keep_on_absorbed: Callable[[QuerySet[Model], int], QuerySet[Model]] | None = None

    @property
    def model(self) -> type[Model]:
        return apps.get_model(self.model_label)


_REFERENCES: dict[str, PersonReference] = {}


def register_person_reference(
    *,
    name: str,
    model_label: str,
    field: str,
    keep_on_absorbed: Callable[[QuerySet[Model], int], QuerySet[Model]] | None = None,
) -> None:
    _REFERENCES[name] = PersonReference(name, model_label, field, keep_on_absorbed)


def person_references() -> list[PersonReference]:
    return [_REFERENCES[name] for name in sorted(_REFERENCES)]


def person_reference(name: str) -> PersonReference:
    return _REFERENCES[name]
