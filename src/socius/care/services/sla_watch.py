"""Watching service levels: a warning before a target falls due, a breach once it has.

The worker runs ``sla_watch`` every minute. Each run reads at most ``BATCH`` cases through
the ``case_next_due`` index, and only those with something left to do: a case warned or
breached already is not read again until its targets change. Each case is written with a
compare-and-set UPDATE on the values read, so two workers (or an agent answering at the
same moment) never warn or record a breach twice.

- Warning: ``next_due_at`` (the earliest running target) is less than the policy's
  ``warn_before_minutes`` away and has not been warned of (``sla_refresh`` clears
  ``sla_warned_at`` when that target changes). The assignee is told, or the department's
  agents while nobody has the case.
- Breach: a running target is past. Each target (first response, resolution) is recorded
  once: ``sla_breached_at`` is when the last breach was recorded, so a target is recorded
  iff it fell due after that moment.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socius.care.models import ACTIVE_STATUSES, Case, SlaPolicy
from socius.care.services.common import case_activity
from socius.care.services.mentions import sla_warning_notify
from socius.core.verbs import register_verbs

register_verbs(
    {
        "care.sla_warning": _("Service level about to be missed"),
        "care.sla_breached": _("Service level missed"),
    }
)

BATCH = 500
FIRST_RESPONSE = "first_response"
RESOLUTION = "resolution"
# What a case warns with when its policy was deleted after its targets were set.
DEFAULT_WARN_MINUTES: int = SlaPolicy._meta.get_field("warn_before_minutes").default
# The columns a decision is taken on: the write happens only if none changed since read.
_DECIDED_ON = (
    "status",
    "next_due_at",
    "first_response_at",
    "first_response_due_at",
    "resolution_due_at",
    "sla_warned_at",
    "sla_breached_at",
)


def _minutes(n: int) -> dt.timedelta:
    return dt.timedelta(minutes=n)


def _warning_due(now: dt.datetime, windows: set[int]) -> Q:
    """Targets within their policy's warning window: one condition per distinct window
    (a handful), so the database filters exactly and the batch holds only real work."""
    within = Q(sla_policy__isnull=True, next_due_at__lte=now + _minutes(DEFAULT_WARN_MINUTES))
    for window in windows:
        within |= Q(sla_policy__warn_before_minutes=window, next_due_at__lte=now + _minutes(window))
    return Q(next_due_at__gt=now, sla_warned_at__isnull=True) & within


def _unrecorded(due_field: str) -> Q:
    return Q(sla_breached_at__isnull=True) | Q(sla_breached_at__lt=F(due_field))


def _breach_due(now: dt.datetime) -> Q:
    first_response = Q(first_response_at__isnull=True, first_response_due_at__lte=now)
    resolution = Q(resolution_due_at__lte=now)
    return Q(next_due_at__lte=now) & (
        (first_response & _unrecorded("first_response_due_at"))
        | (resolution & _unrecorded("resolution_due_at"))
    )


def _candidates(now: dt.datetime) -> list[Case]:
    windows = set(SlaPolicy.objects.values_list("warn_before_minutes", flat=True).distinct())
    horizon = now + _minutes(max(windows | {DEFAULT_WARN_MINUTES}))
    return list(
        Case.objects.filter(
            Q(next_due_at__isnull=False, next_due_at__lte=horizon, status__in=ACTIVE_STATUSES)
            & (_warning_due(now, windows) | _breach_due(now))
        ).order_by("next_due_at", "id")[:BATCH]
    )


def _as_read(case: Case) -> Q:
    condition = Q(pk=case.pk)
    for name in _DECIDED_ON:
        value = getattr(case, name)
        condition &= Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})
    return condition


def _warned_target(case: Case) -> str:
    if case.first_response_at is None and case.first_response_due_at == case.next_due_at:
        return FIRST_RESPONSE
    return RESOLUTION


def _breached_targets(case: Case, now: dt.datetime) -> list[tuple[str, dt.datetime]]:
    running = [(RESOLUTION, case.resolution_due_at)]
    if case.first_response_at is None:
        running.insert(0, (FIRST_RESPONSE, case.first_response_due_at))
    return [
        (target, due)
        for target, due in running
        if due is not None
        and due <= now
        and (case.sla_breached_at is None or case.sla_breached_at < due)
    ]


def _warn(case: Case, now: dt.datetime, due: dt.datetime) -> bool:
    with transaction.atomic():
        if not Case.objects.filter(_as_read(case)).update(sla_warned_at=now):
            return False  # changed since read: answered, resolved, or warned by another run
        case.sla_warned_at = now
        payload = {"target": _warned_target(case), "due_at": due.isoformat()}
        case_activity(case, "care.sla_warning", summary=case.subject, payload=payload)
        sla_warning_notify(case=case)
    return True


def _breach(case: Case, now: dt.datetime) -> int:
    targets = _breached_targets(case, now)
    if not targets:
        return 0
    with transaction.atomic():
        if not Case.objects.filter(_as_read(case)).update(sla_breached_at=now):
            return 0
        case.sla_breached_at = now
        for target, due in targets:
            case_activity(
                case,
                "care.sla_breached",
                summary=case.subject,
                payload={"target": target, "due_at": due.isoformat()},
            )
    return len(targets)


def sla_watch(now: dt.datetime | None = None) -> dict[str, int]:
    """One run: warn of targets about to fall due, record the ones missed. Returns the
    number of warnings and of breaches recorded."""
    now = now or timezone.now()
    warned = breached = 0
    for case in _candidates(now):
        due = case.next_due_at
        if due is not None and due > now:
            warned += _warn(case, now, due)
        else:
            breached += _breach(case, now)
    return {"warned": warned, "breached": breached}
