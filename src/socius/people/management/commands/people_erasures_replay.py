from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from socius.people.services.privacy import erasures_replay


class Command(BaseCommand):
    help = (
        "After restoring a database backup, erase again every person listed in the erasure "
        "log (SOCIUS_ERASURE_LOG) whom the database does not show as erased. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would be erased; change nothing."
        )
        parser.add_argument("--log", type=Path, help="Another log file than SOCIUS_ERASURE_LOG.")

    def handle(self, *args: Any, dry_run: bool, log: Path | None, **options: Any) -> None:
        report = erasures_replay(dry_run=dry_run, path=log)
        for person_id, code in sorted(report.refused.items()):
            self.stdout.write(f"Refused for person {person_id}: {code}")
        verb = "would be erased again" if dry_run else "erased again"
        self.stdout.write(
            f"Erasure replay{' (dry run)' if dry_run else ''}: {len(report.applied)} {verb}"
            f" ({', '.join(map(str, report.applied)) or 'none'}),"
            f" {len(report.already_erased)} already erased, {len(report.unknown)} unknown,"
            f" {len(report.refused)} refused, {report.invalid_lines} unreadable lines."
        )
