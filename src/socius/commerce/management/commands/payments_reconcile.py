"""``socius payments_reconcile [--provider NAME] [--hours N]``: compare the payment provider's
books with ours now, as the nightly job does; each mismatch is kept and printed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from socius.commerce.payments import PROVIDER_NAMES
from socius.commerce.payments.reconcile import payments_reconcile, payments_reconcile_all


class Command(BaseCommand):
    help = "Compare the payment provider's records with ours and report the mismatches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--provider", choices=PROVIDER_NAMES, help="default: every one used")
        parser.add_argument("--hours", type=int, default=48, help="how far back (default 48)")

    def handle(self, *args: Any, provider: str | None, hours: int, **options: Any) -> None:
        since = timezone.now() - dt.timedelta(hours=hours)
        if provider:
            reconciliations = [payments_reconcile(provider, since)]
        else:
            reconciliations = payments_reconcile_all(since=since)
        for reconciliation in reconciliations:
            for mismatch in reconciliation.mismatches:
                self.stdout.write(
                    f"{reconciliation.provider} {mismatch['ref']}: {mismatch['problem']} "
                    f"(ours {mismatch['ours']}, theirs {mismatch['theirs']})"
                )
            self.stdout.write(
                f"{reconciliation.provider}: {reconciliation.checked} checked, "
                f"{len(reconciliation.mismatches)} mismatches (reconciliation "
                f"{reconciliation.pk})."
            )
