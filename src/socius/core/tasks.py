"""Housekeeping jobs of the kernel, run by the worker."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks import task

from socius.core.periodic import register_periodic


@task()
def sessions_purge_expired() -> int:
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@task()
def task_results_purge_finished() -> int:
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - timedelta(days=14)
    deleted, _ = DBTaskResult.objects.filter(finished_at__lt=cutoff).delete()
    return deleted


register_periodic(
    name="core.sessions_purge_expired", every=timedelta(hours=6), task=sessions_purge_expired
)
register_periodic(
    name="core.task_results_purge_finished",
    every=timedelta(days=1),
    task=task_results_purge_finished,
)
