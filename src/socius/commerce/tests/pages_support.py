"""What the page tests share: an offer on sale, parties, and a provider's answer applied as
its webhook would apply it. Built through the real services."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.test import Client
from django.utils import timezone

from socius.accounts.models import User
from socius.commerce.models import Offer, Participant, Payment
from socius.commerce.payments.base import ProviderEvent
from socius.commerce.services.groups import JoinOutcome, Party, group_join, group_open
from socius.commerce.services.offers import OfferData, offer_create, offer_publish
from socius.commerce.services.payments import payment_event_apply
from socius.people.models import Person
from socius.people.services.types import IdentifierIn, Profile
from socius.portal.access import SESSION_KEY


def offer_on_sale(actor: User, **overrides: Any) -> Offer:
    values: dict[str, Any] = {
        "title": "Nocturne d'été",
        "capacity": 50,
        "base_price_cents": 3000,
        "tiers": [(4, 2700), (8, 2450)],
        "min_group_size": 3,
        "max_group_size": 10,
        "group_window_hours": 48,
        "event_date": timezone.localdate() + dt.timedelta(days=30),
        "venue": "Parc des Lumières",
    }
    values.update(overrides)
    offer = offer_create(actor=actor, data=OfferData(**values))
    return offer_publish(actor=actor, offer=offer)


def party(email: str, given_name: str, family_name: str = "") -> Party:
    return Party(
        identifiers=[IdentifierIn("email", email)],
        profile=Profile(given_name=given_name, family_name=family_name),
        person=None,
    )


def opened(
    offer: Offer,
    email: str = "lea@example.org",
    seats: int = 1,
    name: tuple[str, str] = ("Léa", "Martin"),
) -> JoinOutcome:
    return group_open(
        offer=offer,
        organiser=party(email, *name),
        seats=seats,
        title="Anniversaire de Léa",
        idempotency_key=secrets.token_urlsafe(12),
    )


def joined(
    outcome: JoinOutcome, email: str, given_name: str, seats: int = 1, family_name: str = "Ami"
) -> JoinOutcome:
    group = outcome.participant.group
    return group_join(
        group=group,
        share_token=group.share_token,
        party=party(email, given_name, family_name),
        seats=seats,
        idempotency_key=secrets.token_urlsafe(12),
    )


def provider_says(participant: Participant, kind: str = "authorized") -> None:
    """The sandbox's webhook, applied as H2's view applies it: inside one transaction."""
    payment = Payment.objects.filter(participant=participant).order_by("-created_at").first()
    assert payment is not None
    event = ProviderEvent(
        provider=payment.provider,
        event_id="evt_" + secrets.token_hex(8),
        kind=kind,  # type: ignore[arg-type]
        ref=payment.provider_ref,
        amount_cents=payment.amount_cents,
    )
    with transaction.atomic():
        payment_event_apply(event)


def portal_client(person: Person) -> Client:
    client = Client()
    session = client.session
    session[SESSION_KEY] = person.pk
    session.save()
    return client
