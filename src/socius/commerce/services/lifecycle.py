"""What people do to a live group (leave it, close it early, cancel it) and what the worker
does when time passes (deadlines, lapsed reservations, reminders, unfinished give-backs)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from socius.accounts.models import User
from socius.accounts.roles import Capability
from socius.commerce.errors import GroupStateRefused, WithdrawalRefused
from socius.commerce.models import (
    HOLDING_SEATS,
    GroupOrder,
    GroupState,
    Participant,
    ParticipantState,
    Payment,
    PaymentState,
)
from socius.commerce.services.common import record
from socius.commerce.services.notices import notices_on_commit
from socius.commerce.services.payments import payment_give_back
from socius.commerce.services.seats import participant_move, seats_return
from socius.commerce.services.settlement import (
    group_end,
    group_settle,
    participants_give_back,
    settlement_claim,
)
from socius.core.errors import Forbidden
from socius.people.models import Person

S = ParticipantState
LIVE_BEFORE_SETTLING = (GroupState.OPEN, GroupState.TIPPED, GroupState.FULL)


def participant_withdraw(*, participant: Participant) -> Participant:
    """Leave a group before it tips (R7): seats back, hold voided. After tipping the
    event's refund policy applies, handled by staff."""
    group = GroupOrder.objects.select_related("offer").get(pk=participant.group_id)
    if group.state != GroupState.OPEN:
        raise WithdrawalRefused(details={"group_state": group.state})
    participant.group = group
    with transaction.atomic():
        left = participant_move(participant, from_states=(S.RESERVED, S.AUTHORIZED), to=S.WITHDRAWN)
        if left is None:
            raise WithdrawalRefused(details={"state": participant.state})
        # The group may have tipped since it was read above: this conditional update, in
        # the transaction, decides (and holds the group's row until the commit, so a
        # concurrent tip counts the seats without these). Participant then group, the
        # order every writer takes.
        if not GroupOrder.objects.filter(pk=group.pk, state=GroupState.OPEN).update(
            updated_at=timezone.now()
        ):
            state = GroupOrder.objects.values_list("state", flat=True).get(pk=group.pk)
            participant.state = left  # the move above is rolled back
            raise WithdrawalRefused(details={"group_state": state})
        seats_return(participant=participant, left=left)
        record(
            "commerce.participant_withdrew",
            group,
            department=group.offer.department_id,
            person_id=participant.person_id,
            payload={"participant": participant.pk},
        )
    given_back = participant.payments.filter(
        state__in=(PaymentState.PENDING, PaymentState.AUTHORIZED)
    ).exclude(provider_ref="")
    for payment_id in given_back.values_list("pk", flat=True):
        payment_give_back(payment_id=payment_id)
    participant.refresh_from_db()
    return participant


def group_close(
    *, group: GroupOrder, actor_person: Person | None = None, actor_user: User | None = None
) -> GroupOrder:
    """The organiser (or a commerce manager) closes a tipped group early: it settles now."""
    is_organiser = actor_person is not None and actor_person.pk == group.organiser_id
    is_manager = actor_user is not None and actor_user.can(Capability.MANAGE_COMMERCE)
    if not (is_organiser or is_manager):
        raise Forbidden()
    if not settlement_claim(group, reason="closed_early"):
        raise GroupStateRefused(details={"state": group.state})
    group_settle(group)
    return GroupOrder.objects.get(pk=group.pk)


def group_cancel(*, actor: User, group: GroupOrder, reason: str) -> GroupOrder:
    """Staff cancel a group (a scalper, an event called off): everyone gets their money back."""
    if not actor.can(Capability.MANAGE_COMMERCE):
        raise Forbidden()
    if not group_end(
        group,
        to=GroupState.CANCELLED,
        reason=reason[:40] or "cancelled",
        from_states=LIVE_BEFORE_SETTLING,
    ):
        raise GroupStateRefused(details={"state": group.state})
    return GroupOrder.objects.get(pk=group.pk)


def deadlines_run(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Groups whose time is up: tipped ones (and full ones at once) settle, the others
    fail; settling ones left unfinished (a provider down) are resumed."""
    now = now or timezone.now()
    counts = {"settled": 0, "failed": 0}
    due = GroupOrder.objects.filter(
        Q(state=GroupState.FULL) | Q(state=GroupState.TIPPED, deadline__lte=now)
    ).order_by("deadline", "pk")
    for group in due:
        settlement_claim(group, reason="deadline" if group.deadline <= now else "full")
    for group in GroupOrder.objects.filter(state=GroupState.SETTLING).order_by("deadline", "pk"):
        counts["settled"] += group_settle(group)
    late = GroupOrder.objects.filter(state=GroupState.OPEN, deadline__lte=now).order_by("pk")
    for group in late:
        counts["failed"] += group_end(
            group, to=GroupState.FAILED, reason="deadline", from_states=(GroupState.OPEN,)
        )
    return counts


def reservations_expire(*, now: dt.datetime | None = None) -> int:
    """Seats held for someone who never paid return to sale (J4). Their checkouts stay
    open until the next sweep closes them: a payment in between takes the seats again if
    they are still free, or is given back and flagged."""
    now = now or timezone.now()
    expired = 0
    lapsed = Participant.objects.filter(state=S.RESERVED, reserved_until__lte=now).select_related(
        "group__offer"
    )
    for participant in lapsed:
        with transaction.atomic():
            left = participant_move(participant, from_states=(S.RESERVED,), to=S.RELEASED)
            if left is None:
                continue
            seats_return(participant=participant, left=left)
            record(
                "commerce.reservation_expired",
                participant.group,
                department=participant.group.offer.department_id,
                person_id=participant.person_id,
                payload={"participant": participant.pk, "seats": participant.seats},
            )
            expired += 1
    return expired


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Once per group, ``COMMERCE_REMINDER_HOURS`` before its deadline (R9)."""
    now = now or timezone.now()
    lead = dt.timedelta(hours=settings.COMMERCE_REMINDER_HOURS)
    horizon = now + lead
    sent = 0
    groups = (
        GroupOrder.objects.filter(
            state__in=(GroupState.OPEN, GroupState.TIPPED),
            reminded_at__isnull=True,
            deadline__gt=now,
            deadline__lte=horizon,
        )
        # A window no longer than the reminder's lead would be reminded just after opening.
        .filter(Q(opened_at__isnull=True) | Q(deadline__gt=F("opened_at") + lead))
        .select_related("offer")
    )
    for group in groups:
        with transaction.atomic():
            if not GroupOrder.objects.filter(pk=group.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue  # another worker reminded it
            record(
                "commerce.group_reminded",
                group,
                department=group.offer.department_id,
                person_id=group.organiser_id,
                customer_visible=False,
            )
            notices_on_commit(
                notice="reminder",
                group=group,
                participant_states=(S.RESERVED, S.AUTHORIZED, S.CONFIRMED),
            )
            sent += 1
    return sent


GONE = (S.VOIDED, S.WITHDRAWN, S.RELEASED, S.REFUNDED)


def payments_sweep() -> int:
    """What a crash or a provider outage left half done: participants of a failed or
    cancelled group still holding seats are given back, and holds, charges and open
    checkouts of participants no longer holding seats are voided or refunded. Returns how
    many payments are still pending."""
    ended = GroupOrder.objects.filter(
        state__in=(GroupState.FAILED, GroupState.CANCELLED),
        participants__state__in=HOLDING_SEATS,
    ).distinct()
    for group in ended.order_by("pk"):
        participants_give_back(group)
    stale = Payment.objects.filter(
        state__in=(PaymentState.PENDING, PaymentState.AUTHORIZED, PaymentState.CAPTURED),
        participant__state__in=GONE,
    ).exclude(provider_ref="")
    pending = 0
    for payment_id in stale.order_by("pk").values_list("pk", flat=True):
        pending += not payment_give_back(payment_id=payment_id)
    return pending


__all__ = [
    "deadlines_run",
    "group_cancel",
    "group_close",
    "participant_withdraw",
    "payments_sweep",
    "reminders_send",
    "reservations_expire",
]
