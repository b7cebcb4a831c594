from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from socius.commerce.models import CheckIn, Ticket
from socius.commerce.tests.factories import gate_make, offer_make, paid_participant
from socius.commerce.tickets.issue import ticket_reissue, tickets_issue
from socius.commerce.tickets.keys import public_keys
from socius.conftest import signed_in_client

pytestmark = pytest.mark.django_db
DURING = dt.datetime(2026, 7, 14, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def tickets() -> list[Ticket]:
    offer = offer_make(event_date=dt.date(2026, 7, 14))
    gate_make(offer, slug="north", name="Porte nord")
    return tickets_issue(paid_participant(offer=offer, seats=2))


def _post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_staff_pick_a_gate_then_get_the_scanner(
    cast: Any, tickets: list[Ticket], django_assert_max_num_queries: Any
) -> None:
    client = signed_in_client(cast.outsider)
    with django_assert_max_num_queries(8):
        listing = client.get(reverse("gate:list"))
    assert 'data-gate="north"' in listing.content.decode()
    page = client.get(reverse("gate:scanner", args=["north"]))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-offer="{tickets[0].offer_id}"' in html
    assert 'src="/static/commerce/gate.js"' in html
    assert 'src="/static/vendor/jsQR.js"' in html
    assert "<script>" not in html  # the CSP allows no inline script
    assert client.get(reverse("gate:scanner", args=["nowhere"])).status_code == 404


def test_the_gate_asks_to_sign_in(client: Client, tickets: list[Ticket]) -> None:
    assert client.get(reverse("gate:scanner", args=["north"])).status_code == 302
    response = _post(client, reverse("gate:scan", args=["north"]), {"code": tickets[0].code})
    assert response.status_code == 302
    assert not CheckIn.objects.exists()


@time_machine.travel(DURING, tick=False)
def test_a_scan_from_the_page_checks_in(cast: Any, tickets: list[Ticket]) -> None:
    client = signed_in_client(cast.outsider)
    url = reverse("gate:scan", args=["north"])
    first = _post(client, url, {"code": tickets[0].code, "nonce": "page-1"})
    assert first.json()["result"] == "ok"
    assert first.json()["seat"] == 1
    assert _post(client, url, {"code": tickets[0].code}).json()["result"] == "already_checked_in"
    assert _post(client, url, {"code": 12}).status_code == 422
    assert CheckIn.objects.get(nonce="page-1").scanned_by == cast.outsider


def test_the_page_endpoints_need_the_csrf_token(cast: Any, tickets: list[Ticket]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.outsider)
    response = _post(client, reverse("gate:scan", args=["north"]), {"code": tickets[0].code})
    assert response.status_code == 403
    assert not CheckIn.objects.exists()


@time_machine.travel(DURING, tick=False)
def test_the_page_syncs_its_offline_scans(cast: Any, tickets: list[Ticket]) -> None:
    client = signed_in_client(cast.outsider)
    scans = [{"code": t.code, "nonce": f"offline-{t.seat_no}", "scanned_at": "2026-07-14T09:00:00Z"}
             for t in tickets]  # fmt: skip
    url = reverse("gate:sync", args=["north"])
    first = _post(client, url, {"scans": scans}).json()["results"]
    again = _post(client, url, {"scans": scans}).json()["results"]
    assert [r["result"] for r in first] == ["ok", "ok"]
    assert [r["replayed"] for r in again] == [True, True]
    assert CheckIn.objects.filter(offline=True, gate="north").count() == 2
    assert _post(client, url, {"scans": [{"code": "x"}]}).status_code == 422
    assert _post(client, url, {"scans": "nope"}).status_code == 422


def test_the_page_downloads_what_offline_checks_need(cast: Any, tickets: list[Ticket]) -> None:
    ticket_reissue(tickets[1], "transfer")
    client = signed_in_client(cast.outsider)
    data = client.get(reverse("gate:offline-data", args=["north"])).json()
    assert data == {
        "gate": "north", "offer": tickets[0].offer_id, "current": "k1",
        "keys": public_keys(), "revoked": [str(tickets[1].tid)],
    }  # fmt: skip
