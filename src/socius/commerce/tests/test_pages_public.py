"""The customers' pages: an offer, a group behind its share link, a participant's own page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from socius.accounts.models import User
from socius.accounts.roles import Role
from socius.commerce.models import GroupOrder, GroupState, Participant, ParticipantState
from socius.commerce.tests.pages_support import (
    joined,
    offer_on_sale,
    opened,
    portal_client,
    provider_says,
)
from socius.conftest import Cast, make_employee

pytestmark = pytest.mark.django_db

# The offer with its tiers, the portal session (none: no query), nothing else.
OFFER_PAGE_QUERIES = 2
# The group with offer and organiser, the participants' first names.
GROUP_PAGE_QUERIES = 2
# The participant with group and offer, the payment, the live tickets' count.
PARTICIPANT_PAGE_QUERIES = 3


@pytest.fixture(autouse=True)
def _fresh_join_counts() -> None:
    cache.clear()


@pytest.fixture
def manager(cast: Cast) -> User:
    return make_employee("marc.ventes@example.com", "Marc Ventes", "ventes", Role.MANAGER)


def _key(page: str) -> str:
    match = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert match, "every join form carries its idempotency key"
    return match.group(1)


def _join_form(page: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "given_name": "Hugo",
        "family_name": "Bernard",
        "email": "hugo.bernard@example.net",
        "phone": "",
        "seats": "2",
        "idempotency_key": _key(page),
    }
    data.update(overrides)
    return data


def test_the_offer_page_opens_a_group_and_sends_to_the_payment(
    manager: User, django_assert_num_queries: Any
) -> None:
    offer = offer_on_sale(manager)
    client = Client()
    with django_assert_num_queries(OFFER_PAGE_QUERIES):
        page = client.get(reverse("groups:offer", args=[offer.slug]))
    html = page.content.decode()
    assert 'data-tier="4"' in html
    assert 'data-tier="8"' in html
    assert page.headers["X-Robots-Tag"] == "noindex, nofollow"
    form = _join_form(html, given_name="Léa", email="lea@example.org", title="Anniversaire")
    response = client.post(reverse("groups:offer", args=[offer.slug]), form)
    assert response.status_code == 302
    assert "/payments/sandbox/" in response["Location"]
    organiser = Participant.objects.get()
    assert organiser.is_organiser
    assert organiser.seats == 2
    assert organiser.group.title == "Anniversaire"
    assert organiser.person.given_name == "Léa"
    # The same form sent again (a double click) opens nothing more.
    again = client.post(reverse("groups:offer", args=[offer.slug]), form)
    assert again.status_code == 302
    assert Participant.objects.count() == 1


def test_a_signed_in_customer_is_prefilled_and_recognised(cast: Cast, manager: User) -> None:
    offer = offer_on_sale(manager)
    client = portal_client(cast.customer)
    html = client.get(reverse("groups:offer", args=[offer.slug])).content.decode()
    assert 'value="claire.dupont@example.org"' in html
    assert 'value="Claire"' in html
    # Another email typed: still the signed-in person, who is known.
    form = _join_form(html, given_name="Claire", email="claire.autre@example.org", seats="1")
    client.post(reverse("groups:offer", args=[offer.slug]), form)
    assert Participant.objects.get().person_id == cast.customer.pk


def test_form_errors_keep_what_was_typed(manager: User) -> None:
    offer = offer_on_sale(manager, max_seats_per_participant=3)
    client = Client()
    html = client.get(reverse("groups:offer", args=[offer.slug])).content.decode()
    bad = client.post(
        reverse("groups:offer", args=[offer.slug]), _join_form(html, email="pas-un-email")
    )
    assert bad.status_code == 422
    assert 'value="pas-un-email"' in bad.content.decode()
    too_many = client.post(reverse("groups:offer", args=[offer.slug]), _join_form(html, seats="5"))
    assert too_many.status_code == 422
    page = too_many.content.decode()
    assert 'value="hugo.bernard@example.net"' in page
    assert 'value="5"' in page
    assert _key(page) != _key(html)  # the next send is a new attempt
    assert not GroupOrder.objects.exists()


def test_an_unpublished_or_unknown_offer_is_404(manager: User) -> None:
    offer = offer_on_sale(manager)
    assert Client().get(reverse("groups:offer", args=["nope"])).status_code == 404
    GroupOrder.objects.none()
    from socius.commerce.services.offers import offer_archive

    offer_archive(actor=manager, offer=offer)
    assert Client().get(reverse("groups:offer", args=[offer.slug])).status_code == 404


def test_the_share_page_previews_well_and_shows_first_names_only(
    manager: User, django_assert_num_queries: Any
) -> None:
    offer = offer_on_sale(manager)
    outcome = opened(offer)
    provider_says(outcome.participant)
    group = outcome.participant.group
    url = reverse("groups:detail", args=[group.share_token])
    with django_assert_num_queries(GROUP_PAGE_QUERIES):
        response = Client().get(url)
    html = response.content.decode()
    for tag in ("og:title", "og:description", "og:url", "og:image", "og:type"):
        assert f'property="{tag}"' in html
    assert 'name="twitter:card" content="summary_large_image"' in html
    image = re.search(r'property="og:image" content="([^"]+)"', html)
    assert image
    assert image.group(1).startswith("http")
    assert image.group(1).endswith(".png")
    assert re.search(r'property="og:url" content="http[^"]+' + re.escape(url) + '"', html)
    description = re.search(r'property="og:description" content="([^"]+)"', html)
    assert description
    assert "30,00" in description.group(1)
    assert "2" in description.group(1)
    assert 'data-secured="1" data-minimum="3"' in html
    assert 'data-needed="3"' in html  # three more seats and everyone pays the 4-seat price
    assert "Léa" in html
    assert "Martin" not in html
    assert "lea@example.org" not in html
    assert Client().get(url).status_code == 200


def test_friends_join_from_the_link_and_a_retry_joins_once(manager: User) -> None:
    offer = offer_on_sale(manager)
    group = opened(offer).participant.group
    url = reverse("groups:detail", args=[group.share_token])
    client = Client()
    form = _join_form(client.get(url).content.decode())
    first = client.post(url, form)
    second = client.post(url, form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert "/payments/sandbox/" in first["Location"]
    friend = Participant.objects.get(is_organiser=False)
    assert friend.seats == 2
    assert friend.person.given_name == "Hugo"


def test_a_refused_join_says_why_and_keeps_what_was_typed(manager: User) -> None:
    offer = offer_on_sale(manager, capacity=3, min_group_size=2, max_group_size=3, tiers=[])
    group = opened(offer, seats=2).participant.group
    url = reverse("groups:detail", args=[group.share_token])
    client = Client()
    html = client.get(url).content.decode()
    full = client.post(url, _join_form(html, seats="2"))
    assert full.status_code == 409
    page = full.content.decode()
    assert 'value="hugo.bernard@example.net"' in page
    assert 'class="form-errors"' in page
    GroupOrder.objects.filter(pk=group.pk).update(state=GroupState.FAILED)
    closed = client.post(url, _join_form(html, seats="1"))
    assert closed.status_code == 409
    assert 'data-testid="join-refused"' in closed.content.decode()
    assert Participant.objects.count() == 1


def test_a_wrong_share_token_is_404(manager: User) -> None:
    offer = offer_on_sale(manager)
    group = opened(offer).participant.group
    wrong = group.share_token[:-2] + ("AA" if not group.share_token.endswith("AA") else "BB")
    assert Client().get(reverse("groups:detail", args=[wrong])).status_code == 404
    assert Client().post(reverse("groups:detail", args=[wrong]), {}).status_code == 404


def test_joins_are_rate_limited_per_address(manager: User, settings: Any) -> None:
    settings.COMMERCE_JOINS_PER_MINUTE = 1
    offer = offer_on_sale(manager)
    group = opened(offer).participant.group
    url = reverse("groups:detail", args=[group.share_token])
    client = Client()
    html = client.get(url).content.decode()
    assert client.post(url, _join_form(html)).status_code == 302
    refused = client.post(url, _join_form(html, email="autre@example.org", seats="1"))
    assert refused.status_code == 429
    assert Participant.objects.count() == 2


def test_the_participant_page_polls_until_the_payment_is_confirmed(
    manager: User, django_assert_num_queries: Any
) -> None:
    offer = offer_on_sale(manager)
    outcome = opened(offer)
    url = reverse("groups:participant", args=[outcome.participant.access_token])
    client = Client()
    with django_assert_num_queries(PARTICIPANT_PAGE_QUERIES):
        pending = client.get(url).content.decode()
    assert 'data-polling="1"' in pending
    assert 'hx-trigger="every 3s"' in pending
    assert 'data-testid="payment-pending"' in pending
    assert outcome.participant.group.share_token in pending  # the link to share
    provider_says(outcome.participant)
    part = client.get(url + "?part=status", headers={"HX-Request": "true"}).content.decode()
    assert part.lstrip().startswith("<section")
    assert 'data-state="authorized"' in part
    assert "data-polling" not in part


def test_another_participants_token_is_404(manager: User) -> None:
    offer = offer_on_sale(manager)
    outcome = opened(offer)
    token = outcome.participant.access_token
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert Client().get(reverse("groups:participant", args=[wrong])).status_code == 404
    assert Client().post(reverse("groups:participant-withdraw", args=[wrong])).status_code == 404
    assert Participant.objects.get().state == ParticipantState.RESERVED


def test_a_participant_withdraws_before_the_group_tips(manager: User) -> None:
    offer = offer_on_sale(manager)
    outcome = opened(offer)
    friend = joined(outcome, "hugo@example.net", "Hugo")
    provider_says(friend.participant)
    token = friend.participant.access_token
    page = Client().get(reverse("groups:participant", args=[token])).content.decode()
    assert 'data-testid="participant-withdraw"' in page
    response = Client().post(reverse("groups:participant-withdraw", args=[token]))
    assert response.status_code == 302
    friend.participant.refresh_from_db()
    assert friend.participant.state == ParticipantState.WITHDRAWN
