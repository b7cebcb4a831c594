"""Provider events applied to payments, participants and groups, and the calls we make to
the provider (capture, void, refund), each claimed first and recorded after.

A payment only moves forward (``PAYMENT_RANK``): a replayed or late event changes nothing.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from socius.commerce.errors import GroupClosed, GroupFull, SoldOut
from socius.commerce.models import (
    HOLDING_SEATS,
    PAYMENT_RANK,
    GroupOrder,
    GroupState,
    Participant,
    ParticipantState,
    Payment,
    PaymentMode,
    PaymentState,
)
from socius.commerce.payments.base import ProviderError, ProviderEvent
from socius.commerce.selectors import active_participation
from socius.commerce.services.common import participant_record, provider_get, record
from socius.commerce.services.notices import notices_on_commit, notices_send
from socius.commerce.services.seats import (
    participant_move,
    seats_reserve,
    seats_return,
    seats_secure,
)

logger = logging.getLogger(__name__)

S, P = ParticipantState, PaymentState
TARGET = {
    "authorized": P.AUTHORIZED,
    "captured": P.CAPTURED,
    "failed": P.FAILED,
    "voided": P.VOIDED,
    "refunded": P.REFUNDED,
}


def _payment_move(payment: Payment, target: str, **fields: object) -> bool:
    """Forward only, once: True when this call moved it."""
    for _attempt in range(3):
        current = Payment.objects.filter(pk=payment.pk).values_list("state", flat=True).get()
        if PAYMENT_RANK[P(target)] <= PAYMENT_RANK[P(current)]:
            return False
        if Payment.objects.filter(pk=payment.pk, state=current).update(
            state=target, updated_at=timezone.now(), **fields
        ):
            payment.state = target
            return True
    return False


def group_tip_check(group_id: int) -> None:
    """Open → tipped once enough seats are secured; tipped → full once every seat is."""
    now = timezone.now()
    tipped = GroupOrder.objects.filter(
        pk=group_id, state=GroupState.OPEN, seats_secured__gte=F("min_size")
    ).update(state=GroupState.TIPPED, tipped_at=now, updated_at=now)
    full = GroupOrder.objects.filter(
        pk=group_id,
        state=GroupState.TIPPED,
        seats_held=F("max_size"),
        seats_secured=F("max_size"),
    ).update(state=GroupState.FULL, updated_at=now)
    if not (tipped or full):
        return
    group = GroupOrder.objects.select_related("offer").get(pk=group_id)
    for verb, happened in (("commerce.group_tipped", tipped), ("commerce.group_full", full)):
        if happened:
            record(
                verb,
                group,
                department=group.offer.department_id,
                person_id=group.organiser_id,
                payload={"seats_secured": group.seats_secured},
            )
    if tipped:
        notices_on_commit(
            notice="tipped", group=group, participant_states=(S.AUTHORIZED, S.CONFIRMED)
        )


def _secure(participant: Participant, to: str, event: ProviderEvent) -> None:
    """The money arrived: the seats count towards tipping, or, after the reservation
    lapsed, are taken again if still free; else the payment goes back (J4)."""
    fields = (
        {
            "amount_authorized_cents": event.amount_cents
            or participant.seats * participant.unit_price_cents
        }
        if to == S.AUTHORIZED
        else {
            "amount_captured_cents": event.amount_cents
            or participant.seats * participant.unit_price_cents
        }
    )
    left = participant_move(participant, from_states=(S.RESERVED,), to=to, **fields)
    if (
        left is None
        and not _rejoined(participant)
        and participant_move(participant, from_states=(S.RELEASED,), to=S.RESERVED) == S.RELEASED
    ):
        try:
            with transaction.atomic():
                seats_reserve(group=participant.group, seats=participant.seats)
        except (SoldOut, GroupFull, GroupClosed):
            participant_move(participant, from_states=(S.RESERVED,), to=S.RELEASED)
        else:
            left = participant_move(participant, from_states=(S.RESERVED,), to=to, **fields)
    if left is None:
        _flag_late(participant, event)
        return
    seats_secure(participant=participant)
    participant_record(
        "commerce.payment_authorized" if to == S.AUTHORIZED else "commerce.payment_captured",
        participant,
    )
    # Their own page's private link, and the share link, in writing: a closed tab loses
    # neither. Sent before "tipped", which this very payment may trigger.
    participant_id = participant.pk
    transaction.on_commit(
        lambda: notices_send(notice="joined", participant_ids=[participant_id]), robust=True
    )
    group_tip_check(participant.group_id)


def _rejoined(participant: Participant) -> bool:
    """The person joined the group again after this reservation lapsed: the late money must
    not bring the old participation back beside the new one (one per person)."""
    active = active_participation(participant.group, participant.person)
    return active is not None and active.pk != participant.pk


def _flag_late(participant: Participant, event: ProviderEvent) -> None:
    """Money for seats no longer held: never paid without a ticket, so it goes back once
    the webhook's transaction commits (the sweep retries if the provider is down)."""
    Payment.objects.filter(provider_ref=event.ref, provider=event.provider).update(
        failure_reason="late_payment_returned"
    )
    participant_record("commerce.payment_flagged", participant, reason="seats_no_longer_held")
    payment_id = Payment.objects.get(provider_ref=event.ref, provider=event.provider).pk
    transaction.on_commit(lambda: payment_give_back(payment_id=payment_id), robust=True)


def _release(participant: Participant, to: str, from_states: tuple[str, ...]) -> None:
    left = participant_move(participant, from_states=from_states, to=to)
    if left is None:
        return
    seats_return(participant=participant, left=left)
    if left == S.TICKETED:
        from socius.commerce.tickets.issue import tickets_revoke

        tickets_revoke(participant, "refunded")


def _target(event: ProviderEvent, payment: Payment) -> str | None:
    if event.kind == "expired":  # a checkout never paid, or a hold that lapsed
        return P.FAILED if payment.state == P.PENDING else P.VOIDED
    return TARGET.get(event.kind)


def _amounts(target: str, event: ProviderEvent, payment: Payment) -> dict[str, object]:
    if target == P.CAPTURED:
        return {"captured_cents": event.amount_cents or payment.amount_cents}
    if target == P.REFUNDED:
        return {"refunded_cents": event.amount_cents or payment.captured_cents}
    if target == P.FAILED:
        return {"failure_reason": event.reason[:200]}
    return {}


def _participant_follow(target: str, participant: Participant, event: ProviderEvent) -> None:
    pay_now = participant.group.payment_mode == PaymentMode.PAY_NOW
    if target == P.AUTHORIZED and not pay_now:
        _secure(participant, S.AUTHORIZED, event)
    elif target == P.CAPTURED and pay_now:
        _secure(participant, S.CONFIRMED, event)
    elif target == P.FAILED:
        _release(participant, S.RELEASED, (S.RESERVED,))
        participant_record("commerce.payment_failed", participant)
    elif target == P.VOIDED:
        _release(participant, S.VOIDED, (S.RESERVED, S.AUTHORIZED))
        participant_record("commerce.payment_voided", participant)
    elif target == P.REFUNDED:
        _release(participant, S.REFUNDED, (S.CONFIRMED, S.TICKETED))
        participant_record("commerce.payment_refunded", participant)


def payment_event_apply(event: ProviderEvent) -> None:
    """Apply one verified provider event, inside the transaction that recorded it. Events
    on payments we settle ourselves (our capture, our void) find the payment already moved
    and change nothing."""
    payment = (
        Payment.objects.select_related("participant__group__offer")
        .filter(provider=event.provider, provider_ref=event.ref)
        .first()
    )
    if payment is None:
        logger.warning("Provider event %s for an unknown payment; ignored.", event.event_id)
        return
    target = _target(event, payment)
    if target is None:
        return
    if event.kind == "refunded" and 0 < event.amount_cents < payment.captured_cents:
        # Part of a payment given back (the tier discount in pay-now mode): still paid.
        Payment.objects.filter(pk=payment.pk, refunded_cents__lt=event.amount_cents).update(
            refunded_cents=event.amount_cents
        )
        return
    if _payment_move(payment, target, **_amounts(target, event, payment)):
        _participant_follow(target, payment.participant, event)


# Calls to the provider -------------------------------------------------------------------


def payment_capture(*, payment: Payment, amount_cents: int) -> bool:
    """Charge a held payment; True once captured (now or before). Raises ``ProviderError``."""
    if payment.state == P.CAPTURED:
        return True
    provider_get(payment.provider).capture(
        ref=payment.provider_ref,
        amount_cents=amount_cents,
        idempotency_key=f"{payment.idempotency_key}:capture",
    )
    with transaction.atomic():
        _payment_move(payment, P.CAPTURED, captured_cents=amount_cents)
    return True


def payment_refund_part(*, payment: Payment, amount_cents: int) -> None:
    """Give back part of a captured payment (pay-now mode's tier discount)."""
    if amount_cents <= 0 or payment.refunded_cents >= amount_cents:
        return
    provider_get(payment.provider).refund(
        ref=payment.provider_ref,
        amount_cents=amount_cents,
        idempotency_key=f"{payment.idempotency_key}:refund-difference",
    )
    Payment.objects.filter(pk=payment.pk, refunded_cents__lt=amount_cents).update(
        refunded_cents=amount_cents, updated_at=timezone.now()
    )


def _payment_move_from(payment: Payment, source: str, target: str) -> bool:
    """``source`` → ``target`` only if nothing (a webhook) moved the payment meanwhile."""
    moved = Payment.objects.filter(pk=payment.pk, state=source).update(
        state=target, updated_at=timezone.now()
    )
    return bool(moved)


def payment_give_back(*, payment_id: int) -> bool:
    """Void a hold or refund a charge whose participant no longer holds seats, or close a
    checkout not paid yet (so the customer can no longer pay for seats gone); safe to call
    again (the sweep does): False when the provider could not be reached."""
    payment = Payment.objects.select_related("participant").filter(pk=payment_id).first()
    if payment is None or not payment.provider_ref:
        return True
    if payment.participant.state in HOLDING_SEATS:
        # Taken again by a late payment (J4) since the caller read it: nothing to give back.
        return True
    provider = provider_get(payment.provider)
    try:
        if payment.state == P.PENDING:
            provider.void(
                ref=payment.provider_ref, idempotency_key=f"{payment.idempotency_key}:void"
            )
            # Conditional: had the customer paid meanwhile, the provider's events for this
            # void (after their authorisation) move the payment and the participant.
            _payment_move_from(payment, P.PENDING, P.VOIDED)
        elif payment.state == P.AUTHORIZED:
            provider.void(
                ref=payment.provider_ref, idempotency_key=f"{payment.idempotency_key}:void"
            )
            with transaction.atomic():
                _payment_move(payment, P.VOIDED)
        elif payment.state == P.CAPTURED:
            amount = payment.captured_cents
            provider.refund(
                ref=payment.provider_ref,
                amount_cents=amount - payment.refunded_cents,
                idempotency_key=f"{payment.idempotency_key}:refund",
            )
            with transaction.atomic():
                _payment_move(payment, P.REFUNDED, refunded_cents=amount)
    except ProviderError:
        logger.warning("Giving back payment %s failed; the sweep retries.", payment.pk)
        return False
    return True
