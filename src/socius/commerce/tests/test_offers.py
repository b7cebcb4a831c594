from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from socius.commerce.errors import HoldWindowTooLong, InvalidOffer, OfferStateRefused
from socius.commerce.models import Offer, OfferStatus, PriceTier
from socius.commerce.selectors import next_tier, offers_on_sale, tier_price
from socius.commerce.services import offer_archive, offer_create, offer_publish, offer_update
from socius.commerce.tests.test_groups_support import offer_data, published_offer
from socius.conftest import Cast
from socius.core.errors import Forbidden
from socius.core.models import Activity

pytestmark = pytest.mark.django_db


def test_it_creates_an_offer_with_its_tiers_and_an_activity(cast: Cast) -> None:
    offer = offer_create(actor=cast.admin, data=offer_data())
    assert offer.status == OfferStatus.DRAFT
    assert list(offer.tiers.values_list("min_group_size", "unit_price_cents")) == [
        (5, 2700),
        (10, 2400),
    ]
    assert offer.slug == "parc-des-lumieres-journee"
    assert (
        Activity.objects.filter(verb="commerce.offer_created", object_id=str(offer.pk)).count() == 1
    )


def test_it_gives_a_second_offer_with_the_same_title_its_own_slug(cast: Cast) -> None:
    first = offer_create(actor=cast.admin, data=offer_data())
    second = offer_create(actor=cast.admin, data=offer_data())
    assert first.slug != second.slug


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"min_group_size": 0}, "min_group_size"),
        ({"min_group_size": 5, "max_group_size": 4}, "min_group_size"),
        ({"max_group_size": 200}, "min_group_size"),  # above capacity (100)
        ({"tiers": [(5, 2700), (10, 2800)]}, "tiers"),  # dearer as the group grows
        ({"tiers": [(5, 3100)]}, "tiers"),  # above the base price
        ({"tiers": [(5, 2700), (5, 2600)]}, "tiers"),
        ({"tiers": [(30, 2000)]}, "tiers"),  # beyond the largest group
        ({"event_date": None}, "event_date"),
        ({"max_seats_per_participant": 0}, "max_seats_per_participant"),
        ({"capacity": 0}, "capacity"),
    ],
)
def test_it_refuses_inconsistent_terms(cast: Cast, changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidOffer) as refused:
        offer_create(actor=cast.admin, data=offer_data(**changes))
    assert refused.value.details["field"] == field
    assert Offer.objects.count() == 0


def test_it_refuses_a_sale_window_ending_before_it_starts(cast: Cast) -> None:
    now = timezone.now()
    with pytest.raises(InvalidOffer) as refused:
        offer_create(
            actor=cast.admin,
            data=offer_data(sale_starts_at=now, sale_ends_at=now - dt.timedelta(hours=1)),
        )
    assert refused.value.details["field"] == "sale_ends_at"


def test_it_refuses_sales_ending_after_the_event_starts(cast: Cast) -> None:
    event = (timezone.now() + dt.timedelta(days=3)).date()
    ends = timezone.make_aware(dt.datetime.combine(event, dt.time(12)))
    with pytest.raises(InvalidOffer):
        offer_create(actor=cast.admin, data=offer_data(event_date=event, sale_ends_at=ends))


def test_it_asks_for_pay_now_beyond_five_days_of_holding(cast: Cast) -> None:
    with pytest.raises(HoldWindowTooLong) as refused:
        offer_create(actor=cast.admin, data=offer_data(group_window_hours=121))
    assert refused.value.code == "hold_window_too_long"
    offer = offer_create(
        actor=cast.admin, data=offer_data(group_window_hours=121, payment_mode="pay_now")
    )
    assert offer.group_window_hours == 121
    assert offer_create(actor=cast.admin, data=offer_data(group_window_hours=120)).pk


def test_it_lets_an_open_dated_ticket_go_without_a_date(cast: Cast) -> None:
    offer = offer_create(actor=cast.admin, data=offer_data(kind="open_dated", event_date=None))
    assert offer.event_date is None


def test_only_commerce_managers_manage_offers(cast: Cast) -> None:
    with pytest.raises(Forbidden):
        offer_create(actor=cast.agent, data=offer_data())
    offer = offer_create(actor=cast.admin, data=offer_data())
    with pytest.raises(Forbidden):
        offer_publish(actor=cast.colleague, offer=offer)
    assert Offer.objects.get().status == OfferStatus.DRAFT


def test_it_publishes_once_and_archives(cast: Cast) -> None:
    offer = offer_create(actor=cast.admin, data=offer_data())
    offer_publish(actor=cast.admin, offer=offer)
    assert list(offers_on_sale()) == [offer]
    with pytest.raises(OfferStateRefused):
        offer_publish(actor=cast.admin, offer=offer)
    offer_archive(actor=cast.admin, offer=offer)
    assert Offer.objects.get().status == OfferStatus.ARCHIVED
    assert list(offers_on_sale()) == []
    about = Activity.objects.filter(object_type="commerce.offer", object_id=str(offer.pk))
    verbs = about.values_list("verb", flat=True)
    assert sorted(verbs) == [
        "commerce.offer_archived",
        "commerce.offer_created",
        "commerce.offer_published",
    ]


def test_an_offer_outside_its_sale_window_is_not_on_sale(cast: Cast) -> None:
    later = timezone.now() + dt.timedelta(days=1)
    published_offer(cast.admin, sale_starts_at=later)
    assert list(offers_on_sale()) == []


def test_it_updates_terms_and_replaces_tiers(cast: Cast) -> None:
    offer = offer_create(actor=cast.admin, data=offer_data())
    offer_update(actor=cast.admin, offer=offer, data=offer_data(capacity=50, tiers=[(4, 2500)]))
    offer.refresh_from_db()
    assert offer.capacity == 50
    assert list(PriceTier.objects.values_list("min_group_size", "unit_price_cents")) == [(4, 2500)]


def test_it_never_lowers_capacity_below_seats_taken(cast: Cast) -> None:
    offer = offer_create(actor=cast.admin, data=offer_data())
    Offer.objects.filter(pk=offer.pk).update(seats_taken=30)
    with pytest.raises(InvalidOffer):
        offer_update(actor=cast.admin, offer=offer, data=offer_data(capacity=29, max_group_size=20))
    assert Offer.objects.get().capacity == 100


def test_the_tier_price_is_the_cheapest_tier_reached(cast: Cast) -> None:
    offer = offer_create(actor=cast.admin, data=offer_data())
    assert [tier_price(offer, seats) for seats in (1, 4, 5, 9, 10, 20)] == [
        3000,
        3000,
        2700,
        2700,
        2400,
        2400,
    ]
    assert next_tier(offer, 3) == (2, 2700)
    assert next_tier(offer, 7) == (3, 2400)
    assert next_tier(offer, 10) is None
