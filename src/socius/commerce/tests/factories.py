"""Rows for tests that need an offer, a group and paid participants without going through
the buying journey (the tests of the journey itself build it through the services)."""

from __future__ import annotations

import datetime as dt
import itertools
import secrets

from django.utils import timezone

from socius.commerce.models import (
    Gate,
    GroupOrder,
    GroupState,
    Offer,
    OfferKind,
    OfferStatus,
    Participant,
    ParticipantState,
)
from socius.people.models import Person
from socius.people.services import IdentifierIn, Profile, person_resolve

_numbers = itertools.count(1)


def offer_make(
    *,
    title: str = "Journée au parc",
    kind: str = OfferKind.DATED,
    event_date: dt.date | None = None,
    capacity: int = 100,
    validity_days: int = 365,
) -> Offer:
    number = next(_numbers)
    if kind == OfferKind.DATED and event_date is None:
        event_date = timezone.localdate()
    return Offer.objects.create(
        title=title,
        slug=f"offer-{number}-{secrets.token_hex(3)}",
        kind=kind,
        event_date=event_date if kind == OfferKind.DATED else None,
        validity_days=validity_days,
        capacity=capacity,
        base_price_cents=3000,
        status=OfferStatus.PUBLISHED,
    )


def gate_make(offer: Offer, *, slug: str | None = None, name: str = "Entrée principale") -> Gate:
    return Gate.objects.create(slug=slug or f"gate-{next(_numbers)}", name=name, offer=offer)


def person_make(
    email: str | None = None, given_name: str = "Léa", family_name: str = "Martin"
) -> Person:
    email = email or f"buyer{next(_numbers)}@example.org"
    return person_resolve(
        identifiers=[IdentifierIn("email", email)],
        profile=Profile(given_name=given_name, family_name=family_name),
    ).person


def group_make(offer: Offer, organiser: Person, *, state: str = GroupState.COMPLETED) -> GroupOrder:
    return GroupOrder.objects.create(
        offer=offer,
        organiser=organiser,
        state=state,
        share_token=secrets.token_urlsafe(32),
        min_size=2,
        max_size=10,
        payment_mode=offer.payment_mode,
        base_price_cents=offer.base_price_cents,
        deadline=timezone.now() + dt.timedelta(hours=48),
        opened_at=timezone.now(),
    )


def participant_make(
    group: GroupOrder,
    person: Person,
    *,
    seats: int = 1,
    state: str = ParticipantState.CONFIRMED,
) -> Participant:
    return Participant.objects.create(
        group=group,
        person=person,
        is_organiser=person.pk == group.organiser_id,
        seats=seats,
        state=state,
        idempotency_key=secrets.token_hex(8),
        access_token=secrets.token_urlsafe(32),
        unit_price_cents=group.base_price_cents,
        amount_captured_cents=group.base_price_cents * seats,
    )


def paid_participant(
    *, offer: Offer | None = None, seats: int = 2, person: Person | None = None
) -> Participant:
    """A confirmed (paid) participant in a completed group: ready for its tickets."""
    offer = offer or offer_make()
    person = person or person_make()
    group = group_make(offer, person)
    return participant_make(group, person, seats=seats)
