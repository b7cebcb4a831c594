"""The CSV limits bound the number of columns too, not only bytes and rows.

A header of commas costs one byte per column: a 0.5 MB file has 500 000 columns. The
mapping page builds one ChoiceField per column (about a minute of CPU for 500 000, and
about 1 kB of HTML each, i.e. hundreds of MB per render, again on every htmx change), and
``row_prepare`` walks the whole mapping for every row of the import.
"""

from __future__ import annotations

import pytest

from socius.core.errors import DomainError
from socius.people.services.imports import MAX_BYTES, csv_read

COLUMNS = 100_000


def test_it_refuses_a_file_with_an_absurd_number_of_columns() -> None:
    data = ("email" + "," * COLUMNS + "\nsomeone@example.org\n").encode()
    assert len(data) < MAX_BYTES  # within the documented size limit

    with pytest.raises(DomainError):
        csv_read(data)
