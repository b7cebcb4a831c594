"""Group buying in the demo: the park's offers, its gates, and groups at every stage.

Written through the real services with the sandbox provider: customers open groups and
friends join, pay with the sandbox's test card, and the worker's deadline job settles the
groups that tipped (tickets issued) and fails the ones that did not (everyone voided). The
sandbox's answers are applied as its webhooks would apply them, without waiting for the
worker to deliver them (a late delivery changes nothing: events apply once).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from socius.accounts.models import User
from socius.accounts.roles import Capability
from socius.commerce.models import Gate, GroupOrder, Offer, OfferKind, PaymentMode, Ticket
from socius.commerce.payments.base import EventKind, ProviderEvent
from socius.commerce.payments.sandbox import sandbox_pay
from socius.commerce.services.groups import JoinOutcome, Party, group_join, group_open
from socius.commerce.services.lifecycle import deadlines_run
from socius.commerce.services.offers import OfferData, offer_create, offer_publish
from socius.commerce.services.payments import payment_event_apply
from socius.people.models import Person
from socius.people.services.types import IdentifierIn, Profile

TEST_CARD = "4242 4242 4242 4242"

VISITORS_NEEDED = 12
# When the demo has no customers yet (a bare database), these visitors buy.
FALLBACK_VISITORS = (
    ("Léa", "Moreau", "lea.moreau@example.org"),
    ("Hugo", "Fontaine", "hugo.fontaine@example.net"),
    ("Inès", "Garnier", "ines.garnier@example.org"),
    ("Tom", "Chevalier", "tom.chevalier@example.com"),
    ("Jade", "Lambert", "jade.lambert@example.org"),
    ("Nolan", "Faure", "nolan.faure@example.net"),
    ("Zoé", "Rousseau", "zoe.rousseau@example.org"),
    ("Mathis", "Blanc", "mathis.blanc@example.com"),
    ("Chloé", "Guerin", "chloe.guerin@example.org"),
    ("Raphaël", "Muller", "raphael.muller@example.net"),
    ("Lina", "Henry", "lina.henry@example.org"),
    ("Sacha", "Perrin", "sacha.perrin@example.com"),
)


@dataclass(frozen=True)
class CommerceReport:
    offers: int
    groups: int
    tickets: int


def _offers(actor: User, today: dt.date) -> tuple[Offer, Offer, Offer]:
    nocturne = offer_create(
        actor=actor,
        data=OfferData(
            title="Nocturne des Lumières",
            description="Le parc illuminé jusqu'à minuit, **feu d'artifice** à 23 h.",
            kind=OfferKind.DATED,
            event_date=today + dt.timedelta(days=21),
            venue="Parc des Lumières",
            capacity=400,
            base_price_cents=3200,
            tiers=[(4, 2900), (8, 2500)],
            min_group_size=3,
            max_group_size=12,
            max_seats_per_participant=4,
            group_window_hours=72,
            slug="nocturne-des-lumieres",
        ),
    )
    day_pass = offer_create(
        actor=actor,
        data=OfferData(
            title="Pass journée entre amis",
            description="Une journée au parc, à la date de votre choix dans l'année.",
            kind=OfferKind.OPEN_DATED,
            validity_days=365,
            venue="Parc des Lumières",
            capacity=2000,
            base_price_cents=4500,
            tiers=[(5, 3900), (10, 3500)],
            min_group_size=4,
            max_group_size=20,
            max_seats_per_participant=6,
            group_window_hours=96,
            slug="pass-journee-entre-amis",
        ),
    )
    halloween = offer_create(
        actor=actor,
        data=OfferData(
            title="Soirée Halloween",
            description="Maisons hantées et parade. Payé à l'inscription, remboursé si le "
            "groupe ne se forme pas.",
            kind=OfferKind.DATED,
            event_date=today + dt.timedelta(days=60),
            venue="Parc des Lumières",
            capacity=300,
            base_price_cents=3800,
            tiers=[(6, 3300)],
            min_group_size=4,
            max_group_size=10,
            max_seats_per_participant=4,
            group_window_hours=24 * 10,
            payment_mode=PaymentMode.PAY_NOW,
            slug="soiree-halloween",
        ),
    )
    for offer in (nocturne, day_pass, halloween):
        offer_publish(actor=actor, offer=offer)
    Gate.objects.bulk_create(
        [
            Gate(slug="entree-principale", name="Entrée principale", offer=nocturne),
            Gate(slug="portique-est", name="Portique Est", offer=day_pass),
            Gate(slug="entree-halloween", name="Entrée Halloween", offer=halloween),
        ]
    )
    return nocturne, day_pass, halloween


def _visitors(portal_email: str) -> tuple[Party, list[Party]]:
    """The demo's own customers buy (no new record in the person hub), the portal's
    showcase customer first; a bare database gets a few visitors of its own."""
    customers = (
        Person.objects.filter(
            merged_into__isnull=True, erased_at__isnull=True, identifiers__kind="email"
        )
        .exclude(pk__in=User.objects.values("person_id"))
        .distinct()
        .order_by("pk")
    )
    showcase = customers.filter(identifiers__value=portal_email).first() if portal_email else None
    if showcase is not None:
        customers = customers.exclude(pk=showcase.pk)
    parties = [_known(person) for person in customers[:VISITORS_NEEDED]]
    if len(parties) < VISITORS_NEEDED:
        parties = [_new(*visitor) for visitor in FALLBACK_VISITORS]
    organiser = _known(showcase) if showcase is not None else parties.pop()
    return organiser, parties


def _known(person: Person) -> Party:
    email = person.identifiers.filter(kind="email").order_by("pk").first()
    return Party(
        identifiers=[IdentifierIn("email", email.value if email else "")],
        profile=Profile(given_name=person.given_name, family_name=person.family_name),
        person=person,
    )


def _new(given: str, family: str, email: str) -> Party:
    return Party(
        identifiers=[IdentifierIn("email", email)],
        profile=Profile(given_name=given, family_name=family),
        person=None,
    )


def _pay(outcome: JoinOutcome) -> None:
    """The customer pays on the sandbox's page with its test card; its answer is applied."""
    payment = outcome.payment
    result = sandbox_pay(ref=payment.provider_ref, card_number=TEST_CARD)
    kind: EventKind = "captured" if result == "captured" else "authorized"
    event = ProviderEvent(
        provider=payment.provider,
        event_id=f"demo-{payment.pk}-{kind}",
        kind=kind,
        ref=payment.provider_ref,
        amount_cents=payment.amount_cents,
    )
    with transaction.atomic():
        payment_event_apply(event)


def _group(
    offer: Offer,
    visitors: list[Party],
    seats: list[int],
    *,
    paid: int,
    title: str,
    key: str,
) -> GroupOrder:
    """The first visitor opens, the others join from the link; the first ``paid`` pay."""
    opened = group_open(
        offer=offer,
        organiser=visitors[0],
        seats=seats[0],
        title=title,
        idempotency_key=f"demo-{key}-0",
    )
    outcomes = [opened]
    group = opened.participant.group
    for n, visitor in enumerate(visitors[1:], start=1):
        outcomes.append(
            group_join(
                group=group,
                share_token=group.share_token,
                party=visitor,
                seats=seats[n],
                idempotency_key=f"demo-{key}-{n}",
            )
        )
    for outcome in outcomes[:paid]:
        _pay(outcome)
    return GroupOrder.objects.get(pk=group.pk)


def demo_commerce_create(
    *, users: list[User], portal_email: str = "", now: dt.datetime | None = None
) -> CommerceReport:
    """The park's offers and groups: open, tipped, completed with tickets, failed."""
    now = now or timezone.now()
    managers = [u for u in users if u.can(Capability.MANAGE_COMMERCE)]
    if not managers:
        return CommerceReport(0, 0, 0)
    nocturne, day_pass, halloween = _offers(managers[0], timezone.localdate(now))
    if settings.COMMERCE_PAYMENT_PROVIDER != "sandbox":
        # Only the sandbox can be paid without a human: real providers get offers only.
        return CommerceReport(offers=3, groups=0, tickets=0)
    organiser, people = _visitors(portal_email)
    # Completed with tickets: the portal's customer organised it (the portal shows them).
    completed = _group(
        nocturne,
        [organiser, *people[0:3]],
        [2, 1, 1, 1],
        paid=4,
        title=f"Anniversaire de {organiser.profile.given_name}",
        key="c",
    )
    # Failed: not enough friends paid before the deadline.
    failed = _group(day_pass, people[3:5], [1, 1], paid=1, title="Sortie du club photo", key="f")
    GroupOrder.objects.filter(pk=failed.pk).update(deadline=now - dt.timedelta(minutes=1))
    deadlines_run(now=now + dt.timedelta(hours=72, minutes=1))
    # Still gathering: an open group with friends, and a tipped one waiting for more.
    _group(nocturne, people[5:8], [1, 1, 1], paid=2, title="Les copains du lycée", key="o")
    _group(day_pass, people[8:12], [2, 1, 1, 1], paid=3, title="EVJF de Jade", key="t")
    _group(halloween, people[0:2], [2, 1], paid=2, title="Frissons entre collègues", key="h")
    tickets = Ticket.objects.filter(participant__group=completed).count()
    return CommerceReport(offers=3, groups=GroupOrder.objects.count(), tickets=tickets)
