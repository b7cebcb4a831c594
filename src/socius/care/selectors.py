"""Reads of customer care, each checking who asks.

Employees who may see people (every role by default) may open a case and write notes on
it: that is how an agent asks a colleague from sales. Working it (replying, assigning,
changing its status) is for agents (``care.services.common.ensure_agent``). Customers reach
their own cases through the portal selectors below, which read messages only, never notes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import chain
from typing import Literal

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from socius.accounts.models import User
from socius.accounts.roles import Capability
from socius.care.models import Case, Message, MessageAttachment, Note, active_cases
from socius.core.errors import NotFound
from socius.core.pagination import Page, keyset_page
from socius.people.models import Person

View = Literal["mine", "department", "unassigned", "breaching", "all"]
VIEWS: tuple[View, ...] = ("mine", "department", "unassigned", "breaching", "all")
BREACH_HORIZON = dt.timedelta(hours=2)


def may_view_cases(user: User) -> bool:
    return user.can(Capability.VIEW_PEOPLE)


def may_work_cases(user: User) -> bool:
    return user.can(Capability.WORK_CASES)


def _cases() -> QuerySet[Case]:
    return Case.objects.select_related("person", "assignee", "department").prefetch_related("tags")


def case_get(*, user: User, case_id: int) -> Case:
    """The case, for an employee who may see it; "not found" for anyone else."""
    if not may_view_cases(user):
        raise NotFound()
    case = _cases().filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    return case


def inbox_page(*, user: User, view: View, cursor: str | None = None, size: int = 50) -> Page[Case]:
    """One page of a view of the inbox: a fixed number of queries, each on an index."""
    if not may_view_cases(user):
        raise NotFound()
    # A merged case is closed: "active" excludes it, and the condition is the partial
    # indexes' own (``Case.Meta.indexes``).
    active = _cases().filter(active_cases())
    ordering: tuple[str, ...] = ("-last_message_at", "-id")
    if view == "mine":
        cases = active.filter(assignee=user)
    elif view == "department":
        cases = (
            active.filter(department_id=user.department_id) if user.department_id else active.none()
        )
    elif view == "unassigned":
        cases = active.filter(assignee__isnull=True)
    elif view == "breaching":
        horizon = timezone.now() + BREACH_HORIZON
        cases = active.filter(next_due_at__isnull=False, next_due_at__lte=horizon)
        ordering = ("next_due_at", "id")
    else:
        cases = active
    return keyset_page(cases, ordering=ordering, cursor=cursor, size=size)


def inbox_counts(*, user: User) -> dict[str, int]:
    """How many cases each view holds, in one query."""
    from django.db.models import Count

    horizon = timezone.now() + BREACH_HORIZON
    return Case.objects.filter(active_cases()).aggregate(
        mine=Count("pk", filter=Q(assignee=user)),
        department=Count(
            "pk", filter=Q(department_id=user.department_id, department__isnull=False)
        ),
        unassigned=Count("pk", filter=Q(assignee__isnull=True)),
        breaching=Count("pk", filter=Q(next_due_at__lte=horizon)),
        all=Count("pk"),
    )


@dataclass(frozen=True)
class Entry:
    """A message or a note, in the order they were written."""

    kind: Literal["message", "note"]
    item: Message | Note

    @property
    def created_at(self) -> dt.datetime:
        return self.item.created_at


def case_conversation(*, case: Case) -> list[Entry]:
    """Messages and notes of the case for colleagues: two queries (three with files)."""
    messages = (
        Message.objects.filter(case=case)
        .select_related("author")
        .prefetch_related(
            Prefetch("attachments", queryset=MessageAttachment.objects.order_by("id"))
        )
    )
    notes = Note.objects.filter(case=case).select_related("author")
    entries = chain((Entry("message", m) for m in messages), (Entry("note", n) for n in notes))
    return sorted(entries, key=lambda e: (e.created_at, e.kind == "note", e.item.pk))


def person_cases(*, person: Person, limit: int = 10) -> list[Case]:
    return list(
        Case.objects.filter(person=person, merged_into__isnull=True)
        .select_related("assignee", "department")
        .order_by("-last_message_at")[:limit]
    )


def attachment_get_for_employee(*, user: User, attachment_id: int) -> MessageAttachment:
    if not may_view_cases(user):
        raise NotFound()
    attachment = MessageAttachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound()
    return attachment


# The customer's side: their own cases and the messages on them, never a note.


def customer_cases(*, person: Person) -> list[Case]:
    return list(
        Case.objects.filter(person=person, merged_into__isnull=True).order_by("-last_message_at")
    )


def customer_case_get(*, person: Person, case_id: int) -> Case:
    """The customer's own case; another customer's id answers "not found"."""
    case = Case.objects.filter(pk=case_id, person=person).first()
    while case is not None and case.merged_into_id is not None:
        case = case.merged_into
    if case is None:
        raise NotFound()
    return case


def customer_messages(*, case: Case) -> list[Message]:
    return list(
        Message.objects.filter(case=case)
        .select_related("author")
        .prefetch_related(
            Prefetch("attachments", queryset=MessageAttachment.objects.order_by("id"))
        )
    )


def customer_attachment_get(*, person: Person, attachment_id: int) -> MessageAttachment:
    attachment = (
        MessageAttachment.objects.filter(pk=attachment_id, message__case__person=person)
        .select_related("message")
        .first()
    )
    if attachment is None:
        raise NotFound()
    return attachment
