"""Periodic jobs: registered by contexts, enqueued by the worker when due.

Each job has a row in ``PeriodicJob``; a worker claims a due run with a conditional
UPDATE, so several workers never enqueue the same run twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from socius.core.models import PeriodicJob


@dataclass(frozen=True)
class PeriodicSpec:
    name: str
    every: timedelta
    task: Any  # a django_tasks Task


_REGISTRY: dict[str, PeriodicSpec] = {}


def register_periodic(*, name: str, every: timedelta, task: Any) -> None:
    if every < timedelta(seconds=10):
        raise ValueError("A periodic job runs at most every 10 seconds.")
    _REGISTRY[name] = PeriodicSpec(name=name, every=every, task=task)


def registered_periodic_jobs() -> list[PeriodicSpec]:
    return sorted(_REGISTRY.values(), key=lambda spec: spec.name)


def _claim(spec: PeriodicSpec, now: datetime) -> bool:
    try:
        with transaction.atomic():
            PeriodicJob.objects.get_or_create(name=spec.name, defaults={"next_run_at": now})
    except IntegrityError:  # another worker created it first
        pass
    claimed = PeriodicJob.objects.filter(name=spec.name, next_run_at__lte=now).update(
        next_run_at=now + spec.every, last_run_at=now
    )
    return claimed == 1


def periodic_enqueue_due(*, now: datetime | None = None) -> list[str]:
    """Enqueue every job whose time has come; returns the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for spec in registered_periodic_jobs():
        # Claim and enqueue commit together: a crash between them must not lose the run.
        with transaction.atomic():
            if _claim(spec, now):
                spec.task.enqueue()
                enqueued.append(spec.name)
    return enqueued
