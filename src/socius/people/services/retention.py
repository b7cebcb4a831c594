"""The retention policy: prospects are erased once their period is over (CNIL: 3 years)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from socius.core.errors import DomainError
from socius.core.services import ActivityDraft, activity_append
from socius.people.models import Person
from socius.people.selectors.privacy import retention_candidates, retention_period
from socius.people.services.privacy import person_erase


@dataclass
class RetentionReport:
    period_days: int | None
    dry_run: bool
    candidates: list[int] = field(default_factory=list)
    erased: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)


def _erase_if_still_due(person_id: int, now: dt.datetime, reason: str) -> str | None:
    """Erase one prospect; returns why it was skipped, if it was."""
    try:
        with transaction.atomic():
            # Re-checked under the row lock: a purchase or a contact since the selection wins.
            person = Person.objects.select_for_update().filter(pk=person_id).first()
            if person is None or not retention_candidates(now=now).filter(pk=person_id).exists():
                return "no_longer_due"
            person_erase(person=person, actor=None, reason=reason)
    except DomainError as error:
        return error.code
    return None


def retention_apply(
    *, now: dt.datetime | None = None, dry_run: bool = False, limit: int | None = None
) -> RetentionReport:
    """Erase every prospect whose retention period is over; ``dry_run`` only lists them.

    Each erasure commits alone, so a refusal or a crash leaves the others done; running
    it again continues where it stopped (idempotent).
    """
    now = now or timezone.now()
    period = retention_period()
    report = RetentionReport(period_days=period.days if period else None, dry_run=dry_run)
    if period is None:
        return report
    candidates = retention_candidates(now=now).values_list("pk", flat=True)
    report.candidates = list(candidates[:limit] if limit is not None else candidates)
    if dry_run:
        return report
    reason = f"Retention: a prospect without contact for {period.days} days"
    for person_id in report.candidates:
        skipped = _erase_if_still_due(person_id, now, reason)
        if skipped is None:
            report.erased.append(person_id)
        else:
            report.skipped[person_id] = skipped
    if report.erased:
        with transaction.atomic():
            activity_append(
                ActivityDraft(
                    verb="people.retention_applied",
                    summary=reason,
                    payload={"period_days": period.days, "erased": len(report.erased)},
                    occurred_at=now,
                )
            )
    return report
