"""Opening and joining a group: seats reserved in one short transaction, then the payment
started at the provider outside it (never a lock held across an HTTP call)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from socius.commerce.errors import (
    AlreadyInGroup,
    GroupClosed,
    IdempotencyKeyReused,
    InvalidShareToken,
    OfferNotOnSale,
    PaymentUnavailable,
    SoldOut,
    TooManySeats,
)
from socius.commerce.models import (
    GroupOrder,
    GroupState,
    Offer,
    Participant,
    ParticipantState,
    Payment,
    PaymentMode,
    PaymentState,
)
from socius.commerce.payments.base import ProviderError
from socius.commerce.selectors import (
    active_participation,
    offer_on_sale,
    participant_url,
    share_token_matches,
)
from socius.commerce.services.common import provider_get, record
from socius.commerce.services.offers import event_starts_at
from socius.commerce.services.seats import participant_move, seats_reserve, seats_return
from socius.core.errors import InvalidInput
from socius.people.models import Person, RelationKind
from socius.people.services.relations import relation_record
from socius.people.services.resolve import live_person, person_resolve
from socius.people.services.types import IdentifierIn, Profile, ResolveContext

MAX_KEY_LENGTH = 64
# The shortest window worth opening: a group closing within the hour cannot gather friends.
MIN_WINDOW = dt.timedelta(hours=1)


@dataclass
class Party:
    """Who opens or joins: identifiers and profile to resolve, or a person already known
    (signed in to the portal)."""

    identifiers: list[IdentifierIn]
    profile: Profile
    person: Person | None = None
    # An authenticated integration (the API, under commerce:write) vouches for every
    # identifier; an anonymous web form vouches for none, so only its email resolves.
    trusted: bool = False


@dataclass
class JoinOutcome:
    participant: Participant
    payment: Payment
    created: bool


def _request_hash(party: Party, seats: int) -> str:
    body = {
        "identifiers": sorted([item.kind, item.value] for item in party.identifiers),
        "profile": {key: str(value) for key, value in asdict(party.profile).items()},
        "person": party.person.pk if party.person else None,
        "seats": seats,
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _clean_key(key: str) -> str:
    key = (key or "").strip()
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise InvalidInput(details={"field": "idempotency_key", "max_length": MAX_KEY_LENGTH})
    return key


def _vouched(party: Party) -> list[IdentifierIn]:
    """The identifiers a join may attach to a person. Anyone can type someone else's email
    in the form: resolving it with a phone as well would add the sender's phone to that
    person's record (and their later messages to that timeline). One identifier links
    nothing to nothing: the email only, or the first one given."""
    if party.trusted:
        return party.identifiers
    emails = [item for item in party.identifiers if item.kind == "email"]
    return (emails or party.identifiers)[:1]


def _resolve(party: Party, department: int | None) -> Person:
    if party.person is not None:
        return live_person(party.person)
    context = ResolveContext(source="commerce", channel="web", department_id=department)
    resolution = person_resolve(identifiers=_vouched(party), profile=party.profile, context=context)
    return live_person(resolution.person)


def _replay(group: GroupOrder, key: str, digest: str) -> JoinOutcome | None:
    participant = (
        Participant.objects.select_related("group__offer", "person")
        .filter(group=group, idempotency_key=key)
        .first()
    )
    if participant is None:
        return None
    if participant.request_hash != digest:
        raise IdempotencyKeyReused(details={"idempotency_key": key})
    payment = participant.payments.order_by("-created_at", "-pk").first()
    assert payment is not None  # created with the participant, in the same transaction
    if not payment.provider_ref and payment.state == PaymentState.PENDING:
        # The first request committed its seats but never reached the provider (a crash, or
        # it is still calling): the same idempotency key makes this call the same payment.
        payment = _checkout(participant, payment)
    return JoinOutcome(participant=participant, payment=payment, created=False)


def _reserve(
    group: GroupOrder, party: Party, seats: int, key: str, digest: str, is_organiser: bool
) -> tuple[Participant, Payment]:
    offer = group.offer
    person = _resolve(party, offer.department_id)
    if active_participation(group, person) is not None:
        raise AlreadyInGroup()
    minutes = settings.COMMERCE_RESERVATION_MINUTES
    participant = Participant.objects.create(
        group=group,
        person=person,
        is_organiser=is_organiser,
        seats=seats,
        state=ParticipantState.RESERVED,
        reserved_until=timezone.now() + dt.timedelta(minutes=minutes),
        idempotency_key=key,
        request_hash=digest,
        access_token=secrets.token_urlsafe(32),
        # Held (or charged, in pay-now mode) at the base price; the tier price is settled
        # when the group closes (R4).
        unit_price_cents=group.base_price_cents,
    )
    payment = Payment.objects.create(
        participant=participant,
        provider=provider_get().name,
        amount_cents=seats * group.base_price_cents,
        currency=offer.currency,
        idempotency_key=f"participant-{participant.pk}-{secrets.token_hex(8)}",
    )
    if not is_organiser:
        relation_record(
            person=person, other=group.organiser, kind=RelationKind.INVITED_BY, source="commerce"
        )
    record(
        "commerce.group_joined",
        group,
        department=offer.department_id,
        person_id=person.pk,
        summary=offer.title,
        payload={"participant": participant.pk, "seats": seats, "organiser": is_organiser},
    )
    # Last: the group's and the offer's rows stay locked (PostgreSQL) from these updates to
    # the commit, so every other join of the offer waits only for that short tail. A
    # refusal rolls back everything above.
    seats_reserve(group=group, seats=seats)
    return participant, payment


def _abandon(participant: Participant, payment: Payment, reason: str) -> None:
    """The provider refused to start the payment: seats back, and the key freed so the
    client's retry is a fresh attempt."""
    with transaction.atomic():
        left = participant_move(
            participant,
            from_states=(ParticipantState.RESERVED,),
            to=ParticipantState.RELEASED,
            idempotency_key=f"{participant.idempotency_key}~x{participant.pk}",
        )
        if left is not None:
            seats_return(participant=participant, left=left)
        Payment.objects.filter(pk=payment.pk, state=PaymentState.PENDING).update(
            state=PaymentState.FAILED, failure_reason=reason[:200]
        )


def _checkout(participant: Participant, payment: Payment) -> Payment:
    group = participant.group
    provider = provider_get(payment.provider)
    try:
        checkout = provider.checkout(
            amount_cents=payment.amount_cents,
            currency=payment.currency,
            description=group.offer.title[:200],
            idempotency_key=payment.idempotency_key,
            return_url=participant_url(participant),
            capture_now=group.payment_mode == PaymentMode.PAY_NOW,
            metadata={"participant": str(participant.pk), "group": str(group.pk)},
        )
    except ProviderError as error:
        _abandon(participant, payment, str(error) or "provider_error")
        raise PaymentUnavailable(details={"retryable": error.retryable}) from error
    with transaction.atomic():
        Payment.objects.filter(pk=payment.pk, provider_ref="").update(
            provider_ref=checkout.ref, checkout_url=checkout.checkout_url
        )
        record(
            "commerce.payment_started",
            group,
            department=group.offer.department_id,
            person_id=participant.person_id,
            payload={"participant": participant.pk, "amount_cents": payment.amount_cents},
        )
    payment.refresh_from_db()
    return payment


def _refuse_early(group: GroupOrder, seats: int, key: str) -> None:
    """A sold-out offer answers at once, before resolving anyone: when the last seats go,
    hundreds of requests may be waiting. Only a fast path: the conditional updates in
    ``seats_reserve`` decide, and a retried request (its key known) is still answered."""
    remaining = Offer.objects.filter(pk=group.offer_id).values_list(
        F("capacity") - F("seats_taken"), flat=True
    )
    if (
        remaining.get() < seats
        and not Participant.objects.filter(group=group, idempotency_key=key).exists()
    ):
        raise SoldOut()


def _join(
    group: GroupOrder, party: Party, seats: int, key: str, *, is_organiser: bool
) -> JoinOutcome:
    digest = _request_hash(party, seats)
    if not 1 <= seats <= group.offer.max_seats_per_participant:
        raise TooManySeats(details={"max": group.offer.max_seats_per_participant})
    _refuse_early(group, seats, key)
    try:
        with transaction.atomic():
            replay = _replay(group, key, digest)
            if replay is not None:
                return replay
            participant, payment = _reserve(group, party, seats, key, digest, is_organiser)
    except (IntegrityError, AlreadyInGroup):
        # The same key arrived twice at once and the other request committed first: its
        # participant (or its person's, found first) is this request's answer.
        replay = _replay(group, key, digest)
        if replay is None:
            raise
        return replay
    return JoinOutcome(
        participant=participant, payment=_checkout(participant, payment), created=True
    )


def group_join(
    *, group: GroupOrder, share_token: str, party: Party, seats: int, idempotency_key: str
) -> JoinOutcome:
    """Join from a share link. Seats are never oversold: ``SoldOut`` when the offer has too
    few left, ``GroupFull`` when the group has; a retried request (same key, same body)
    gets the same participant and payment back with ``created`` False."""
    if not share_token_matches(group, share_token):
        raise InvalidShareToken()
    key = _clean_key(idempotency_key)
    group = GroupOrder.objects.select_related("offer", "organiser").get(pk=group.pk)
    return _join(group, party, seats, key, is_organiser=False)


def _deadline(offer: Offer, now: dt.datetime) -> dt.datetime:
    deadline = now + dt.timedelta(hours=offer.group_window_hours)
    for limit in (offer.sale_ends_at, event_starts_at(offer)):
        if limit is not None:
            deadline = min(deadline, limit)
    return deadline


def _organiser_replay(offer: Offer, key: str, party: Party, seats: int) -> JoinOutcome | None:
    earlier = (
        GroupOrder.objects.filter(offer=offer, idempotency_key=key)
        .select_related("offer", "organiser")
        .first()
    )
    return _replay(earlier, key, _request_hash(party, seats)) if earlier else None


class _OpenedMeanwhile(Exception):
    """Another request with the organiser's key opened the group first."""


def group_open(
    *, offer: Offer, organiser: Party, seats: int, title: str = "", idempotency_key: str = ""
) -> JoinOutcome:
    """Open a group: the organiser is its first participant, with seats held and a
    payment started like any friend's (R1: the organiser pays their own share). A retried
    or double-clicked request (same key, same body) gets the first one's group back: the
    key is unique per offer on the group itself, so of two at once only one opens."""
    key = _clean_key(idempotency_key) if idempotency_key else f"open-{secrets.token_hex(8)}"
    if idempotency_key:
        replay = _organiser_replay(offer, key, organiser, seats)
        if replay is not None:
            return replay
    now = timezone.now()
    offer = Offer.objects.get(pk=offer.pk)
    deadline = _deadline(offer, now)
    if not offer_on_sale(offer, now=now):
        raise OfferNotOnSale()
    if deadline - now < MIN_WINDOW:
        raise GroupClosed(details={"deadline": deadline.isoformat()})
    if not 1 <= seats <= offer.max_seats_per_participant:
        raise TooManySeats(details={"max": offer.max_seats_per_participant})
    try:
        with transaction.atomic():
            participant, payment = _open(offer, organiser, seats, title, key, deadline, now)
    except (IntegrityError, _OpenedMeanwhile) as error:
        # The same key at once: the request that committed first answers both (PostgreSQL
        # raises on the unique key; SQLite's writers queue, so the check inside sees it).
        replay = _organiser_replay(offer, key, organiser, seats)
        if replay is not None:
            return replay
        if isinstance(error, _OpenedMeanwhile):  # its organiser never got a payment
            raise IdempotencyKeyReused(details={"idempotency_key": key}) from error
        raise
    try:
        payment = _checkout(participant, payment)
    except PaymentUnavailable:
        _close_empty(participant.group)
        raise
    return JoinOutcome(participant=participant, payment=payment, created=True)


def _open(
    offer: Offer,
    organiser: Party,
    seats: int,
    title: str,
    key: str,
    deadline: dt.datetime,
    now: dt.datetime,
) -> tuple[Participant, Payment]:
    if GroupOrder.objects.filter(offer=offer, idempotency_key=key).exists():
        raise _OpenedMeanwhile()
    person = _resolve(organiser, offer.department_id)
    group = GroupOrder.objects.create(
        offer=offer,
        organiser=person,
        state=GroupState.OPEN,
        share_token=secrets.token_urlsafe(32),
        title=title[:120],
        idempotency_key=key,
        min_size=offer.min_group_size,
        max_size=offer.max_group_size,
        payment_mode=offer.payment_mode,
        base_price_cents=offer.base_price_cents,
        tiers=[[tier.min_group_size, tier.unit_price_cents] for tier in offer.tiers.all()],
        deadline=deadline,
        opened_at=now,
    )
    record(
        "commerce.group_opened",
        group,
        department=offer.department_id,
        person_id=person.pk,
        summary=offer.title,
        payload={"deadline": deadline.isoformat(), "min_size": group.min_size},
    )
    group = GroupOrder.objects.select_related("offer", "organiser").get(pk=group.pk)
    known = Party(identifiers=organiser.identifiers, profile=organiser.profile, person=person)
    return _reserve(group, known, seats, key, _request_hash(organiser, seats), True)


def _close_empty(group: GroupOrder) -> None:
    """The organiser's payment could not start, so their seats went back (``_abandon``):
    the group, with nobody in it, ends, and frees the key for the client's retry."""
    now = timezone.now()
    GroupOrder.objects.filter(pk=group.pk, state=GroupState.OPEN, seats_held=0).update(
        state=GroupState.FAILED,
        end_reason="payment_unavailable",
        idempotency_key=f"{group.idempotency_key}~x{group.pk}"[:80],
        ended_at=now,
        updated_at=now,
    )
