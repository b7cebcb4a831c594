"""The customer's group orders in the portal, and the panel of the person page."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from socius.accounts.models import User
from socius.accounts.roles import Role
from socius.commerce.registry import _person_panel_context
from socius.commerce.tests.pages_support import (
    joined,
    offer_on_sale,
    opened,
    portal_client,
    provider_says,
)
from socius.conftest import Cast, make_employee, signed_in_client
from socius.people.models import Person

pytestmark = pytest.mark.django_db

# Session, the signed-in person, the participations with groups, offers and ticket counts.
PORTAL_PAGE_QUERIES = 3
CLAIRE = ("Claire", "Dupont")


@pytest.fixture
def manager(cast: Cast) -> User:
    return make_employee("marc.ventes@example.com", "Marc Ventes", "ventes", Role.MANAGER)


def test_the_portal_lists_my_group_orders_only(
    cast: Cast, manager: User, django_assert_num_queries: Any
) -> None:
    offer = offer_on_sale(manager)
    mine = opened(offer, "claire.dupont@example.org", name=CLAIRE)
    provider_says(mine.participant)
    other = opened(offer, "quelquun@example.org")
    joined(mine, "hugo.bernard@example.net", "Hugo")
    client = portal_client(cast.customer)
    with django_assert_num_queries(PORTAL_PAGE_QUERIES):
        response = client.get(reverse("portal:group-orders"))
    page = response.content.decode()
    assert f'data-participant="{mine.participant.pk}" data-state="authorized"' in page
    assert f'data-participant="{other.participant.pk}"' not in page
    assert reverse("groups:participant", args=[mine.participant.access_token]) in page
    assert 'data-amount="3000"' in page


def test_the_portal_page_needs_a_signed_in_customer() -> None:
    response = Client().get(reverse("portal:group-orders"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:sign-in")


def test_the_person_page_shows_organised_and_joined_group_orders(
    cast: Cast, manager: User, django_assert_num_queries: Any
) -> None:
    offer = offer_on_sale(manager)
    organised = opened(offer, "claire.dupont@example.org", name=CLAIRE)
    other = opened(offer, "quelquun@example.org")
    joined_one = joined(other, "claire.dupont@example.org", "Claire", family_name="Dupont")
    with django_assert_num_queries(1):
        context = _person_panel_context(cast.customer, manager)
    assert {p.pk for p in context["group_orders"]} == {
        organised.participant.pk,
        joined_one.participant.pk,
    }
    page = signed_in_client(manager).get(reverse("people:person-detail", args=[cast.customer.pk]))
    html = page.content.decode()
    assert 'data-testid="person-group-orders"' in html
    assert f'data-participant="{organised.participant.pk}"' in html
    assert reverse("commerce:group-detail", args=[organised.participant.group_id]) in html


def test_the_person_page_costs_the_same_with_more_group_orders(
    cast: Cast, manager: User, django_assert_num_queries: Any
) -> None:
    offer = offer_on_sale(manager)
    opened(offer, "claire.dupont@example.org", name=CLAIRE)
    # Already a friend in one group, so other panels (relations) have their rows too.
    joined(
        opened(offer, "orga@example.org"),
        "claire.dupont@example.org",
        "Claire",
        family_name="Dupont",
    )
    client = signed_in_client(cast.agent)
    url = reverse("people:person-detail", args=[cast.customer.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    queries = len(first.captured_queries)  # read now: the next request clears the log
    for n in range(3):
        joined(
            opened(offer, f"orga{n}@example.org"),
            "claire.dupont@example.org",
            "Claire",
            family_name="Dupont",
        )
    client.get(url)  # the person page caches what its newest activity keys; warm it again
    with django_assert_num_queries(queries):
        response = client.get(url)
    # An agent sees the orders, without the staff link to the group.
    html = response.content.decode()
    assert html.count("data-participant=") == 5
    assert "/commerce/groups/" not in html
    assert Person.objects.filter(pk=cast.customer.pk).exists()
