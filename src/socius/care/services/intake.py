"""A customer's message, from any channel, lands on the right case exactly once.

Every channel (portal, email, Messenger, API) hands an ``Inbound`` to ``message_receive``:

1. the same message again (the channel's id for it) returns what the first delivery made;
2. the sender is resolved by the person hub (``people.person_resolve``): no channel keeps
   customers of its own;
3. the case is the one the message names (a portal reply, an email's In-Reply-To or
   References naming one of our messages) unless it is closed or was resolved longer than
   ``CARE_REOPEN_DAYS`` ago, else the person's intake case while it is active, else their
   case resolved within ``CARE_REOPEN_DAYS`` (reopened), else a new case (a follow-up of
   the closed one, if any) routed, given its service levels and assigned;
4. the message, the case's counters and the timeline entries are written in one
   transaction; open inboxes and the case page are nudged after the commit.

Concurrent deliveries are safe on both databases: the message's (channel, id) and the
case's ``intake_key`` are unique, and a delivery that loses the race reads the winner's rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socius.care.models import Case, Message, Priority, Status
from socius.care.services.attachments import attachments_store
from socius.care.services.common import (
    case_activity,
    clean_body,
    intake_key_free,
    intake_key_of,
    nudge,
)
from socius.care.services.routing import apply_tags, next_agent, route
from socius.care.services.sla import sla_refresh, sla_resolution_restart, sla_start
from socius.collab.services.attachments import CheckedFile
from socius.core.errors import InvalidInput
from socius.core.verbs import register_verbs
from socius.people.models import Person
from socius.people.services.contact import person_contacted
from socius.people.services.resolve import live_person, person_resolve
from socius.people.services.types import IdentifierIn, Profile, ResolveContext

register_verbs(
    {
        "care.case_opened": _("Request opened"),
        "care.case_reopened": _("Request reopened"),
        "care.case_routed": _("Request routed"),
        "care.message_received": _("Message received"),
    }
)

MAX_SUBJECT = 200


@dataclass(frozen=True)
class Inbound:
    channel: str
    body: str
    identifiers: tuple[IdentifierIn, ...] = ()
    profile: Profile = field(default_factory=Profile)
    person: Person | None = None  # known already (the portal's signed-in customer)
    subject: str = ""
    address: str = ""  # where replies go on this channel (see ``Message.address``)
    external_id: str = ""
    email_message_id: str = ""
    # Message-IDs the email answers (In-Reply-To first, then References).
    thread_ids: tuple[str, ...] = ()
    case: Case | None = None  # the case the customer answers on (portal)
    new_case: bool = False  # the customer asked for a new request (portal)
    attachments: tuple[CheckedFile, ...] = ()  # checked by the channel (``files_check``)
    received_at: dt.datetime | None = None


@dataclass(frozen=True)
class Receipt:
    case: Case
    message: Message
    created: bool  # False: this delivery was a replay of a message already stored

    @property
    def person_id(self) -> int:
        return self.message.person_id or self.case.person_id


def _replay(channel: str, external_id: str) -> Receipt | None:
    if not external_id:
        return None
    message = (
        Message.objects.select_related("case")
        .filter(channel=channel, external_id=external_id)
        .first()
    )
    return None if message is None else Receipt(message.case, message, created=False)


def message_receive(inbound: Inbound) -> Receipt:
    """Store a customer's message once (see the module's docstring)."""
    body = clean_body(inbound.body)
    if len(inbound.external_id) > 300:
        raise InvalidInput(details={"field": "external_id", "max_length": 300})
    replay = _replay(inbound.channel, inbound.external_id)
    if replay is not None:
        return replay
    for attempt in range(3):
        try:
            with transaction.atomic():
                receipt = _receive(inbound, body)
            break
        except IntegrityError:
            # Another delivery stored this message, or opened the intake case, first.
            replay = _replay(inbound.channel, inbound.external_id)
            if replay is not None:
                return replay
            if attempt == 2:
                raise
    return receipt


def _sender(inbound: Inbound) -> Person:
    if inbound.person is not None:
        return live_person(inbound.person)
    if not inbound.identifiers:
        raise InvalidInput(
            _("Who wrote this message? Give at least one identifier."),
            details={"field": "identifiers"},
        )
    resolution = person_resolve(
        identifiers=list(inbound.identifiers),
        profile=inbound.profile,
        context=ResolveContext(source=f"care.{inbound.channel}", channel=inbound.channel),
    )
    return resolution.person


def _receive(inbound: Inbound, body: str) -> Receipt:
    person = _sender(inbound)
    now = inbound.received_at or timezone.now()
    named = _case_named(inbound)
    follow_up_of = None
    if named is not None and not _reopenable(named):
        # A closed request stays closed: the customer's new message is a request of its
        # own, which says what it follows.
        follow_up_of, named = named, None
    case = named or (None if inbound.new_case else _intake_case(person))
    opened = case is None
    if case is None:
        case = _open(inbound, person, now, body, follow_up_of=follow_up_of)
    else:
        case = _locked_survivor(case)
    message = Message.objects.create(
        case=case,
        direction=Message.Direction.INBOUND,
        channel=inbound.channel,
        person=person,
        body=body,
        address=inbound.address[:320],
        external_id=inbound.external_id,
        email_message_id=inbound.email_message_id[:300],
        delivery=Message.Delivery.RECEIVED,
    )
    attachments_store(message=message, checked=list(inbound.attachments))
    if not opened:
        _continue(case, now)
    Case.objects.filter(pk=case.pk).update(message_count=F("message_count") + 1)
    case.message_count += 1
    person_contacted(person_id=person.pk, at=now)
    case_activity(
        case,
        "care.message_received",
        summary=body,
        customer_sees=True,
        payload={"message": message.pk},
    )
    nudge(case)
    return Receipt(case, message, created=True)


def _case_named(inbound: Inbound) -> Case | None:
    # Read afresh: the caller's copy may predate a change of status.
    case = Case.objects.filter(pk=inbound.case.pk).first() if inbound.case else None
    if case is None and inbound.thread_ids:
        ids = [i for i in inbound.thread_ids if i][:50]
        message = (
            Message.objects.filter(email_message_id__in=ids)
            .select_related("case")
            .order_by("-created_at", "-id")
            .first()
        )
        case = message.case if message else None
    hops = 0
    while case is not None and case.merged_into_id is not None and hops < 20:
        case, hops = case.merged_into, hops + 1
    return case


def _locked_survivor(case: Case) -> Case:
    """The case locked, or the one it was merged into meanwhile (a merge may commit
    between finding the case and locking it)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    hops = 0
    while case.merged_into_id is not None and hops < 20:
        case, hops = Case.objects.select_for_update().get(pk=case.merged_into_id), hops + 1
    return case


def _reopenable(case: Case) -> bool:
    """Active, or resolved at most ``CARE_REOPEN_DAYS`` ago; a closed request is final."""
    if case.is_active:
        return True
    since = timezone.now() - dt.timedelta(days=settings.CARE_REOPEN_DAYS)
    return case.status == Status.RESOLVED and (
        case.resolved_at is None or case.resolved_at >= since
    )


def _intake_case(person: Person) -> Case | None:
    active = Case.objects.filter(intake_key=_intake_key(person), merged_into__isnull=True).first()
    if active is not None:
        return active
    since = timezone.now() - dt.timedelta(days=settings.CARE_REOPEN_DAYS)
    return (
        Case.objects.filter(
            person=person, merged_into__isnull=True, status=Status.RESOLVED, resolved_at__gte=since
        )
        .order_by("-resolved_at")
        .first()
    )


def _intake_key(person: Person) -> str:
    return intake_key_of(person.pk)


def _subject(inbound: Inbound, body: str) -> str:
    subject = " ".join(inbound.subject.split())
    if not subject:
        subject = " ".join(body.split())[:80]
    return subject[:MAX_SUBJECT]


def _open(
    inbound: Inbound, person: Person, now: dt.datetime, body: str, follow_up_of: Case | None
) -> Case:
    case = Case(
        person=person,
        subject=_subject(inbound, body),
        channel=inbound.channel,
        priority=Priority.NORMAL,
        updated_at=now,
        last_message_at=now,
        awaiting_since=now,
        # A new request asked for explicitly is a case of its own; the intake case is
        # where messages naming no case go.
        intake_key=None if inbound.new_case else _intake_key(person),
    )
    routed = route(case, body)
    case.department_id, case.priority = routed.department_id, routed.priority
    sla_start(case, now)
    case.assignee = next_agent(case.department_id)
    with transaction.atomic():  # the intake key may be taken by a concurrent delivery
        case.save()
    apply_tags(case, routed.tags)
    follows = {"follow_up_of": follow_up_of.pk} if follow_up_of is not None else {}
    # The customer sees that their request was opened; how it was triaged stays internal.
    case_activity(case, "care.case_opened", summary=case.subject, customer_sees=True)
    case_activity(
        case,
        "care.case_routed",
        summary=case.subject,
        payload={
            "rules": routed.rules,
            "priority": case.priority,
            "assignee": case.assignee_id,
            **follows,
        },
    )
    return case


def _continue(case: Case, now: dt.datetime) -> None:
    """A customer message on an existing case: it wants an answer again, and a resolved or
    closed case is reopened."""
    # A late delivery (a provider's retry, an imported mail) never moves the case back.
    case.last_message_at = max(case.last_message_at, now)
    case.updated_at = max(case.updated_at, now)
    case.awaiting_since = case.awaiting_since or now
    fields = ["last_message_at", "updated_at", "awaiting_since", "status"]
    if case.status in (Status.RESOLVED, Status.CLOSED):
        case.status = Status.OPEN
        case.reopen_count += 1
        case.resolved_at = case.closed_at = None
        if case.intake_key is None:
            case.intake_key = intake_key_free(case.person_id)
        sla_resolution_restart(case, now)
        fields += ["reopen_count", "resolved_at", "closed_at", "intake_key", "resolution_due_at"]
        case_activity(case, "care.case_reopened", summary=case.subject, customer_sees=True)
    elif case.status == Status.WAITING:
        case.status = Status.OPEN
    sla_refresh(case)
    case.save(update_fields=[*fields, "next_due_at", "sla_warned_at"])
