"""Worker jobs of insights."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from socius.core.periodic import register_periodic
from socius.insights.services import charter_reminders_send


@task()
def charter_reminders_run() -> int:
    """Daily: remind who has not acknowledged the binding charter (weekly per person)."""
    return charter_reminders_send()


register_periodic(
    name="insights.charter_reminders", every=timedelta(days=1), task=charter_reminders_run
)
