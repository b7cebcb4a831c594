"""An erasure's part in imports: error reports repeat refused rows word for word."""

from __future__ import annotations

from socius.people.exporters import register_person_eraser
from socius.people.models import ImportRun, Person


def import_reports_erase(person: Person) -> int:
    """Drop the report lines that carry one of the person's identifiers.

    Runs before the erasure deletes the identifiers, so their values are still known.
    """
    values = {
        text.lower()
        for pair in person.identifiers.values_list("value", "raw_value")
        for text in pair
        if text
    }
    if not values:
        return 0
    changed = 0
    for run in ImportRun.objects.exclude(error_report="").only("pk", "error_report"):
        lines = run.error_report.splitlines(keepends=True)
        kept = [line for line in lines if not any(value in line.lower() for value in values)]
        if len(kept) != len(lines):
            ImportRun.objects.filter(pk=run.pk).update(error_report="".join(kept))
            changed += 1
    return changed


register_person_eraser("import_reports", import_reports_erase, covers=("people.ImportRun",))
