"""CSV downloads that spreadsheets open safely: UTF-8 with a BOM, and no cell that a
spreadsheet would run as a formula (CSV injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

# A cell starting with one of these is run as a formula by spreadsheet software, even
# behind spaces or an opening quote.
FORMULA_STARTS = frozenset({"=", "+", "-", "@", "\t", "\r"})


def inert(cell: str) -> str:
    stripped = cell.lstrip(" \"'«“‘")
    return "'" + cell if stripped[:1] in FORMULA_STARTS else cell


def csv_cell(value: object) -> str:
    """A figure as written (no figure: an empty cell, never a zero), text made inert.
    Numbers stay numbers: a negative delta is not a formula."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    return inert(str(value))


def csv_text(
    header: Sequence[object], rows: Iterable[Sequence[object]], *, delimiter: str = ","
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([csv_cell(str(name)) for name in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return "\ufeff" + out.getvalue()


def csv_download(
    filename: str, header: Sequence[object], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
