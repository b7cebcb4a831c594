"""Worker jobs of customer care: delivering replies, watching service levels."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from socius.care.channels.outbound import deliver, replies_sweep
from socius.care.services.sla_watch import sla_watch
from socius.core.periodic import register_periodic


@task()
def message_deliver(message_id: int) -> None:
    """Send one reply on its channel; a failure is recorded on the message, shown to the
    agent, and tried again by ``replies_sweep_run``."""
    deliver(message_id)


@task()
def sla_watch_run() -> dict[str, int]:
    """Every minute: warn of service levels about to be missed, record the ones missed."""
    return sla_watch()


register_periodic(name="care.sla_watch", every=timedelta(minutes=1), task=sla_watch_run)


@task()
def replies_sweep_run() -> int:
    """Every five minutes: send again the replies never taken, left by a dead worker, or
    refused by their channel (a few times, with growing pauses)."""
    return replies_sweep()


register_periodic(name="care.replies_sweep", every=timedelta(minutes=5), task=replies_sweep_run)
