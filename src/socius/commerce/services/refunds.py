"""Staff corrections of a paid participation: a refund (R7, after tipping the event's refund
policy applies, decided by staff) and a new ticket code (a transfer to a friend, a leaked QR).

A refund is claimed first (one conditional update moves the participant to refunded, so a
second or concurrent request changes nothing), its seats go back to sale and its unused
tickets are revoked in that transaction; the provider is called after the commit, and the
payments sweep retries it if the provider could not be reached.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import User
from socius.accounts.roles import Capability
from socius.commerce.models import (
    GroupOrder,
    GroupState,
    Participant,
    ParticipantState,
    PaymentState,
    Ticket,
)
from socius.commerce.selectors import participant_url
from socius.commerce.services.common import SALES_SLUGS, department_id, record
from socius.commerce.services.payments import payment_give_back
from socius.commerce.services.seats import participant_move, seats_return
from socius.commerce.tickets.emails import person_email, person_language
from socius.commerce.tickets.issue import ticket_reissue, tickets_revoke
from socius.core.errors import Conflict, Forbidden, NotFound
from socius.core.verbs import register_verbs

logger = logging.getLogger(__name__)

S = ParticipantState
REFUNDABLE = (S.CONFIRMED, S.TICKETED)
REASON_MAX = 200
TICKET_REASON_MAX = 40  # Ticket.revoke_reason

register_verbs({"commerce.participant_refunded": _("Participant refunded by staff")})


class RefundRefused(Conflict):
    code = "refund_refused"
    default_message = _("Only a participant who has paid can be refunded, and only once.")


class RefundWhileSettling(Conflict):
    code = "group_settling"
    default_message = _("This group is being settled; refund its participants once it is done.")


@dataclass(frozen=True)
class RefundOutcome:
    participant: Participant
    tickets_revoked: int
    # False when the provider could not be reached: the payments sweep gives the money
    # back later (the participant's refund itself is recorded and final).
    money_returned: bool


def _may_manage(user: User) -> bool:
    return bool(user.is_active and user.can(Capability.MANAGE_COMMERCE))


def participant_get_for_staff(*, user: User, pk: int, group_id: int | None = None) -> Participant:
    """A participant by id for a commerce manager; "not found" for anyone else, or when it
    is not in the group the page names."""
    if not _may_manage(user):
        raise NotFound()
    participants = Participant.objects.select_related("group__offer", "person").filter(pk=pk)
    if group_id is not None:
        participants = participants.filter(group_id=group_id)
    participant = participants.first()
    if participant is None:
        raise NotFound()
    return participant


def ticket_get_for_staff(*, user: User, tid: uuid.UUID | str) -> Ticket:
    if not _may_manage(user):
        raise NotFound()
    try:
        tid = uuid.UUID(str(tid))
    except ValueError:
        raise NotFound() from None
    ticket = Ticket.objects.select_related("participant").filter(tid=tid).first()
    if ticket is None:
        raise NotFound()
    return ticket


def participant_refund(*, actor: User, participant: Participant, reason: str) -> RefundOutcome:
    """Give a paid participant their money back: refunded once, seats back to sale, unused
    tickets revoked, the customer told. ``RefundRefused`` (409) in any other state."""
    if not _may_manage(actor):
        raise Forbidden()
    reason = " ".join(reason.split())[:REASON_MAX]
    group = GroupOrder.objects.select_related("offer").get(pk=participant.group_id)
    if group.state == GroupState.SETTLING:
        # Settlement captures and tickets participants between its own short transactions.
        raise RefundWhileSettling(details={"group_state": group.state})
    participant.group = group
    with transaction.atomic():
        left = participant_move(
            participant,
            from_states=REFUNDABLE,
            to=S.REFUNDED,
            amount_refunded_cents=F("amount_captured_cents"),
        )
        if left is None:
            state = Participant.objects.values_list("state", flat=True).get(pk=participant.pk)
            raise RefundRefused(details={"state": state})
        seats_return(participant=participant, left=left)
        revoked = tickets_revoke(participant, "refund")
        payment_ids = list(
            participant.payments.filter(
                state__in=(PaymentState.AUTHORIZED, PaymentState.CAPTURED)
            ).values_list("pk", flat=True)
        )
        record(
            "commerce.participant_refunded",
            participant,
            department=group.offer.department_id or department_id(SALES_SLUGS),
            person_id=participant.person_id,
            actor_id=actor.pk,
            summary=reason,
            payload={
                "participant": participant.pk,
                "group": group.pk,
                "seats": participant.seats,
                "from_state": left,
                "tickets_revoked": revoked,
            },
        )
        participant_id = participant.pk
        transaction.on_commit(
            lambda: refund_notice_send(participant_id=participant_id, reason=reason), robust=True
        )
    # After the commit: a provider call never runs inside the claim's transaction. Every
    # payment is tried, even after one fails.
    results = [payment_give_back(payment_id=pk) for pk in payment_ids]
    returned = all(results)
    participant.refresh_from_db()
    return RefundOutcome(participant=participant, tickets_revoked=revoked, money_returned=returned)


def refund_notice_send(*, participant_id: int, reason: str) -> bool:
    """Tell the customer their money is on its way back; a mail failure is only logged."""
    participant = (
        Participant.objects.select_related("person", "group__offer")
        .filter(pk=participant_id)
        .first()
    )
    if participant is None:
        return False
    try:
        recipient = person_email(participant.person)
        if recipient is None:
            return False
        with translation.override(person_language(participant.person)):
            context = {
                "offer": participant.group.offer.title,
                "amount": f"{participant.amount_refunded_cents / 100:.2f} €",
                "reason": reason,
                "url": participant_url(participant),
                "company_name": settings.COMPANY_NAME,
            }
            subject = render_to_string("commerce/groups/emails/refunded_subject.txt", context)
            body = render_to_string("commerce/groups/emails/refunded.txt", context)
            html = render_to_string("commerce/groups/emails/refunded.html", context)
        send_mail(
            subject=" ".join(subject.split()),
            message=body,
            from_email=None,
            recipient_list=[recipient],
            html_message=html,
        )
    except Exception:  # the refund stands whatever the mail server says
        logger.exception("Refund notice for participant %s failed", participant_id)
        return False
    return True


def ticket_reissue_for_staff(*, actor: User, ticket: Ticket, reason: str) -> Ticket:
    """A new code for a valid, unused ticket; the old code is refused at the gate from now
    on. ``TicketNotReissuable`` (409) for a revoked or checked-in ticket."""
    if not _may_manage(actor):
        raise Forbidden()
    return ticket_reissue(ticket, reason.strip()[:TICKET_REASON_MAX], actor_id=actor.pk)
