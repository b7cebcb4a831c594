"""Service levels: targets set when a case opens, met or missed as it is worked.

A case takes the policy of its department and priority, else the default policy of its
priority (no department), else none. Targets are counted on the business calendar
(``care.services.calendar``). ``next_due_at`` is the earliest target still running: the
inbox's "about to breach" view and the worker's warnings read it, nothing else.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from socius.care.models import Case, SlaPolicy
from socius.care.services.calendar import business_hours


def policy_for(case: Case) -> SlaPolicy | None:
    policies = SlaPolicy.objects.filter(
        Q(department_id=case.department_id) | Q(department__isnull=True), priority=case.priority
    )
    # The department's own policy wins over the default one.
    return min(policies, key=lambda p: p.department_id is None, default=None)


def sla_start(case: Case, since: dt.datetime) -> None:
    """Set the targets from ``since`` (the case's first message). Does not save."""
    policy = policy_for(case)
    case.sla_policy = policy
    if policy is None:
        case.first_response_due_at = case.resolution_due_at = None
    else:
        calendar = business_hours()
        if case.first_response_at is None:
            case.first_response_due_at = calendar.add(since, policy.first_response_minutes)
        case.resolution_due_at = calendar.add(since, policy.resolution_minutes)
    sla_refresh(case)


def sla_resolution_restart(case: Case, since: dt.datetime) -> None:
    """A reopened request gets a new resolution target from ``since``: the old one passed
    while it was resolved and must not count as missed. Does not save."""
    if case.sla_policy is not None:
        case.resolution_due_at = business_hours().add(since, case.sla_policy.resolution_minutes)


def sla_refresh(case: Case) -> None:
    """Recompute ``next_due_at`` after a change of status or a first response; a target
    changing restarts its warning. Does not save."""
    running = []
    if case.is_active:
        if case.first_response_at is None and case.first_response_due_at is not None:
            running.append(case.first_response_due_at)
        if case.resolution_due_at is not None:
            running.append(case.resolution_due_at)
    due = min(running, default=None)
    if due != case.next_due_at:
        case.next_due_at = due
        case.sla_warned_at = None
