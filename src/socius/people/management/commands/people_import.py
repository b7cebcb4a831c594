"""``socius people import FILE --map column=field,... [--source NAME] [--dry-run]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from socius.core.errors import DomainError
from socius.people.services.imports import (
    ImportField,
    ImportSummary,
    csv_read,
    error_report,
    import_source,
    mapping_guess,
    people_import,
)

SHOWN_REFUSALS = 20


def _mapping(header: list[str], option: str) -> list[str]:
    """``column=field,...`` to a field per column; columns not named are ignored."""
    if not option:
        return mapping_guess(header)
    mapping = [ImportField.IGNORE.value] * len(header)
    for pair in option.split(","):
        column, separator, field = (part.strip() for part in pair.partition("="))
        if not separator or field not in ImportField.values:
            raise CommandError(
                f"--map takes column=field pairs; fields: {', '.join(ImportField.values)}."
            )
        positions = [position for position, name in enumerate(header) if name == column]
        if not positions:
            raise CommandError(f"No column {column!r}; the file has: {', '.join(header)}.")
        for position in positions:
            mapping[position] = field
    return mapping


class Command(BaseCommand):
    help = (
        "Import contacts from a CSV file: each row is resolved to a person (created, "
        "attached, merged or suggested) and written whole or not at all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--map",
            default="",
            help="column=field pairs separated by commas (default: guessed from the header).",
        )
        parser.add_argument("--source", default="", help="Recorded as import:<NAME>.")
        parser.add_argument("--dry-run", action="store_true", help="Import, then roll back.")
        parser.add_argument("--errors", type=Path, help="Write the refused rows to this CSV.")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            table = csv_read(file.read_bytes())
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        except DomainError as error:
            raise CommandError(error.message) from None
        mapping = _mapping(table.header, options["map"])
        self.stdout.write(
            "Mapping: "
            + ", ".join(
                f"{name}={field}" for name, field in zip(table.header, mapping, strict=True)
            )
        )
        try:
            summary = people_import(
                table=table,
                mapping=mapping,
                filename=file.name,
                source=import_source(options["source"] or file.name),
                dry_run=options["dry_run"],
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        self._report(summary, table_report=error_report(table, summary.refused), **options)

    def _report(self, summary: ImportSummary, *, table_report: str, **options: Any) -> None:
        for row, message in summary.refused[:SHOWN_REFUSALS]:
            self.stderr.write(f"line {row.line}: {message}")
        if len(summary.refused) > SHOWN_REFUSALS:
            self.stderr.write(f"... and {len(summary.refused) - SHOWN_REFUSALS} more refused rows.")
        if options["errors"] and summary.refused:
            options["errors"].write_text(table_report, encoding="utf-8")
        counts = summary.counts()
        self.stdout.write(
            ("Dry run, nothing written: " if options["dry_run"] else "Imported: ")
            + f"{counts['rows']} rows, {counts['created']} created, {counts['attached']} "
            f"attached, {counts['merged']} merged, {counts['suggested']} suggested, "
            f"{counts['refused']} refused, {counts['consents']} consents."
        )
