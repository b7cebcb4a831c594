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


@task()
def adoption_rollup_run() -> int:
    """Hourly: roll up the days of the Activity log not final yet (today, and yesterday
    again for entries written late); the first run rolls the whole history."""
    from socius.insights.adoption.rollup import rollup_pending

    return len(rollup_pending())


register_periodic(
    name="insights.adoption_rollup", every=timedelta(hours=1), task=adoption_rollup_run
)
