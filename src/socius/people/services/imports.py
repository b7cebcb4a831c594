"""CSV import of contacts: read, map columns, preview, then resolve each row to a person.

Each row goes through ``person_resolve`` like any other channel, so rows of one human (and
the persons already known) converge. A row is written entirely or not at all (its own
savepoint); refused rows are listed, with why, in an error report that repeats the
file's columns. The uploaded file waits between the mapping and the import steps under
``DATA_DIR/imports/<random uuid>.csv``, never under the name the user gave it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import unicodedata
import uuid
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socius.core.errors import DomainError, InvalidInput, NotFound
from socius.core.services import ActivityDraft, ActivityObject, activity_append
from socius.core.verbs import register_verbs
from socius.people.models import (
    ConsentPurpose,
    ConsentState,
    IdentifierKind,
    ImportRun,
    Person,
)
from socius.people.names import fold
from socius.people.normalize import normalize_identifier
from socius.people.services.consent import consent_record, consent_states
from socius.people.services.resolve import person_resolve
from socius.people.services.types import IdentifierIn, Profile, ResolveContext

logger = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
PREVIEW_ROWS = 20
INLINE_MAX_ROWS = 2_000  # larger files are imported by the worker
ROWS_PER_TRANSACTION = 200  # each row still has its own savepoint inside
STALE_UPLOAD_AGE = dt.timedelta(days=1)
DELIMITERS = (",", ";", "\t")

register_verbs({"people.imported": gettext_lazy("Contacts imported")})


class ImportField(TextChoices):
    IGNORE = "ignore", gettext_lazy("Ignore this column")
    GIVEN_NAME = "given_name", gettext_lazy("Given name")
    FAMILY_NAME = "family_name", gettext_lazy("Family name")
    BIRTH_DATE = "birth_date", gettext_lazy("Birth date")
    ADDRESS = "address", gettext_lazy("Address")
    POSTCODE = "postcode", gettext_lazy("Postcode")
    CITY = "city", gettext_lazy("City")
    LOCALE = "locale", gettext_lazy("Language")
    EMAIL = "email", gettext_lazy("Email")
    PHONE = "phone", gettext_lazy("Phone")
    FACEBOOK = "facebook", gettext_lazy("Facebook")
    INSTAGRAM = "instagram", gettext_lazy("Instagram")
    X = "x", gettext_lazy("X (Twitter)")
    LINKEDIN = "linkedin", gettext_lazy("LinkedIn")
    WHATSAPP = "whatsapp", gettext_lazy("WhatsApp")
    CUSTOMER_NUMBER = "customer_number", gettext_lazy("Customer number")
    LOYALTY_CARD = "loyalty_card", gettext_lazy("Loyalty card")
    EXTERNAL_ID = "external_id", gettext_lazy("External id (in the source system)")
    CONSENT_EMAIL_MARKETING = "consent_email_marketing", gettext_lazy("Consent to email marketing")


PROFILE_FIELDS = (
    "given_name",
    "family_name",
    "birth_date",
    "address",
    "postcode",
    "city",
    "locale",
)
IDENTIFIER_KINDS = {
    "email": IdentifierKind.EMAIL,
    "phone": IdentifierKind.PHONE,
    "facebook": IdentifierKind.FACEBOOK,
    "instagram": IdentifierKind.INSTAGRAM,
    "x": IdentifierKind.X,
    "linkedin": IdentifierKind.LINKEDIN,
    "whatsapp": IdentifierKind.WHATSAPP,
    "customer_number": IdentifierKind.CUSTOMER_NUMBER,
    "loyalty_card": IdentifierKind.LOYALTY_CARD,
    "external_id": IdentifierKind.EXTERNAL,
}
# Header names as spreadsheets write them, folded (lower case, no accents, no punctuation).
_GUESSES = {
    "given_name": ["prenom", "prenoms", "first name", "firstname", "given name", "givenname",
                   "forename"],
    "family_name": ["nom", "nom de famille", "nom famille", "last name", "lastname", "surname",
                    "family name", "familyname"],
    "birth_date": ["date de naissance", "date naissance", "naissance", "ne le", "nee le",
                   "birth date", "birthdate", "date of birth", "dob", "birthday"],
    "address": ["adresse", "adresse postale", "rue", "street", "street address", "address"],
    "postcode": ["code postal", "cp", "postcode", "post code", "postal code", "zip", "zip code",
                 "zipcode"],
    "city": ["ville", "commune", "localite", "city", "town"],
    "locale": ["langue", "langue preferee", "language", "lang", "locale"],
    "email": ["email", "e mail", "mail", "courriel", "adresse email", "adresse e mail",
              "adresse mail", "adresse electronique", "email address", "e mail address"],
    "phone": ["telephone", "tel", "tel portable", "telephone portable", "telephone mobile",
              "portable", "mobile", "numero de telephone", "phone", "phone number",
              "mobile phone", "cell", "cellphone", "gsm"],
    "facebook": ["facebook", "fb"],
    "instagram": ["instagram", "insta"],
    "x": ["x", "twitter", "compte x"],
    "linkedin": ["linkedin"],
    "whatsapp": ["whatsapp"],
    "customer_number": ["numero client", "n client", "no client", "num client", "code client",
                        "ref client", "reference client", "customer number", "customer no",
                        "customer id", "client id", "id client"],
    "loyalty_card": ["carte fidelite", "carte de fidelite", "numero carte fidelite",
                     "n carte fidelite", "fidelite", "loyalty card", "loyalty number",
                     "loyalty card number"],
    "external_id": ["id", "identifiant", "identifiant externe", "external id"],
    "consent_email_marketing": ["consentement", "consentement email", "consentement marketing",
                                "consentement email marketing", "accepte les emails", "optin",
                                "opt in", "newsletter", "consent", "consent email marketing",
                                "email marketing"],
}  # fmt: skip
_YES = {"yes", "y", "oui", "o", "1", "true", "vrai"}
_NO = {"no", "n", "non", "0", "false", "faux"}
_MAX_LENGTHS: dict[str, int] = {
    f.name: f.max_length
    for f in Person._meta.concrete_fields
    if f.name in PROFILE_FIELDS and f.max_length is not None
}


class ImportFileRefused(InvalidInput):
    code = "import_file_refused"
    default_message = gettext_lazy("This file cannot be imported.")


class ImportMappingInvalid(InvalidInput):
    code = "import_mapping_invalid"
    default_message = gettext_lazy("This column mapping cannot be used.")


class ImportUploadMissing(NotFound):
    code = "import_upload_missing"
    default_message = gettext_lazy("This uploaded file is no longer available: upload it again.")


# Reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: list[str]


@dataclass(frozen=True)
class CsvTable:
    header: list[str]
    rows: list[CsvRow]
    delimiter: str


def _sniff_delimiter(text: str) -> str:
    """The delimiter giving the header several columns and most lines the same count.

    French spreadsheet software writes ';' because ',' is the decimal separator.
    """
    lines = text[: 64 * 1024].splitlines()[:50]
    if len(text) > 64 * 1024:
        lines = lines[:-1]  # possibly cut in the middle
    best, best_score = ",", (-1.0, 0)
    for delimiter in DELIMITERS:
        try:
            counts = [
                len(r) for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
            ]
        except csv.Error:
            continue
        counts = [count for count in counts if count]
        if not counts or counts[0] < 2:
            continue
        score = (sum(c == counts[0] for c in counts) / len(counts), counts[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def csv_read(data: bytes) -> CsvTable:
    """The header and rows of a CSV file (UTF-8, with or without BOM; ',', ';' or tab)."""
    if len(data) > MAX_BYTES:
        raise ImportFileRefused(
            _("The file is larger than %(max)s MB: split it into smaller files.")
            % {"max": MAX_BYTES // (1024 * 1024)},
            details={"field": "file", "reason": "too_large", "max_bytes": MAX_BYTES},
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileRefused(
            _("The file is not encoded in UTF-8: save it as “CSV UTF-8” and upload it again."),
            details={"field": "file", "reason": "encoding"},
        ) from None
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[CsvRow] = []
    try:
        header = next(reader, [])
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            if len(rows) == MAX_ROWS:
                raise ImportFileRefused(
                    _("The file has more than %(max)s rows: split it into smaller files.")
                    % {"max": f"{MAX_ROWS:,}".replace(",", " ")},
                    details={"field": "file", "reason": "too_many_rows", "max_rows": MAX_ROWS},
                )
            rows.append(CsvRow(reader.line_num, values))
    except csv.Error as error:
        raise ImportFileRefused(
            _("The file is not a valid CSV file (line %(line)s).") % {"line": reader.line_num},
            details={"field": "file", "reason": "malformed", "error": str(error)},
        ) from None
    header = [name.strip() for name in header]
    if not any(header):
        raise ImportFileRefused(
            _("The file is empty: its first line must name the columns."),
            details={"field": "file", "reason": "no_header"},
        )
    return CsvTable(header=header, rows=rows, delimiter=delimiter)


# Mapping -------------------------------------------------------------------------------


def _header_key(name: str) -> str:
    folded = fold(name.replace("_", " ").replace(".", " ").replace("-", " "))
    return re.sub(r"\s*\d+$", "", folded).strip()  # "Email 2" is an email too


_BY_NAME = {name: field_ for field_, names in _GUESSES.items() for name in names}


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
    if folded in _YES:
        return ConsentState.GRANTED
    if folded in _NO:
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
    if len(value) > _MAX_LENGTHS[field_]:
        raise ValueError(
            _("%(field)s is longer than %(max)s characters.")
            % {"field": label, "max": _MAX_LENGTHS[field_]}
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


# Importing -----------------------------------------------------------------------------


@dataclass
class ImportSummary:
    total: int
    processed: int = 0
    created: int = 0
    attached: int = 0
    merged: int = 0
    suggested: int = 0
    consents: int = 0
    refusals_kept: int = 0
    refused: list[tuple[CsvRow, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.total,
            "created": self.created,
            "attached": self.attached,
            "merged": self.merged,
            "suggested": self.suggested,
            "refused": len(self.refused),
            "consents": self.consents,
            "refusals_kept": self.refusals_kept,
        }


def _import_row(
    prepared: PreparedRow, summary: ImportSummary, *, source: str, label: str, actor_id: int | None
) -> None:
    resolution = person_resolve(
        identifiers=prepared.identifiers,
        profile=prepared.profile,
        context=ResolveContext(source=source, channel="import", actor_id=actor_id),
    )
    if prepared.consent:
        purpose = ConsentPurpose.EMAIL_MARKETING
        current = consent_states(person=resolution.person).get(purpose)
        # A contact file says nothing of when consent was given: it never overturns a
        # refusal the person expressed.
        if prepared.consent == ConsentState.GRANTED and current in {
            ConsentState.DENIED,
            ConsentState.WITHDRAWN,
        }:
            summary.refusals_kept += 1
        else:
            consent_record(
                person=resolution.person,
                purpose=purpose,
                state=prepared.consent,
                source=source,
                evidence=_("%(file)s, line %(line)s") % {"file": label, "line": prepared.row.line},
                actor_id=actor_id,
            )
            summary.consents += 1
    setattr(summary, resolution.outcome, getattr(summary, resolution.outcome) + 1)


def _rows_import(
    table: CsvTable,
    mapping: list[str],
    summary: ImportSummary,
    *,
    source: str,
    label: str,
    actor_id: int | None,
    on_progress: Callable[[ImportSummary], None] | None,
) -> None:
    for start in range(0, len(table.rows), ROWS_PER_TRANSACTION):
        with transaction.atomic():
            for row in table.rows[start : start + ROWS_PER_TRANSACTION]:
                summary.processed += 1
                prepared = row_prepare(row, mapping, source=source)
                if prepared.errors:
                    summary.refused.append((row, " ".join(prepared.errors)))
                    continue
                try:
                    with transaction.atomic():  # the row is written whole or not at all
                        _import_row(
                            prepared, summary, source=source, label=label, actor_id=actor_id
                        )
                except DomainError as error:
                    summary.refused.append((row, error.message))
                except DatabaseError:
                    logger.exception("Import row %s of %s failed", row.line, label)
                    summary.refused.append((row, _("This row could not be saved.")))
            if on_progress is not None:
                on_progress(summary)


def people_import(
    *,
    table: CsvTable,
    mapping: list[str],
    filename: str,
    source: str = "",
    actor_id: int | None = None,
    department_id: int | None = None,
    dry_run: bool = False,
    run: ImportRun | None = None,
    on_progress: Callable[[ImportSummary], None] | None = None,
) -> ImportSummary:
    """Import every row (each in its own savepoint) and append one "people.imported".

    A dry run does all of it and rolls everything back: the counts are the real ones.
    """
    mapping_check(mapping, table.header)
    source = source or import_source(filename)
    summary = ImportSummary(total=len(table.rows))
    with transaction.atomic() if dry_run else nullcontext():
        _rows_import(
            table,
            mapping,
            summary,
            source=source,
            label=filename,
            actor_id=actor_id,
            on_progress=on_progress,
        )
        with transaction.atomic():
            activity_append(
                ActivityDraft(
                    verb="people.imported",
                    actor_id=actor_id,
                    department_id=department_id,
                    about=ActivityObject.of(run) if run is not None else None,
                    channel="import",
                    summary=filename[:200],
                    payload={"file": filename[:200], "source": source, **summary.counts()},
                )
            )
        if dry_run:
            transaction.set_rollback(True)
    return summary


def error_report(table: CsvTable, refused: list[tuple[CsvRow, str]]) -> str:
    """The refused rows with the file's own columns and delimiter, plus an "error" column;
    with a BOM so that spreadsheet software reads it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=table.delimiter, lineterminator="\r\n")
    writer.writerow([*table.header, "error"])
    for row, message in refused:
        # The message quotes cell values: never let a spreadsheet run it as a formula.
        safe = "'" + message if message[:1] in {"=", "+", "-", "@", "\t", "\r"} else message
        writer.writerow([*row.values, safe])
    return "\ufeff" + out.getvalue()


# The uploaded file, between the mapping and the import ---------------------------------


def _uploads() -> Path:
    return Path(settings.DATA_DIR) / "imports"


def _upload_path(token: uuid.UUID) -> Path:
    # A UUID object renders as 36 hexadecimal digits and dashes: never a path traversal.
    return _uploads() / f"{uuid.UUID(str(token))}.csv"


def import_upload_store(*, data: bytes) -> tuple[uuid.UUID, CsvTable]:
    """Check the file, keep it under a random name, and return that name and its table."""
    table = csv_read(data)
    if not table.rows:
        raise ImportFileRefused(
            _("The file has a header but no rows to import."),
            details={"field": "file", "reason": "no_rows"},
        )
    directory = _uploads()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    _uploads_purge_stale(directory)
    token = uuid.uuid4()
    path = _upload_path(token)
    with path.open("xb") as stored:
        stored.write(data)
    path.chmod(0o600)
    return token, table


def import_upload_table(*, token: uuid.UUID) -> CsvTable:
    try:
        data = _upload_path(token).read_bytes()
    except FileNotFoundError:
        raise ImportUploadMissing(details={"upload": str(token)}) from None
    return csv_read(data)


def import_upload_delete(*, token: uuid.UUID) -> None:
    _upload_path(token).unlink(missing_ok=True)


def _uploads_purge_stale(directory: Path) -> None:
    """Files left by imports that were never started (the user walked away)."""
    waiting = {
        str(token)
        for token in ImportRun.objects.filter(
            status__in=[ImportRun.Status.QUEUED, ImportRun.Status.RUNNING], upload__isnull=False
        ).values_list("upload", flat=True)
    }
    cutoff = (timezone.now() - STALE_UPLOAD_AGE).timestamp()
    for path in directory.glob("*.csv"):
        if path.stem not in waiting and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


# Runs: an import started from the browser ----------------------------------------------


def import_run_start(
    *,
    token: uuid.UUID,
    filename: str,
    source_name: str,
    mapping: list[str],
    actor: Any,
) -> ImportRun:
    """Import inline up to ``INLINE_MAX_ROWS`` rows; otherwise queue it for the worker."""
    table = import_upload_table(token=token)
    mapping_check(mapping, table.header)
    run = ImportRun.objects.create(
        created_by=actor,
        filename=filename[:255],
        source=import_source(source_name or filename),
        upload=token,
        mapping=mapping,
        total_rows=len(table.rows),
    )
    if len(table.rows) <= INLINE_MAX_ROWS:
        return import_run_execute(run_id=run.pk)
    from socius.people.import_tasks import people_import_run

    transaction.on_commit(lambda: people_import_run.enqueue(run.pk))
    return run


def _progress(run: ImportRun, summary: ImportSummary) -> None:
    run.processed_rows = summary.processed
    run.created_count = summary.created
    run.attached_count = summary.attached
    run.merged_count = summary.merged
    run.suggested_count = summary.suggested
    run.refused_count = len(summary.refused)
    run.consents_count = summary.consents
    run.refusals_kept_count = summary.refusals_kept
    run.save(
        update_fields=[
            "processed_rows",
            "created_count",
            "attached_count",
            "merged_count",
            "suggested_count",
            "refused_count",
            "consents_count",
            "refusals_kept_count",
        ]
    )


def import_run_execute(*, run_id: int) -> ImportRun:
    """Run a queued import once (a second call finds it claimed and does nothing)."""
    claimed = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.QUEUED).update(
        status=ImportRun.Status.RUNNING, started_at=timezone.now()
    )
    run = ImportRun.objects.select_related("created_by").get(pk=run_id)
    if not claimed or run.upload is None:
        return run
    token = run.upload
    try:
        table = import_upload_table(token=token)
        actor = run.created_by
        summary = people_import(
            table=table,
            mapping=run.mapping,
            filename=run.filename,
            source=run.source,
            actor_id=actor.pk if actor else None,
            department_id=actor.department_id if actor else None,
            run=run,
            on_progress=lambda summary: _progress(run, summary),
        )
    except DomainError as error:
        run.status, run.failure = ImportRun.Status.FAILED, error.message[:300]
    except Exception:  # the worker must record the failure, whatever it is
        logger.exception("Import run %s failed", run.pk)
        run.status, run.failure = ImportRun.Status.FAILED, _("The import stopped unexpectedly.")
    else:
        _progress(run, summary)
        run.status = ImportRun.Status.DONE
        run.error_report = error_report(table, summary.refused) if summary.refused else ""
    import_upload_delete(token=token)
    run.upload = None
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "failure", "error_report", "upload", "finished_at"])
    return run
