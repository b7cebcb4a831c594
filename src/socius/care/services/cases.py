"""Working a case: status, assignee, department, priority, tags, links, escalation, merge."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import Department, User
from socius.accounts.roles import Capability
from socius.care.models import (
    PRIORITY_RANK,
    Case,
    CaseLink,
    Message,
    Note,
    Priority,
    Status,
    Tag,
)
from socius.care.services.common import (
    CaseMerged,
    case_activity,
    ensure_agent,
    intake_key_free,
    nudge,
)
from socius.care.services.routing import apply_tags
from socius.care.services.sla import sla_refresh, sla_resolution_restart, sla_start
from socius.core.errors import InvalidInput
from socius.core.verbs import register_verbs

register_verbs(
    {
        "care.status_changed": _("Request status changed"),
        "care.case_resolved": _("Request resolved"),
        "care.case_closed": _("Request closed"),
        "care.case_assigned": _("Request assigned"),
        "care.department_changed": _("Request moved to another department"),
        "care.priority_changed": _("Request priority changed"),
        "care.tags_changed": _("Request tags changed"),
        "care.case_escalated": _("Request escalated"),
        "care.case_merged": _("Requests merged"),
        "care.case_linked": _("Request linked to an order"),
    }
)

MAX_TAGS = 20


class NotAssignable(InvalidInput):
    code = "not_assignable"
    default_message = _("Only an active customer-care agent can take this request.")


def _locked(case: Case) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.merged_into_id is not None:
        raise CaseMerged(details={"case": case.merged_into_id})
    return case


@transaction.atomic
def case_status_set(*, actor: User, case: Case, status: str) -> Case:
    ensure_agent(actor)
    if status not in Status.values or status == Status.NEW:
        raise InvalidInput(details={"field": "status", "allowed": Status.values[1:]})
    case = _locked(case)
    if case.status == status:
        return case
    before, now = case.status, timezone.now()
    case.status, case.updated_at = status, now
    if status == Status.RESOLVED:
        case.resolved_at = now
    if status == Status.CLOSED:
        case.closed_at = now
        case.resolved_at = case.resolved_at or now
    if status in (Status.RESOLVED, Status.CLOSED):
        case.intake_key = None  # the next message naming no case opens or reopens one
    else:
        if before in (Status.RESOLVED, Status.CLOSED):
            sla_resolution_restart(case, now)  # the old target passed while it was resolved
        case.resolved_at = case.closed_at = None
        if case.intake_key is None:
            case.intake_key = intake_key_free(case.person_id)
    sla_refresh(case)
    case.save()
    verbs: dict[str, str] = {
        Status.RESOLVED: "care.case_resolved",
        Status.CLOSED: "care.case_closed",
    }
    verb = verbs.get(status, "care.status_changed")
    payload: dict[str, object] = {"from": before, "to": status}
    if status == Status.RESOLVED:
        payload["within_target"] = case.resolution_due_at is None or now <= case.resolution_due_at
        payload["seconds"] = int((now - case.created_at).total_seconds())
    # Internal: whether a target was met is the team's business, not the customer's.
    case_activity(case, verb, actor=actor, summary=case.subject, payload=payload)
    if status == Status.RESOLVED:
        from socius.care.services.satisfaction import survey_send

        survey_send(case=case)
    nudge(case)
    return case


@transaction.atomic
def case_assign(*, actor: User, case: Case, assignee: User | None) -> Case:
    ensure_agent(actor)
    if assignee is not None and not (assignee.is_active and assignee.can(Capability.WORK_CASES)):
        raise NotAssignable(details={"assignee": assignee.pk})
    case = _locked(case)
    before = case.assignee_id
    if before == (assignee.pk if assignee else None):
        return case
    case.assignee, case.updated_at = assignee, timezone.now()
    case.save(update_fields=["assignee", "updated_at"])
    case_activity(
        case,
        "care.case_assigned",
        actor=actor,
        summary=case.subject,
        payload={"from": before, "to": case.assignee_id},
    )
    if assignee is not None and assignee.pk != actor.pk:
        from socius.care.services.mentions import assignment_notify

        assignment_notify(actor=actor, case=case, assignee=assignee)
    nudge(case, before)
    return case


@transaction.atomic
def case_department_set(*, actor: User, case: Case, department: Department | None) -> Case:
    """Move the case; its assignee stays only if they work in the new department, and its
    service levels become the new department's (counted from the case's opening)."""
    ensure_agent(actor)
    case = _locked(case)
    before = case.department_id
    if before == (department.pk if department else None):
        return case
    case.department, case.updated_at = department, timezone.now()
    previous_assignee = case.assignee_id
    if case.assignee is not None and case.assignee.department_id != case.department_id:
        case.assignee = None
    sla_start(case, case.created_at)
    case.save()
    case_activity(
        case,
        "care.department_changed",
        actor=actor,
        summary=case.subject,
        payload={"from": before, "to": case.department_id},
    )
    nudge(case, previous_assignee)
    return case


@transaction.atomic
def case_priority_set(*, actor: User, case: Case, priority: str) -> Case:
    ensure_agent(actor)
    if priority not in Priority.values:
        raise InvalidInput(details={"field": "priority", "allowed": Priority.values})
    case = _locked(case)
    before = case.priority
    if before == priority:
        return case
    case.priority, case.updated_at = priority, timezone.now()
    sla_start(case, case.created_at)
    case.save()
    case_activity(
        case,
        "care.priority_changed",
        actor=actor,
        summary=case.subject,
        payload={"from": before, "to": priority},
    )
    nudge(case)
    return case


@transaction.atomic
def case_escalate(
    *, actor: User, case: Case, department: Department | None = None, reason: str = ""
) -> Case:
    """One priority level up (urgent stays urgent) and, if given, to another department;
    the department's managers are told."""
    ensure_agent(actor)
    ranked = sorted(PRIORITY_RANK, key=PRIORITY_RANK.__getitem__)
    higher = ranked[min(PRIORITY_RANK[Priority(case.priority)] + 1, len(ranked) - 1)]
    case = case_priority_set(actor=actor, case=case, priority=higher)
    if department is not None:
        case = case_department_set(actor=actor, case=case, department=department)
    case_activity(
        case,
        "care.case_escalated",
        actor=actor,
        summary=reason or case.subject,
        payload={"priority": case.priority, "department": case.department_id},
    )
    from socius.care.services.mentions import escalation_notify

    escalation_notify(actor=actor, case=case, reason=reason)
    return case


def _clean_tags(names: list[str]) -> list[str]:
    cleaned = sorted({" ".join(n.split())[:40].lower() for n in names if n and n.strip()})
    if len(cleaned) > MAX_TAGS:
        raise InvalidInput(details={"field": "tags", "max_items": MAX_TAGS})
    return cleaned


@transaction.atomic
def case_tags_set(*, actor: User, case: Case, names: list[str]) -> list[str]:
    ensure_agent(actor)
    case = _locked(case)
    wanted = _clean_tags(names)
    before = sorted(case.tags.values_list("name", flat=True))
    if before == wanted:
        return wanted
    case.tags.remove(*Tag.objects.filter(cases=case).exclude(name__in=wanted))
    apply_tags(case, wanted)
    case_activity(
        case,
        "care.tags_changed",
        actor=actor,
        summary=", ".join(wanted),
        payload={"from": before, "to": wanted},
    )
    nudge(case)
    return wanted


@transaction.atomic
def case_link_add(*, actor: User, case: Case, kind: str, reference: str) -> CaseLink:
    ensure_agent(actor)
    reference = reference.strip()
    if kind not in CaseLink.Kind.values:
        raise InvalidInput(details={"field": "kind", "allowed": CaseLink.Kind.values})
    if not reference or len(reference) > 100:
        raise InvalidInput(details={"field": "reference", "min_length": 1, "max_length": 100})
    case = _locked(case)
    link, created = CaseLink.objects.get_or_create(case=case, kind=kind, reference=reference)
    if created:
        case_activity(
            case,
            "care.case_linked",
            actor=actor,
            summary=f"{kind} {reference}",
            payload={"kind": kind, "reference": reference},
        )
    return link


def _take_over(
    survivor: Case,
    absorbed_was_active: bool,
    inherited_key: str | None,
    awaiting_since: dt.datetime | None,
    now: dt.datetime,
) -> None:
    """The survivor carries on what the absorbed request still needed: an unanswered
    message keeps it in the inbox, an active request reopens a resolved survivor, and the
    person's intake key stays on an active request."""
    if absorbed_was_active and not survivor.is_active:
        survivor.status, survivor.resolved_at, survivor.closed_at = Status.OPEN, None, None
        survivor.reopen_count += 1
        sla_resolution_restart(survivor, now)
    survivor.awaiting_since = awaiting_since
    if survivor.is_active and survivor.intake_key is None:
        survivor.intake_key = inherited_key or intake_key_free(survivor.person_id)
    sla_refresh(survivor)
    survivor.save()


@transaction.atomic
def case_merge(*, actor: User, survivor: Case, absorbed: Case) -> Case:
    """Move the absorbed case's messages, notes and links to the survivor, then close it,
    pointing to the survivor (its page and API answer with the survivor's id)."""
    ensure_agent(actor)
    if survivor.pk == absorbed.pk:
        raise InvalidInput(
            _("A request cannot be merged into itself."), details={"field": "absorbed"}
        )
    first, second = sorted([survivor.pk, absorbed.pk])  # lock in id order: no deadlock
    locked = {c.pk: c for c in Case.objects.select_for_update().filter(pk__in=[first, second])}
    survivor, absorbed = locked[survivor.pk], locked[absorbed.pk]
    if survivor.merged_into_id or absorbed.merged_into_id:
        raise CaseMerged(details={"case": (survivor.merged_into_id or absorbed.merged_into_id)})
    if survivor.person_id != absorbed.person_id:
        raise InvalidInput(
            _("Only requests of the same person can be merged."), details={"field": "absorbed"}
        )
    moved = Message.objects.filter(case=absorbed).update(case=survivor)
    notes = Note.objects.filter(case=absorbed).update(case=survivor)
    for link in CaseLink.objects.filter(case=absorbed):
        CaseLink.objects.get_or_create(case=survivor, kind=link.kind, reference=link.reference)
    survivor.tags.add(*absorbed.tags.all())
    now = timezone.now()
    Case.objects.filter(pk=survivor.pk).update(
        message_count=F("message_count") + moved,
        note_count=F("note_count") + notes,
        last_message_at=max(survivor.last_message_at, absorbed.last_message_at),
        updated_at=now,
    )
    was_active, inherited_key = absorbed.is_active, absorbed.intake_key
    awaiting = [t for t in (survivor.awaiting_since, absorbed.awaiting_since) if t is not None]
    absorbed.merged_into, absorbed.status, absorbed.intake_key = survivor, Status.CLOSED, None
    absorbed.closed_at = absorbed.updated_at = now
    absorbed.message_count = absorbed.note_count = 0
    sla_refresh(absorbed)
    absorbed.save()  # frees the intake key first: it is unique
    survivor.refresh_from_db()
    _take_over(survivor, was_active, inherited_key, min(awaiting, default=None), now)
    case_activity(
        survivor,
        "care.case_merged",
        actor=actor,
        summary=survivor.subject,
        payload={"absorbed": absorbed.pk, "messages": moved, "notes": notes},
    )
    nudge(survivor)
    nudge(absorbed)
    return survivor
