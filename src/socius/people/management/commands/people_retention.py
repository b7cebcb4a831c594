from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from socius.people.services.retention import retention_apply


class Command(BaseCommand):
    help = (
        "Erase the prospects whose retention period is over (SOCIUS_RETENTION_PROSPECT_DAYS);"
        " the last line is a one-line summary."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List who would be erased; change nothing."
        )

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        report = retention_apply(dry_run=dry_run)
        if report.period_days is None:
            self.stdout.write("Retention: off (SOCIUS_RETENTION_PROSPECT_DAYS=0); nothing erased.")
            return
        ids = ", ".join(str(pk) for pk in report.candidates) or "none"
        self.stdout.write(f"Prospects past {report.period_days} days: {ids}")
        for person_id, code in sorted(report.skipped.items()):
            self.stdout.write(f"Skipped person {person_id}: {code}")
        if dry_run:
            summary = f"Retention (dry run): {len(report.candidates)} would be erased."
        else:
            summary = (
                f"Retention: {len(report.erased)} erased, {len(report.skipped)} skipped,"
                f" of {len(report.candidates)} due."
            )
        self.stdout.write(summary)
