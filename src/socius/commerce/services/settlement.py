"""Closing a group: settle it (capture at the final tier price, issue tickets) or end it
(void and refund everyone). Each step is claimed by a conditional update on ``state``, so a
job run twice, or two workers at once, do each thing once; provider calls happen between
short transactions, never inside one.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from socius.commerce.models import (
    GroupOrder,
    GroupState,
    Participant,
    ParticipantState,
    Payment,
    PaymentMode,
    PaymentState,
)
from socius.commerce.payments.base import ProviderError
from socius.commerce.selectors import tier_price
from socius.commerce.services.common import participant_record, record
from socius.commerce.services.notices import notices_on_commit
from socius.commerce.services.payments import (
    payment_capture,
    payment_give_back,
    payment_refund_part,
)
from socius.commerce.services.seats import participant_move, seats_return

logger = logging.getLogger(__name__)
S = ParticipantState


def _group(group_id: int) -> GroupOrder:
    return GroupOrder.objects.select_related("offer").get(pk=group_id)


def _group_record(verb: str, group: GroupOrder, **payload: object) -> None:
    record(
        verb,
        group,
        department=group.offer.department_id,
        person_id=group.organiser_id,
        payload=dict(payload),
    )


def _payment(participant: Participant) -> Payment | None:
    return participant.payments.exclude(provider_ref="").order_by("-created_at", "-pk").first()


def _release_unpaid(group: GroupOrder) -> None:
    """Reservations still awaiting payment when the window closes go back to sale, and
    their checkouts are closed (a late payment would only be given back)."""
    for participant in group.participants.filter(state=S.RESERVED).select_related("group"):
        with transaction.atomic():
            left = participant_move(participant, from_states=(S.RESERVED,), to=S.RELEASED)
            if left is None:
                continue
            seats_return(participant=participant, left=left)
        pending = participant.payments.filter(state=PaymentState.PENDING).exclude(provider_ref="")
        for payment_id in pending.values_list("pk", flat=True):
            payment_give_back(payment_id=payment_id)


def settlement_claim(group: GroupOrder, *, reason: str) -> bool:
    """Tipped or full → settling, once."""
    now = timezone.now()
    with transaction.atomic():
        claimed = GroupOrder.objects.filter(
            pk=group.pk, state__in=(GroupState.TIPPED, GroupState.FULL)
        ).update(state=GroupState.SETTLING, end_reason=reason, updated_at=now)
        if claimed:
            _group_record("commerce.group_settling", _group(group.pk), reason=reason)
    return bool(claimed)


def _charge(participant: Participant, price: int, pay_now: bool) -> bool:
    """Hold mode: capture at the tier price (at most the hold). Pay-now: refund the
    difference. False when the provider could not be reached (retried later)."""
    payment = _payment(participant)
    if payment is None:
        return False
    amount = participant.seats * price
    try:
        if pay_now:
            payment_refund_part(payment=payment, amount_cents=payment.captured_cents - amount)
        else:
            payment_capture(payment=payment, amount_cents=amount)
    except ProviderError as error:
        if error.retryable:
            logger.warning("Capture of participant %s failed; retried later.", participant.pk)
            return False
        _drop(participant)  # a declined or lapsed hold: that participant is out
        return True
    with transaction.atomic():
        moved = participant_move(
            participant,
            from_states=(S.AUTHORIZED, S.CONFIRMED),
            to=S.CONFIRMED,
            unit_price_cents=price,
            amount_captured_cents=amount,
        )
        if moved == S.AUTHORIZED:
            participant_record("commerce.payment_captured", participant, amount_cents=amount)
    return True


def _drop(participant: Participant) -> None:
    """The capture was refused for good: the participant is out. The payment stays
    authorised until the provider voids the hold (now, or the sweep later): marking it
    failed here would leave the customer's money held with nothing left to release it."""
    with transaction.atomic():
        left = participant_move(participant, from_states=(S.AUTHORIZED,), to=S.VOIDED)
        if left is None:
            return
        seats_return(participant=participant, left=left)
        held = Payment.objects.filter(participant=participant, state=PaymentState.AUTHORIZED)
        held.update(failure_reason="capture_refused", updated_at=timezone.now())
        payment_ids = list(held.values_list("pk", flat=True))
        participant_record("commerce.payment_failed", participant, reason="capture_refused")
    for payment_id in payment_ids:
        payment_give_back(payment_id=payment_id)


def _ticket(participant: Participant) -> None:
    from socius.commerce.tickets.issue import tickets_issue

    # Idempotent: it issues the missing tickets and moves the participant to ticketed once.
    tickets_issue(participant)


def group_settle(group: GroupOrder) -> bool:
    """Run (or resume) the settlement of a settling group: True once it is completed.

    The price is that of the tier reached by the seats secured when the window closed
    (R4); a participant whose capture is refused is dropped, and if that takes the group
    below its minimum the whole group fails and everyone is given back their money."""
    group = _group(group.pk)
    if group.state != GroupState.SETTLING:
        return group.state == GroupState.COMPLETED
    _release_unpaid(group)
    group = _group(group.pk)
    if group.unit_price_cents is None:
        price = tier_price(group, group.seats_secured)
        GroupOrder.objects.filter(pk=group.pk, unit_price_cents__isnull=True).update(
            unit_price_cents=price
        )
        group = _group(group.pk)
    price = group.unit_price_cents or group.base_price_cents
    pay_now = group.payment_mode == PaymentMode.PAY_NOW
    settled = True
    for participant in group.participants.filter(state__in=(S.AUTHORIZED, S.CONFIRMED)):
        participant.group = group
        if participant.amount_captured_cents == participant.seats * price and not pay_now:
            continue  # captured already, waiting for its tickets
        settled = _charge(participant, price, pay_now) and settled
    group = _group(group.pk)
    if group.seats_secured < group.min_size:
        group_end(
            group,
            to=GroupState.FAILED,
            reason="captures_refused",
            from_states=(GroupState.SETTLING,),
        )
        return False
    if not settled:
        return False
    for participant in group.participants.filter(state=S.CONFIRMED):
        participant.group = group
        _ticket(participant)
    with transaction.atomic():
        now = timezone.now()
        done = GroupOrder.objects.filter(pk=group.pk, state=GroupState.SETTLING).update(
            state=GroupState.COMPLETED, settled_at=now, ended_at=now, updated_at=now
        )
        if done:
            group = _group(group.pk)
            _group_record("commerce.group_completed", group, unit_price_cents=price)
            notices_on_commit(notice="completed", group=group, participant_states=(S.TICKETED,))
    return True


def group_end(group: GroupOrder, *, to: str, reason: str, from_states: tuple[str, ...]) -> bool:
    """Fail or cancel a group once: every seat back to sale, every hold voided, every
    payment refunded (the provider calls after the commit; the sweep retries them)."""
    now = timezone.now()
    with transaction.atomic():
        ended = GroupOrder.objects.filter(pk=group.pk, state__in=from_states).update(
            state=to, end_reason=reason, ended_at=now, updated_at=now
        )
        if not ended:
            return False
        group = _group(group.pk)
        verb = "commerce.group_failed" if to == GroupState.FAILED else "commerce.group_cancelled"
        _group_record(verb, group, reason=reason)
        notices_on_commit(
            notice="failed",
            group=group,
            participant_states=(S.AUTHORIZED, S.CONFIRMED, S.TICKETED, S.RESERVED),
        )
    participants_give_back(group)
    return True


# What each seat-holding state becomes when its group fails or is cancelled.
GIVE_BACK_MOVES = (
    (S.RESERVED, S.RELEASED),
    (S.AUTHORIZED, S.VOIDED),
    (S.CONFIRMED, S.REFUNDED),
    (S.TICKETED, S.REFUNDED),
)
# Payments to void or refund: open checkouts too, so nobody pays for a group that ended.
GIVEN_BACK_PAYMENTS = (PaymentState.PENDING, PaymentState.AUTHORIZED, PaymentState.CAPTURED)


def participants_give_back(group: GroupOrder) -> int:
    """Every participant of an ended group out, seats back, money back. Each participant is
    on its own: one that fails is logged and left for the sweep (which calls this again for
    an ended group still holding seats), the others go on. Returns how many failed."""
    group = _group(group.pk)
    failed = 0
    for participant in group.participants.exclude(
        state__in=(S.RELEASED, S.VOIDED, S.REFUNDED, S.WITHDRAWN)
    ):
        participant.group = group
        try:
            failed += not _participant_give_back(group, participant)
        except Exception:  # a broken row must not keep the others' money held
            logger.exception(
                "Giving back participant %s of group %s failed; the sweep retries.",
                participant.pk,
                group.pk,
            )
            failed += 1
    return failed


def _participant_give_back(group: GroupOrder, participant: Participant) -> bool:
    """False when a payment could not be given back yet (the provider is down)."""
    from socius.commerce.tickets.issue import tickets_revoke

    with transaction.atomic():
        for source, target in GIVE_BACK_MOVES:
            left = participant_move(participant, from_states=(source,), to=target)
            if left is not None:
                seats_return(participant=participant, left=left)
                if left == S.TICKETED:
                    tickets_revoke(participant, "group_" + group.state)
                break
    payments = participant.payments.filter(state__in=GIVEN_BACK_PAYMENTS).exclude(provider_ref="")
    results = [payment_give_back(payment_id=pk) for pk in payments.values_list("pk", flat=True)]
    return all(results)
