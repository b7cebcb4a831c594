"""Worker jobs of group buying: deadlines, lapsed reservations, reminders, give-backs."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from socius.commerce.services.lifecycle import (
    deadlines_run,
    payments_sweep,
    reminders_send,
    reservations_expire,
)
from socius.core.periodic import register_periodic


@task()
def deadlines_run_task() -> dict[str, int]:
    """Every minute: settle the groups that tipped and whose time is up (or are full), fail
    the others, resume settlements a provider outage interrupted."""
    return deadlines_run()


register_periodic(name="commerce.deadlines", every=timedelta(minutes=1), task=deadlines_run_task)


@task()
def reservations_expire_task() -> int:
    """Every minute: seats held for someone who never paid return to sale."""
    return reservations_expire()


register_periodic(
    name="commerce.reservations", every=timedelta(minutes=1), task=reservations_expire_task
)


@task()
def reminders_send_task() -> int:
    """Every ten minutes: remind each group once, before its deadline."""
    return reminders_send()


register_periodic(name="commerce.reminders", every=timedelta(minutes=10), task=reminders_send_task)


@task()
def payments_sweep_task() -> int:
    """Every fifteen minutes: finish what a crash or a provider outage left half done
    (participants of ended groups, holds, charges and checkouts still open)."""
    return payments_sweep()


register_periodic(
    name="commerce.payments_sweep", every=timedelta(minutes=15), task=payments_sweep_task
)
