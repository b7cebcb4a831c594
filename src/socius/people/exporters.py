"""Registries through which later contexts join a person's export and erasure.

A context that stores data about a person (cases, group orders, tickets…) registers, once
in its ``AppConfig.ready``:

- an exporter, ``register_person_exporter("cases", cases_of, covers=("care.Case",))``:
  called with the person, it returns JSON-ready data that lands under
  ``"contexts": {"cases": ...}`` of the export (a merge moved the context's rows to the
  person through ``references.py``, so the records merged into them hold none). Only
  exporters registered with ``for_customer=True`` run for the customer's own download:
  what employees wrote about a customer (internal notes) must never reach them, so a
  context opts in explicitly once its rows hold nothing internal;
- an eraser, ``register_person_eraser("cases", cases_erase, covers=("care.Case",))``:
  called inside the erasure's transaction, for the person and for each record merged
  into them (the same human), *before* the person's identifiers are deleted (so it can
  still find rows keyed by an email), it deletes or pseudonymizes the context's rows and
  returns how many rows it changed.

``covers`` names the models (``app_label.ModelName``) the callable takes care of: a test
walks every model with a foreign key to ``people.Person`` and fails when one is covered by
no exporter or no eraser.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from socius.people.models import Person

PersonExporter = Callable[["Person"], "dict[str, Any] | list[Any]"]
PersonEraser = Callable[["Person"], int]


@dataclass(frozen=True)
class RegisteredExporter:
    name: str
    export: PersonExporter
    for_customer: bool
    covers: tuple[str, ...]


@dataclass(frozen=True)
class RegisteredEraser:
    name: str
    erase: PersonEraser
    covers: tuple[str, ...]


_EXPORTERS: dict[str, RegisteredExporter] = {}
_ERASERS: dict[str, RegisteredEraser] = {}


def register_person_exporter(
    name: str,
    exporter: PersonExporter,
    *,
    for_customer: bool = False,
    covers: tuple[str, ...] = (),
) -> None:
    _EXPORTERS[name] = RegisteredExporter(name, exporter, for_customer, tuple(covers))


def register_person_eraser(
    name: str, eraser: PersonEraser, *, covers: tuple[str, ...] = ()
) -> None:
    _ERASERS[name] = RegisteredEraser(name, eraser, tuple(covers))


def person_exporters(*, audience: str) -> list[RegisteredExporter]:
    exporters = [_EXPORTERS[name] for name in sorted(_EXPORTERS)]
    if audience == "customer":
        return [exporter for exporter in exporters if exporter.for_customer]
    return exporters


def person_erasers() -> list[RegisteredEraser]:
    return [_ERASERS[name] for name in sorted(_ERASERS)]
