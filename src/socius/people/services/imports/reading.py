"""Reading uploaded CSV files, and keeping them between the mapping and the import."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from socius.people.models import (
    ImportRun,
)

# Reading -------------------------------------------------------------------------------
from socius.people.services.imports.fields import (
    DELIMITERS,
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    STALE_UPLOAD_AGE,
    ImportFileRefused,
    ImportUploadMissing,
)


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
    if len(header) > MAX_COLUMNS:
        raise ImportFileRefused(
            _("The file has more than %(max)s columns.") % {"max": MAX_COLUMNS},
            details={"field": "file", "reason": "too_many_columns", "max_columns": MAX_COLUMNS},
        )
    if not any(header):
        raise ImportFileRefused(
            _("The file is empty: its first line must name the columns."),
            details={"field": "file", "reason": "no_header"},
        )
    return CsvTable(header=header, rows=rows, delimiter=delimiter)


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
