"""``socius insights-rollup [--from DATE [--to DATE]]``: roll up the Activity log into the
adoption figures now, as the hourly job does; with ``--from``, redo those days (after
restoring a backup, say)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from socius.insights.adoption.rollup import rollup_day, rollup_pending


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from error


class Command(BaseCommand):
    help = "Roll up the Activity log into the daily adoption figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", type=_date, help="first day to redo")
        parser.add_argument("--to", dest="last", type=_date, help="last day (default today)")

    def handle(
        self, *args: Any, first: dt.date | None, last: dt.date | None, **options: Any
    ) -> None:
        started = time.perf_counter()
        if first is None:
            days = rollup_pending()
        else:
            last = last or timezone.localdate()
            if last < first:
                raise CommandError("--to is before --from.")
            days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
            for day in days:
                rollup_day(day)
        elapsed = time.perf_counter() - started
        span = f"{days[0]} to {days[-1]}" if days else "nothing to do"
        self.stdout.write(f"Rolled up {len(days)} day(s) ({span}) in {elapsed:.1f} s.")
