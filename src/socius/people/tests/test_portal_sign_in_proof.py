"""A portal sign-in link proves a mailbox, not a person.

An address shared by a household, or attached to someone's record by an order someone
else typed, must not open that person's customer space (their data, export and erasure).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from socius.people.models import Identifier, Person
from socius.people.services import IdentifierIn, Profile, person_resolve
from socius.portal.access import SESSION_KEY
from socius.portal.errors import IdentityUnverified
from socius.portal.services import portal_link_consume, portal_link_request

pytestmark = pytest.mark.django_db

HOUSEHOLD = "famille.moreau@example.org"


def _household() -> tuple[Person, Person]:
    marie = person_resolve(
        identifiers=[IdentifierIn("email", HOUSEHOLD), IdentifierIn("phone", "06 11 22 33 44")],
        profile=Profile(
            given_name="Marie",
            family_name="Moreau",
            birth_date=dt.date(1961, 4, 2),
            address="12 rue des Lilas",
        ),
    ).person
    jean = person_resolve(
        identifiers=[IdentifierIn("email", HOUSEHOLD)],
        profile=Profile(given_name="Jean", family_name="Moreau"),
    ).person
    return marie, jean


def _sign_in_with(email: str) -> Person:
    from socius.portal import services
    from socius.portal.models import PortalLoginLink

    secret = "review-secret-for-a-shared-email-0123456789"
    portal_link_request(email=email, address=None)
    PortalLoginLink.objects.filter(email=email).update(digest=services._digest(secret))
    return portal_link_consume(secret=secret)


def test_it_keeps_the_household_apart_with_a_shared_email() -> None:
    marie, jean = _household()

    assert marie.pk != jean.pk
    assert set(Identifier.objects.filter(value=HOUSEHOLD).values_list("is_shared", flat=True)) == {
        True
    }


def test_it_does_not_sign_a_shared_mailbox_into_one_of_the_persons_sharing_it() -> None:
    marie, jean = _household()

    try:
        signed_in = _sign_in_with(HOUSEHOLD)
    except Exception:  # refusing the link is a correct answer
        return

    # Whoever opens the household mailbox must not become Marie or Jean in the portal.
    assert signed_in.pk not in {marie.pk, jean.pk}


def test_it_never_exports_marie_to_whoever_reads_the_household_mailbox() -> None:
    marie, _jean = _household()
    try:
        signed_in = _sign_in_with(HOUSEHOLD)
    except Exception:
        return
    client = Client()
    session = client.session
    session[SESSION_KEY] = signed_in.pk
    session.save()

    data = json.loads(client.get("/portal/my-data/export").content)

    assert data["person"].get("birth_date") != "1961-04-02"
    assert "12 rue des Lilas" not in json.dumps(data)


def test_it_does_not_open_a_customers_portal_to_an_email_attached_by_an_unverified_order(
    cast: object,
) -> None:
    """An order typed with someone else's phone number and one's own email attaches that
    email to the victim (a known identifier and no contradiction): the portal then treats
    the attacker's mailbox as proof of being the victim, with export and erasure."""
    from socius.people.services import InteractionIn
    from socius.people.services.interactions import interaction_ingest

    victim = cast.customer  # type: ignore[attr-defined]
    interaction_ingest(
        data=InteractionIn(
            source="shop",
            external_id="o-evil-1",
            identifiers=[
                IdentifierIn("email", "mallory@example.net"),
                IdentifierIn("phone", "06 12 34 56 78"),  # Claire's number, typed by Mallory
            ],
            kind="purchase",
        )
    )

    with pytest.raises(IdentityUnverified):
        _sign_in_with("mallory@example.net")

    assert Identifier.objects.get(value="mallory@example.net").person_id == victim.pk
