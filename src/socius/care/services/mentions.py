"""Colleagues told about a case: mentioned in a note, given the case, or escalated to.

Notifications name the case (its subject and number), never the note's text beyond a short
summary, and reach only colleagues who may open the case.
"""

from __future__ import annotations

from django.urls import reverse

from socius.accounts.models import Department, User
from socius.accounts.roles import Capability, Role, roles_with
from socius.care.models import Case, Note
from socius.collab.models import Notification
from socius.collab.services.mentions import mention_handles, people_by_handle
from socius.collab.services.notifications import NotificationEvent, notify

Kind = Notification.Kind


def _case_path(case: Case) -> str:
    return reverse("care:case-detail", args=[case.pk])


def _viewers_among(user_ids: set[int]) -> set[int]:
    """Active colleagues who may open a case (see ``care.selectors.case_get``)."""
    return set(
        User.objects.filter(
            pk__in=user_ids, is_active=True, role__in=roles_with(Capability.VIEW_PEOPLE)
        ).values_list("pk", flat=True)
    )


def _event(kind: str, actor: User | None, case: Case, summary: str) -> NotificationEvent:
    return NotificationEvent(
        kind=kind,
        thread=f"case:{case.pk}",
        actor=actor,
        person_id=case.person_id,
        summary=summary[:200],
        link=_case_path(case),
    )


def note_mentions_notify(*, actor: User, case: Case, note: Note) -> set[int]:
    handles = mention_handles(note.body)
    if not handles:
        return set()
    people = people_by_handle(handles)
    user_ids = set(people.values())
    departments = [h for h in handles if h not in people]
    if departments:
        user_ids |= set(
            User.objects.filter(
                department__in=Department.objects.filter(slug__in=departments), is_active=True
            ).values_list("pk", flat=True)
        )
    recipients = _viewers_among(user_ids)
    notify(
        recipient_ids=recipients,
        event=_event(Kind.CASE_NOTE, actor, case, f"{case.reference} {note.body}"),
    )
    return recipients


def assignment_notify(*, actor: User | None, case: Case, assignee: User) -> None:
    notify(
        recipient_ids={assignee.pk},
        event=_event(Kind.CASE_ASSIGNED, actor, case, f"{case.reference} {case.subject}"),
    )


def escalation_notify(*, actor: User, case: Case, reason: str) -> None:
    """The department's managers and the assignee hear of it."""
    if case.department_id is None:
        managers: set[int] = set()
    else:
        managers = set(
            User.objects.filter(
                department_id=case.department_id,
                role__in=[Role.MANAGER, Role.ADMIN],
                is_active=True,
            ).values_list("pk", flat=True)
        )
    if case.assignee_id:
        managers.add(case.assignee_id)
    summary = f"{case.reference} {reason or case.subject}"
    notify(recipient_ids=managers, event=_event(Kind.CASE_ESCALATED, actor, case, summary))


def sla_warning_notify(*, case: Case) -> None:
    """The assignee, or the department's agents while nobody has the case."""
    if case.assignee_id:
        recipients = {case.assignee_id}
    elif case.department_id:
        recipients = set(
            User.objects.filter(
                department_id=case.department_id,
                role__in=roles_with(Capability.WORK_CASES),
                is_active=True,
            ).values_list("pk", flat=True)
        )
    else:
        return
    notify(
        recipient_ids=recipients,
        event=_event(Kind.SLA_WARNING, None, case, f"{case.reference} {case.subject}"),
    )
