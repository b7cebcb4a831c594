"""Worker jobs of the payment providers: delivering the sandbox's webhooks, the nightly
reconciliation with the providers' books, pruning the sandbox's old idempotency keys."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.utils import timezone
from django_tasks import task

from socius.commerce.models import SandboxCall
from socius.commerce.payments.reconcile import payments_reconcile_all
from socius.commerce.payments.sandbox_events import event_deliver
from socius.core.periodic import register_periodic

logger = logging.getLogger(__name__)

MAX_DELIVERY_ATTEMPTS = 8
FIRST_RETRY_AFTER = dt.timedelta(seconds=30)
LONGEST_RETRY_AFTER = dt.timedelta(hours=1)
# The providers' records of the last two days are compared every night: a payment changed
# late in the evening is still in the next night's window.
RECONCILE_WINDOW = dt.timedelta(hours=48)
# Stripe keeps idempotency keys at least 24 hours; the sandbox keeps them a week.
SANDBOX_KEYS_KEPT = dt.timedelta(days=7)


def retry_delay(attempt: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, ... after the ``attempt``-th failed delivery, at most an hour."""
    return min(FIRST_RETRY_AFTER * (1 << max(attempt - 1, 0)), LONGEST_RETRY_AFTER)


@task()
def sandbox_event_deliver(event: dict[str, Any], attempt: int = 1) -> bool:
    """POST one sandbox event to the webhook; on failure, enqueue the next try later."""
    if event_deliver(event):
        return True
    if attempt >= MAX_DELIVERY_ATTEMPTS:
        logger.error("Sandbox event %s given up after %s tries.", event.get("id"), attempt)
        return False
    if not sandbox_event_deliver.get_backend().supports_defer:  # the immediate backend
        logger.warning(
            "Sandbox event %s not retried: the task backend cannot defer.", event.get("id")
        )
        return False
    run_after = timezone.now() + retry_delay(attempt)
    sandbox_event_deliver.using(run_after=run_after).enqueue(event, attempt + 1)
    return False


@task()
def payments_reconcile_run() -> int:
    """Every night: compare the providers' payments of the last 48 hours with ours; returns
    how many mismatches were found (each kept in a Reconciliation and logged)."""
    reconciliations = payments_reconcile_all(since=timezone.now() - RECONCILE_WINDOW)
    return sum(len(reconciliation.mismatches) for reconciliation in reconciliations)


register_periodic(
    name="commerce.payments_reconcile", every=dt.timedelta(hours=24), task=payments_reconcile_run
)


@task()
def sandbox_keys_prune_run() -> int:
    """Every day: forget the sandbox's idempotency keys older than a week."""
    deleted, _ = SandboxCall.objects.filter(
        created_at__lt=timezone.now() - SANDBOX_KEYS_KEPT
    ).delete()
    return deleted


register_periodic(
    name="commerce.sandbox_keys_prune", every=dt.timedelta(days=1), task=sandbox_keys_prune_run
)
