"""CSV import of contacts: read, map columns, preview, then resolve each row to a person.

Each row goes through ``person_resolve`` like any other channel, so rows of one human (and
the persons already known) converge. A row is written entirely or not at all (its own
savepoint); refused rows are listed, with why, in an error report that repeats the
file's columns. The uploaded file waits between the mapping and the import steps under
``DATA_DIR/imports/<random uuid>.csv``, never under the name the user gave it.
"""

from socius.people.services.imports import erasure as _erasure  # noqa: F401 - registers
from socius.people.services.imports.fields import (
    INLINE_MAX_ROWS,
    MAX_BYTES,
    MAX_ROWS,
    PREVIEW_ROWS,
    ImportField,
    ImportFileRefused,
    ImportMappingInvalid,
    ImportUploadMissing,
)
from socius.people.services.imports.mapping import (
    PreparedRow,
    import_preview,
    import_source,
    mapping_check,
    mapping_guess,
    row_prepare,
)
from socius.people.services.imports.reading import (
    CsvRow,
    CsvTable,
    csv_read,
    import_upload_delete,
    import_upload_store,
    import_upload_table,
)
from socius.people.services.imports.running import (
    ImportSummary,
    error_report,
    import_run_execute,
    import_run_start,
    people_import,
)

__all__ = [
    "INLINE_MAX_ROWS",
    "MAX_BYTES",
    "MAX_ROWS",
    "PREVIEW_ROWS",
    "CsvRow",
    "CsvTable",
    "ImportField",
    "ImportFileRefused",
    "ImportMappingInvalid",
    "ImportSummary",
    "ImportUploadMissing",
    "PreparedRow",
    "csv_read",
    "error_report",
    "import_preview",
    "import_run_execute",
    "import_run_start",
    "import_source",
    "import_upload_delete",
    "import_upload_store",
    "import_upload_table",
    "mapping_check",
    "mapping_guess",
    "people_import",
    "row_prepare",
]
