"""Mapping columns to fields, and preparing each row for resolution."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from socius.core.errors import DomainError
from socius.people.models import (
    ConsentState,
)
from socius.people.names import fold
from socius.people.normalize import normalize_identifier

# Mapping -------------------------------------------------------------------------------
from socius.people.services.imports.fields import (
    GUESSES,
    IDENTIFIER_KINDS,
    MAX_LENGTHS,
    NO_WORDS,
    PREVIEW_ROWS,
    PROFILE_FIELDS,
    YES_WORDS,
    ImportField,
    ImportMappingInvalid,
)
from socius.people.services.imports.reading import CsvRow, CsvTable
from socius.people.services.types import IdentifierIn, Profile


def _header_key(name: str) -> str:
    folded = fold(name.replace("_", " ").replace(".", " ").replace("-", " "))
    return re.sub(r"\s*\d+$", "", folded).strip()  # "Email 2" is an email too


_BY_NAME = {name: field_ for field_, names in GUESSES.items() for name in names}


def mapping_guess(header: list[str]) -> list[str]:
    """A field per column from its name (English or French); each profile field once."""
    guessed, taken = [], set()
    for name in header:
        field_ = _BY_NAME.get(_header_key(name), ImportField.IGNORE.value)
        if field_ in taken:
            field_ = ImportField.IGNORE.value
        if field_ not in IDENTIFIER_KINDS:
            taken.add(field_)
        guessed.append(field_)
    return guessed


def mapping_check(mapping: list[str], header: list[str]) -> None:
    if len(mapping) != len(header):
        raise ImportMappingInvalid(
            _("Give one field per column: the file has %(count)s columns.")
            % {"count": len(header)},
            details={"columns": len(header), "mapped": len(mapping)},
        )
    seen: set[str] = set()
    for position, field_ in enumerate(mapping):
        if field_ not in ImportField.values:
            raise ImportMappingInvalid(
                _("“%(field)s” is not a field contacts can be imported into.") % {"field": field_},
                details={"column": position, "field": field_, "allowed": ImportField.values},
            )
        if field_ in seen and field_ not in IDENTIFIER_KINDS and field_ != ImportField.IGNORE:
            raise ImportMappingInvalid(
                _("Only one column can be imported as “%(field)s”.")
                % {"field": ImportField(field_).label},
                details={"column": position, "field": field_},
            )
        seen.add(field_)
    if not seen & set(IDENTIFIER_KINDS):
        raise ImportMappingInvalid(
            _(
                "Import at least one column as an identifier (email, phone, handle, customer "
                "number…): that is how the rows are recognised as persons."
            ),
            details={"reason": "no_identifier"},
        )


# Rows ----------------------------------------------------------------------------------


@dataclass
class PreparedRow:
    """A row as it will be imported: identifiers, profile, consent, or why it cannot be."""

    row: CsvRow
    identifiers: list[IdentifierIn] = field(default_factory=list)
    profile: Profile = field(default_factory=Profile)
    consent: str = ""
    shown: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _birth_date(value: str) -> dt.date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            date = dt.datetime.strptime(value, pattern).date()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
        if not dt.date(1900, 1, 1) <= date <= timezone.localdate():
            break
        return date
    raise ValueError(value)


def _consent(value: str) -> str:
    folded = fold(value)
    if folded in YES_WORDS:
        return ConsentState.GRANTED
    if folded in NO_WORDS:
        return ConsentState.DENIED
    raise ValueError(value)


def _prepare_value(prepared: PreparedRow, field_: str, value: str, *, source: str) -> Any:
    """The value to import for one cell, added to what the row shows; raises ValueError."""
    label = str(ImportField(field_).label)
    if field_ in IDENTIFIER_KINDS:
        kind = IDENTIFIER_KINDS[field_]
        try:
            normalized = normalize_identifier(kind, value, source=source)
        except DomainError as error:
            raise ValueError(error.message) from None
        prepared.identifiers.append(IdentifierIn(kind, value))
        prepared.shown.append((label, normalized.value))
        return None
    if field_ == ImportField.BIRTH_DATE:
        try:
            date = _birth_date(value)
        except ValueError:
            raise ValueError(
                _("“%(value)s” is not a birth date (YYYY-MM-DD or DD/MM/YYYY).") % {"value": value}
            ) from None
        prepared.shown.append((label, date.isoformat()))
        return date
    if field_ == ImportField.CONSENT_EMAIL_MARKETING:
        try:
            state = _consent(value)
        except ValueError:
            raise ValueError(
                _("“%(value)s” is not an answer to a consent (yes/no, oui/non, 1/0).")
                % {"value": value}
            ) from None
        prepared.shown.append((label, str(ConsentState(state).label)))
        return state
    if len(value) > MAX_LENGTHS[field_]:
        raise ValueError(
            _("%(field)s is longer than %(max)s characters.")
            % {"field": label, "max": MAX_LENGTHS[field_]}
        )
    prepared.shown.append((label, value))
    return value


def row_prepare(row: CsvRow, mapping: list[str], *, source: str) -> PreparedRow:
    prepared = PreparedRow(row)
    profile: dict[str, Any] = {}
    for position, field_ in enumerate(mapping):
        value = row.values[position].strip() if position < len(row.values) else ""
        if field_ == ImportField.IGNORE or not value:
            continue
        try:
            result = _prepare_value(prepared, field_, value, source=source)
        except ValueError as error:
            prepared.errors.append(str(error))
            continue
        if field_ == ImportField.CONSENT_EMAIL_MARKETING:
            prepared.consent = result
        elif field_ in PROFILE_FIELDS:
            profile[field_] = result
    extra = row.values[len(mapping) :]
    if any(value.strip() for value in extra):
        prepared.errors.append(
            _("This row has %(count)s values but the header names %(columns)s columns.")
            % {"count": len(row.values), "columns": len(mapping)}
        )
    if not prepared.identifiers and not prepared.errors:
        prepared.errors.append(
            _("No identifier in this row (email, phone…): a person cannot be recognised.")
        )
    prepared.profile = Profile(**profile)
    return prepared


def import_source(name: str) -> str:
    """``import:<name>``, the source recorded on identifiers, decisions and consents."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    cleaned = re.sub(r"[^a-z0-9_.-]+", "-", ascii_name).strip("-.")
    return f"import:{cleaned or 'csv'}"[:64]


def import_preview(
    table: CsvTable, mapping: list[str], *, source: str, limit: int = PREVIEW_ROWS
) -> list[PreparedRow]:
    """The first rows as they will be imported, each with what would refuse it."""
    return [row_prepare(row, mapping, source=source) for row in table.rows[:limit]]
