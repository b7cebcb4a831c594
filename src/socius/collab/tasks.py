"""Jobs of the collaboration context, run by the worker."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from socius.core.periodic import register_periodic


@task()
def notification_emails_send_immediate(user_id: int) -> int:
    """Queued after the commit of an event the colleague wants by email at once."""
    from socius.accounts.models import User
    from socius.collab.notifications.delivery import Email, notification_emails_send

    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return 0
    return notification_emails_send(user=user, mode=Email.IMMEDIATE)


@task()
def notification_digest_hourly() -> int:
    from socius.collab.notifications.delivery import Email, notification_digest_run

    return notification_digest_run(mode=Email.HOURLY)


@task()
def notification_digest_daily() -> int:
    from socius.collab.notifications.delivery import Email, notification_digest_run

    return notification_digest_run(mode=Email.DAILY)


register_periodic(
    name="collab.notification_digest_hourly",
    every=timedelta(hours=1),
    task=notification_digest_hourly,
)
register_periodic(
    name="collab.notification_digest_daily",
    every=timedelta(days=1),
    task=notification_digest_daily,
)
