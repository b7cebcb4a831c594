"""The commerce API's offers and groups: the exact interfaces of issue 7."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from socius.accounts.models import User
from socius.accounts.services import token_create
from socius.commerce.models import GroupOrder, Offer, Participant
from socius.commerce.tests.test_groups_support import (  # noqa: F401 - the fixture
    FakeProvider,
    provider_event,
    provider_fixture,
)
from socius.conftest import Cast
from socius.core.models import Activity

pytestmark = pytest.mark.django_db


def client_for(user: User, *scopes: str) -> Client:
    secret = token_create(user=user, name="test", scopes=list(scopes)).secret
    return Client(headers={"Authorization": f"Bearer {secret}"})


def send(client: Client, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    call = getattr(client, method)
    if body is None:
        return call(path)
    return call(path, data=json.dumps(body), content_type="application/json")


def offer_body(**changes: Any) -> dict[str, Any]:
    body = {
        "title": "Parc des Lumières",
        "capacity": 50,
        "base_price_cents": 3000,
        "tiers": [
            {"min_group_size": 5, "unit_price_cents": 2700},
            {"min_group_size": 10, "unit_price_cents": 2400},
        ],
        "min_group_size": 3,
        "max_group_size": 12,
        "group_window_hours": 48,
        "event_date": (timezone.now() + dt.timedelta(days=20)).date().isoformat(),
        "sale_starts_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "sale_ends_at": (timezone.now() + dt.timedelta(days=10)).isoformat(),
    }
    body.update(changes)
    return body


@pytest.fixture
def admin_api(cast: Cast) -> Client:
    return client_for(cast.admin, "commerce:admin", "commerce:read", "commerce:write")


def _offer(admin_api: Client, **changes: Any) -> dict[str, Any]:
    response = send(admin_api, "post", "/api/v1/commerce/offers", offer_body(**changes))
    assert response.status_code == 201, response.content
    offer: dict[str, Any] = response.json()
    assert (
        send(admin_api, "post", f"/api/v1/commerce/offers/{offer['id']}/publish").status_code == 200
    )
    return offer


def test_an_admin_creates_an_offer_and_reads_it_back(admin_api: Client) -> None:
    created = _offer(admin_api)
    assert set(created) >= {"id", "remaining_seats", "tiers"}
    detail = send(admin_api, "get", f"/api/v1/commerce/offers/{created['id']}").json()
    assert detail["remaining_seats"] == 50
    assert detail["status"] == "published"
    assert detail["tiers"] == [
        {"min_group_size": 5, "unit_price_cents": 2700},
        {"min_group_size": 10, "unit_price_cents": 2400},
    ]
    listed = send(admin_api, "get", "/api/v1/commerce/offers").json()
    assert [item["id"] for item in listed] == [created["id"]]


def test_it_patches_an_offer_and_checks_the_result_whole(admin_api: Client) -> None:
    created = _offer(admin_api)
    path = f"/api/v1/commerce/offers/{created['id']}"
    assert send(admin_api, "patch", path, {"capacity": 40}).json()["capacity"] == 40
    refused = send(admin_api, "patch", path, {"group_window_hours": 200})
    assert (refused.status_code, refused.json()["code"]) == (422, "hold_window_too_long")
    refused = send(admin_api, "patch", path, {"title": None})
    assert (refused.status_code, refused.json()["code"]) == (422, "invalid_input")
    assert Offer.objects.get().group_window_hours == 48


def test_it_refuses_inconsistent_tiers_with_a_clear_code(admin_api: Client) -> None:
    body = offer_body(tiers=[{"min_group_size": 5, "unit_price_cents": 3500}])
    response = send(admin_api, "post", "/api/v1/commerce/offers", body)
    assert (response.status_code, response.json()["code"]) == (422, "invalid_offer")
    assert response.json()["details"]["field"] == "tiers"
    assert Offer.objects.count() == 0


def test_creating_offers_needs_the_admin_scope(cast: Cast) -> None:
    writer = client_for(cast.agent, "commerce:read", "commerce:write")
    response = send(writer, "post", "/api/v1/commerce/offers", offer_body())
    assert (response.status_code, response.json()["code"]) == (403, "insufficient_scope")
    assert send(Client(), "get", "/api/v1/commerce/offers").status_code == 401
    assert Offer.objects.count() == 0


def test_a_group_is_opened_joined_and_followed(
    cast: Cast, admin_api: Client, provider: FakeProvider
) -> None:
    offer = _offer(admin_api)
    agent_api = client_for(cast.agent, "commerce:read", "commerce:write")
    opened = send(agent_api, "post", "/api/v1/commerce/groups", {
        "offer": offer["id"],
        "organiser": {"identifiers": [{"kind": "email", "value": "claire.dupont@example.org"}],
                      "profile": {"given_name": "Claire"}},
        "seats": 2,
    })  # fmt: skip
    assert opened.status_code == 201, opened.content
    group = opened.json()
    assert group["state"] == "open"
    assert len(group["share_token"]) == 43
    assert group["checkout_url"].startswith("https://pay.example/")
    join = {
        "share_token": group["share_token"],
        "identifiers": [{"kind": "email", "value": "hugo.bernard@example.net"}],
        "profile": {"given_name": "Hugo"},
        "seats": 1,
        "idempotency_key": "join-hugo-1",
    }
    path = f"/api/v1/commerce/groups/{group['id']}/join"
    first = send(agent_api, "post", path, join)
    assert first.status_code == 201, first.content
    again = send(agent_api, "post", path, join)
    assert again.status_code == 200
    assert again.json()["participant"] == first.json()["participant"]
    changed = send(agent_api, "post", path, {**join, "seats": 2})
    assert (changed.status_code, changed.json()["code"]) == (409, "idempotency_key_reused")
    for participant in Participant.objects.all():
        provider_event(participant.payments.get(), "authorized")
    detail = send(agent_api, "get", f"/api/v1/commerce/groups/{group['id']}").json()
    assert (detail["state"], detail["seats_secured"], detail["seats_needed_to_tip"]) == (
        "tipped",
        3,
        0,
    )
    assert detail["unit_price_cents"] == 3000
    assert (detail["next_tier_seats_needed"], detail["next_tier_unit_price_cents"]) == (2, 2700)
    assert [p["display_name"] for p in detail["participants"]] == ["Claire Dupont", "Hugo Bernard"]
    assert "hugo.bernard@example.net" not in json.dumps(detail)


def test_a_join_beyond_the_offer_answers_sold_out(
    cast: Cast, admin_api: Client, provider: FakeProvider
) -> None:
    offer = _offer(admin_api, capacity=3, max_group_size=3, min_group_size=2, tiers=[])
    opened = send(admin_api, "post", "/api/v1/commerce/groups", {
        "offer": offer["id"], "seats": 2,
        "organiser": {"identifiers": [{"kind": "email", "value": "o@example.org"}]},
    }).json()  # fmt: skip
    second = send(admin_api, "post", "/api/v1/commerce/groups", {
        "offer": offer["id"], "seats": 1,
        "organiser": {"identifiers": [{"kind": "email", "value": "p@example.org"}]},
    }).json()  # fmt: skip
    response = send(admin_api, "post", f"/api/v1/commerce/groups/{opened['id']}/join", {
        "share_token": opened["share_token"], "seats": 1, "idempotency_key": "k",
        "identifiers": [{"kind": "email", "value": "late@example.org"}],
    })  # fmt: skip
    assert (response.status_code, response.json()["code"]) == (409, "sold_out")
    assert second["state"] == "open"
    assert Offer.objects.get().seats_taken == 3


def test_a_wrong_share_token_or_unknown_group_answers_404_and_changes_nothing(
    cast: Cast, admin_api: Client, provider: FakeProvider
) -> None:
    offer = _offer(admin_api)
    opened = send(admin_api, "post", "/api/v1/commerce/groups", {
        "offer": offer["id"], "seats": 1,
        "organiser": {"identifiers": [{"kind": "email", "value": "o@example.org"}]},
    }).json()  # fmt: skip
    before = (Participant.objects.count(), Activity.objects.count())
    join = {
        "share_token": "a" * 43, "seats": 1, "idempotency_key": "k",
        "identifiers": [{"kind": "email", "value": "x@example.org"}],
    }  # fmt: skip
    wrong = send(admin_api, "post", f"/api/v1/commerce/groups/{opened['id']}/join", join)
    assert wrong.status_code == 404
    missing = send(admin_api, "post", "/api/v1/commerce/groups/999999/join", join)
    assert missing.status_code == 404
    assert (Participant.objects.count(), Activity.objects.count()) == before


def test_a_provider_outage_answers_502_payment_unavailable(
    cast: Cast, admin_api: Client, provider: FakeProvider
) -> None:
    offer = _offer(admin_api)
    provider.fail = {"checkout"}
    response = send(admin_api, "post", "/api/v1/commerce/groups", {
        "offer": offer["id"], "seats": 1,
        "organiser": {"identifiers": [{"kind": "email", "value": "o@example.org"}]},
    })  # fmt: skip
    assert (response.status_code, response.json()["code"]) == (502, "payment_unavailable")
    assert Offer.objects.get().seats_taken == 0
    assert GroupOrder.objects.get().seats_held == 0


def test_the_offer_list_costs_the_same_queries_for_one_or_ten_offers(
    admin_api: Client, django_assert_num_queries: Any
) -> None:
    # The token, the offers, their tiers: whatever the number of offers.
    _offer(admin_api)
    with django_assert_num_queries(3):
        send(admin_api, "get", "/api/v1/commerce/offers")
    for _ in range(9):
        _offer(admin_api)
    with django_assert_num_queries(3):
        listed = send(admin_api, "get", "/api/v1/commerce/offers").json()
    assert len(listed) == 10


def test_the_api_description_lists_the_commerce_endpoints(cast: Cast) -> None:
    from socius.api import api

    paths = api.get_openapi_schema()["paths"]
    assert {"/api/v1/commerce/offers", "/api/v1/commerce/groups/{group_id}/join"} <= set(paths)
