"""Agents answer the customer; colleagues talk about the case among themselves.

A reply is a ``Message`` and goes out on the channel the customer last wrote from (after
the commit, by the worker: a slow mail server never holds a request). A note is a ``Note``:
no code path that reaches the customer reads that table.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import User
from socius.care.models import Case, Channel, Message, Note, ReplyDraft, Status
from socius.care.services.attachments import attachments_store
from socius.care.services.calendar import business_hours
from socius.care.services.common import (
    CaseMerged,
    case_activity,
    clean_body,
    ensure_agent,
    nudge,
)
from socius.care.services.sla import sla_refresh
from socius.collab.services.attachments import CheckedFile
from socius.core.errors import DomainError, InvalidInput
from socius.core.verbs import register_verbs

register_verbs(
    {
        "care.reply_sent": _("Reply sent"),
        "care.first_response": _("First response"),
        "care.note_added": _("Internal note on a request"),
    }
)

# Statuses an agent may leave the case in when replying.
REPLY_STATUSES = (Status.OPEN, Status.WAITING, Status.RESOLVED)


class ColleagueReplied(DomainError):
    code = "colleague_replied"
    status_code = 409
    default_message = _(
        "A colleague answered this customer while you were writing. Read their reply, "
        "then send yours again if it is still needed."
    )


def _reply_route(case: Case) -> tuple[str, str]:
    """The channel and address the customer last wrote from."""
    last = (
        Message.objects.filter(case=case, direction=Message.Direction.INBOUND)
        .order_by("-created_at", "-id")
        .values_list("channel", "address")
        .first()
    )
    return last or (case.channel, "")


@transaction.atomic
def case_reply(
    *,
    actor: User,
    case: Case,
    body: str,
    status: str = Status.WAITING,
    seen_message_id: int | None = None,
    files: list[CheckedFile] | None = None,
) -> Message:
    """Answer the customer. ``seen_message_id`` is the newest message the agent had on
    screen: if a colleague's reply came after it, nothing is sent (``ColleagueReplied``)."""
    ensure_agent(actor)
    body = clean_body(body)
    if status not in REPLY_STATUSES:
        status = Status.WAITING
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.merged_into_id is not None:
        raise CaseMerged(details={"case": case.merged_into_id})
    if seen_message_id is not None:
        newer = Message.objects.filter(
            case=case, direction=Message.Direction.OUTBOUND, pk__gt=seen_message_id
        ).exclude(author=actor)
        if newer.exists():
            raise ColleagueReplied(details={"case": case.pk})
    channel, address = _reply_route(case)
    if files and channel == Channel.MESSENGER:
        # The Send API takes files only from public addresses, which replies do not have.
        raise InvalidInput(
            _("Messenger replies carry text only: send the files by email or in the portal."),
            details={"field": "attachments", "channel": channel},
        )
    # Portal and API replies are "delivered" once stored: the customer reads them there.
    delivered = channel in (Channel.PORTAL, Channel.API)
    now = timezone.now()
    message = Message.objects.create(
        case=case,
        direction=Message.Direction.OUTBOUND,
        channel=channel,
        author=actor,
        body=body,
        address=address,
        delivery=Message.Delivery.SENT if delivered else Message.Delivery.PENDING,
        sent_at=now if delivered else None,
    )
    attachments_store(message=message, checked=files or [])
    if channel == Channel.EMAIL:
        from socius.care.channels.email_out import assign_message_id

        assign_message_id(message)
    _after_reply(case, actor, now, status)
    case_activity(
        case,
        "care.reply_sent",
        actor=actor,
        summary=body,
        customer_sees=True,
        payload={"message": message.pk},
    )
    ReplyDraft.objects.filter(case=case, user=actor).delete()
    if channel == Channel.PORTAL:
        from socius.care.channels.portal_notice import portal_reply_notice_send

        case_id = case.pk
        # robust: a mail server failing after the commit must not fail the reply.
        transaction.on_commit(lambda: portal_reply_notice_send(case_id=case_id), robust=True)
    if not delivered:
        from socius.care.tasks import message_deliver

        message_id = message.pk
        transaction.on_commit(lambda: message_deliver.enqueue(message_id))
    nudge(case)
    return message


def _after_reply(case: Case, actor: User, now: dt.datetime, status: str) -> None:
    fields = ["updated_at", "awaiting_since", "status", "message_count"]
    if case.first_response_at is None:
        case.first_response_at = now
        waited = business_hours().minutes_between(case.created_at, now)
        case_activity(
            case,
            "care.first_response",
            actor=actor,
            payload={
                "business_minutes": waited,
                "seconds": int((now - case.created_at).total_seconds()),
                "within_target": case.first_response_due_at is None
                or now <= case.first_response_due_at,
            },
        )
        fields.append("first_response_at")
    case.updated_at = now
    case.awaiting_since = None
    case.message_count = F("message_count") + 1  # type: ignore[assignment]
    if case.assignee_id is None:
        case.assignee = actor  # who answers an unassigned case takes it
        fields.append("assignee")
    case.save(update_fields=fields)
    case.refresh_from_db(fields=["message_count"])
    if status != case.status:
        from socius.care.services.cases import case_status_set

        case_status_set(actor=actor, case=case, status=status)
    else:
        sla_refresh(case)
        case.save(update_fields=["next_due_at", "sla_warned_at"])


@transaction.atomic
def case_note_add(*, actor: User, case: Case, body: str) -> Note:
    """A private note; ``@colleague`` and ``@department`` mentions are told. Any colleague
    who may see the case may write one: that is how an agent asks sales or logistics."""
    body = clean_body(body)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.merged_into_id is not None:
        raise CaseMerged(details={"case": case.merged_into_id})
    note = Note.objects.create(case=case, author=actor, body=body)
    Case.objects.filter(pk=case.pk).update(note_count=F("note_count") + 1)
    # The note's text stays in the note: the timeline entry says only that one was written.
    case_activity(
        case, "care.note_added", actor=actor, summary=case.subject, payload={"note": note.pk}
    )
    from socius.care.services.mentions import note_mentions_notify

    note_mentions_notify(actor=actor, case=case, note=note)
    nudge(case)
    return note


def reply_draft_touch(*, actor: User, case: Case) -> list[User]:
    """The agent is writing a reply; returns the colleagues writing one too right now."""
    now = timezone.now()
    ReplyDraft.objects.update_or_create(case=case, user=actor, defaults={"touched_at": now})
    recent = now - dt.timedelta(seconds=45)
    others = ReplyDraft.objects.filter(case=case, touched_at__gte=recent).exclude(user=actor)
    return list(User.objects.filter(pk__in=others.values("user_id")))
