"""Jobs of the people context, run by the worker."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from socius.core.periodic import register_periodic
from socius.people.services.retention import retention_apply


@task()
def people_retention_apply() -> int:
    """Erase the prospects whose retention period is over; returns how many."""
    return len(retention_apply().erased)


register_periodic(
    name="people.retention_apply", every=timedelta(days=1), task=people_retention_apply
)
