"""The employees' group-buying pages: offers, their prices, groups, and cancelling one."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from socius.accounts.models import User
from socius.accounts.roles import Role
from socius.commerce.forms import euros_to_cents, tiers_parse
from socius.commerce.models import GroupOrder, GroupState, Offer, OfferStatus, PriceTier
from socius.commerce.tests.pages_support import joined, offer_on_sale, opened, provider_says
from socius.conftest import Cast, make_employee, signed_in_client

pytestmark = pytest.mark.django_db

# Session, user, the offers with their group counts (one query).
OFFER_LIST_QUERIES = 3
# Session, user, offer, its tiers, its groups (one query with the counts).
OFFER_DETAIL_QUERIES = 6
# Session, user, group (with offer and organiser), participants, their payments, activity.
GROUP_DETAIL_QUERIES = 6


@pytest.fixture
def manager(cast: Cast) -> User:
    return make_employee("marc.ventes@example.com", "Marc Ventes", "ventes", Role.MANAGER)


def _offer_form(**overrides: str) -> dict[str, str]:
    data = {
        "title": "Nocturne du 14 juillet",
        "description": "Feu d'artifice **compris**.",
        "kind": "dated",
        "event_date": "2031-07-14",
        "validity_days": "1",
        "venue": "Parc des Lumières",
        "capacity": "400",
        "base_price": "32,50",
        "tiers": "4: 29,00\n8: 24.50",
        "min_group_size": "3",
        "max_group_size": "12",
        "max_seats_per_participant": "6",
        "group_window_hours": "48",
        "payment_mode": "hold",
        "sale_starts_at": "",
        "sale_ends_at": "",
    }
    data.update(overrides)
    return data


def test_amounts_are_typed_the_french_or_the_english_way() -> None:
    assert euros_to_cents("24,50") == 2450
    assert euros_to_cents("24.5") == 2450
    assert euros_to_cents(" 24 € ") == 2400
    assert tiers_parse("8: 24.50\n\n4 : 29,00") == [(4, 2900), (8, 2450)]
    with pytest.raises(ValidationError):
        euros_to_cents("24,505")


def test_a_manager_creates_an_offer_with_its_tiers_in_cents(manager: User) -> None:
    client = signed_in_client(manager)
    response = client.post(reverse("commerce:offer-create"), _offer_form())
    offer = Offer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("commerce:offer-detail", args=[offer.pk])
    assert offer.base_price_cents == 3250
    assert offer.status == OfferStatus.DRAFT
    assert list(PriceTier.objects.values_list("min_group_size", "unit_price_cents")) == [
        (4, 2900),
        (8, 2450),
    ]


def test_a_bad_form_keeps_what_was_typed_and_saves_nothing(manager: User) -> None:
    client = signed_in_client(manager)
    form = _offer_form(base_price="vingt", tiers="4 - 29", max_group_size="2")
    response = client.post(reverse("commerce:offer-create"), form)
    assert response.status_code == 422
    page = response.content.decode()
    assert 'value="vingt"' in page
    assert "4 - 29" in page
    assert page.count('class="field__error"') == 3
    assert not Offer.objects.exists()


def test_the_service_refusal_is_shown_next_to_its_field(manager: User) -> None:
    client = signed_in_client(manager)
    # A tier dearer than the base price: the form accepts the shape, the service refuses.
    response = client.post(reverse("commerce:offer-create"), _offer_form(tiers="4: 40,00"))
    assert response.status_code == 422
    assert "field--invalid" in response.content.decode()
    assert not Offer.objects.exists()


def test_edit_publish_and_archive(manager: User) -> None:
    client = signed_in_client(manager)
    client.post(reverse("commerce:offer-create"), _offer_form())
    offer = Offer.objects.get()
    edit = client.get(reverse("commerce:offer-edit", args=[offer.pk])).content.decode()
    assert 'value="32,50"' in edit
    assert "8: 24,50" in edit
    response = client.post(
        reverse("commerce:offer-edit", args=[offer.pk]), _offer_form(base_price="35", tiers="")
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.base_price_cents == 3500
    assert not offer.tiers.exists()
    client.post(reverse("commerce:offer-publish", args=[offer.pk]))
    assert Offer.objects.get().status == OfferStatus.PUBLISHED
    client.post(reverse("commerce:offer-archive", args=[offer.pk]))
    assert Offer.objects.get().status == OfferStatus.ARCHIVED
    # Publishing an archived offer is refused; nothing changes.
    response = client.post(reverse("commerce:offer-publish", args=[offer.pk]))
    assert response.status_code == 302
    assert Offer.objects.get().status == OfferStatus.ARCHIVED


def test_the_list_shows_seats_left_and_groups_in_fixed_queries(
    manager: User, django_assert_num_queries: Any
) -> None:
    first = offer_on_sale(manager)
    opened(first, "a@example.org", seats=2)
    offer_on_sale(manager, title="Pass journée", kind="open_dated", event_date=None)
    client = signed_in_client(manager)
    with django_assert_num_queries(OFFER_LIST_QUERIES):
        response = client.get(reverse("commerce:offer-list"))
    page = response.content.decode()
    assert f'data-offer="{first.pk}"' in page
    assert 'data-remaining="48"' in page
    assert 'data-groups="1"' in page


def test_an_offers_groups_and_a_groups_participants(
    manager: User, django_assert_num_queries: Any
) -> None:
    offer = offer_on_sale(manager)
    outcome = opened(offer)
    friend = joined(outcome, "hugo@example.net", "Hugo", seats=2)
    provider_says(outcome.participant)
    group = outcome.participant.group
    client = signed_in_client(manager)
    with django_assert_num_queries(OFFER_DETAIL_QUERIES):
        detail = client.get(reverse("commerce:offer-detail", args=[offer.pk]))
    assert f'data-group="{group.pk}" data-state="open"' in detail.content.decode()
    with django_assert_num_queries(GROUP_DETAIL_QUERIES):
        response = client.get(reverse("commerce:group-detail", args=[group.pk]))
    page = response.content.decode()
    assert (
        f'data-participant="{outcome.participant.pk}" data-state="authorized" '
        'data-payment="authorized"'
    ) in page
    assert f'data-participant="{friend.participant.pk}" data-state="reserved"' in page
    assert 'data-testid="group-secured">1<' in page
    assert 'data-testid="group-held">3<' in page
    assert 'data-verb="commerce.' in page


def test_cancelling_a_group_needs_a_reason_and_a_confirmation(manager: User) -> None:
    offer = offer_on_sale(manager)
    outcome = opened(offer)
    provider_says(outcome.participant)
    group = outcome.participant.group
    client = signed_in_client(manager)
    url = reverse("commerce:group-cancel", args=[group.pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"reason": "météo"})
    assert refused.status_code == 422
    assert GroupOrder.objects.get().state == GroupState.OPEN
    done = client.post(url, {"reason": "météo", "confirm": "on"})
    assert done.status_code == 302
    group.refresh_from_db()
    assert group.state == GroupState.CANCELLED


@pytest.mark.parametrize(
    "name",
    ["offer-list", "offer-create", "offer-detail", "offer-edit", "group-detail", "group-cancel"],
)
def test_employees_without_the_capability_are_refused(cast: Cast, manager: User, name: str) -> None:
    offer = offer_on_sale(manager)
    group = opened(offer).participant.group
    args: list[int] = []
    if name not in ("offer-list", "offer-create"):
        args = [group.pk] if name.startswith("group") else [offer.pk]
    url = reverse(f"commerce:{name}", args=args)
    assert signed_in_client(cast.outsider).get(url).status_code == 403
    assert (
        signed_in_client(cast.outsider).post(url, {"reason": "x", "confirm": "on"}).status_code
        == 403
    )
    anonymous = signed_in_client(cast.outsider)
    anonymous.logout()
    assert anonymous.get(url).status_code == 302  # to the sign-in page
    assert GroupOrder.objects.get().state == GroupState.OPEN


def test_publishing_needs_the_capability_and_an_unknown_id_is_404(
    cast: Cast, manager: User
) -> None:
    client = signed_in_client(manager)
    client.post(reverse("commerce:offer-create"), _offer_form())
    offer = Offer.objects.get()
    outsider = signed_in_client(cast.outsider)
    assert outsider.post(reverse("commerce:offer-publish", args=[offer.pk])).status_code == 403
    assert Offer.objects.get().status == OfferStatus.DRAFT
    assert client.get(reverse("commerce:offer-detail", args=[offer.pk + 99])).status_code == 404
    assert client.get(reverse("commerce:group-detail", args=[99])).status_code == 404


def test_the_navigation_shows_group_buying_to_managers_and_the_gate_to_employees(
    cast: Cast, manager: User
) -> None:
    managed = signed_in_client(manager).get(reverse("core:home")).content.decode()
    assert 'data-testid="nav-commerce"' in managed
    assert 'data-testid="nav-gate"' in managed
    employee = signed_in_client(cast.outsider).get(reverse("core:home")).content.decode()
    assert 'data-testid="nav-commerce"' not in employee
    assert 'data-testid="nav-gate"' in employee
