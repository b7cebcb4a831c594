"""``socius care_import_eml FILE_OR_DIR...``: bring saved mail (``.eml``) into customer care.

Idempotent: a mail already stored (same Message-ID, or the same bytes for a mail without
one) is reported "replayed" and changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from socius.care.channels.email_in import email_receive
from socius.core.errors import DomainError


def _files(paths: list[Path]) -> list[Path]:
    files = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.glob("*.eml") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise CommandError(f"No such file or folder: {path}")
    return files


class Command(BaseCommand):
    help = "Import .eml files (a folder: every *.eml in it) as customers' email."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_DIR")

    def handle(self, *args: Any, paths: list[Path], **options: Any) -> None:
        counts = {"stored": 0, "replayed": 0, "refused": 0}
        for file in _files(paths):
            try:
                receipt = email_receive(file.read_bytes())
            except (OSError, DomainError) as error:
                counts["refused"] += 1
                reason = getattr(error, "code", None) or getattr(error, "strerror", "")
                self.stdout.write(f"{file}: refused ({reason})")
                continue
            if receipt is None:
                counts["refused"] += 1
                self.stdout.write(f"{file}: refused (automatic mail or no valid sender)")
            elif receipt.created:
                counts["stored"] += 1
                self.stdout.write(f"{file}: case {receipt.case.pk}")
            else:
                counts["replayed"] += 1
                self.stdout.write(f"{file}: replayed (case {receipt.case.pk})")
        self.stdout.write(
            f"{counts['stored']} stored, {counts['replayed']} replayed, "
            f"{counts['refused']} refused."
        )
