from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from socius.accounts.throttle import failures_purge_old
from socius.core.periodic import register_periodic


@task()
def login_failures_purge() -> int:
    return failures_purge_old()


register_periodic(
    name="accounts.login_failures_purge", every=timedelta(hours=1), task=login_failures_purge
)
