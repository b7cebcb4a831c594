from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.test import Client

from socius.accounts.services import token_create
from socius.commerce.models import CheckIn, Ticket
from socius.commerce.tests.factories import gate_make, offer_make, paid_participant
from socius.commerce.tickets.issue import ticket_reissue, tickets_issue
from socius.commerce.tickets.keys import public_keys

pytestmark = pytest.mark.django_db
DURING = dt.datetime(2026, 7, 14, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def tickets() -> list[Ticket]:
    offer = offer_make(event_date=dt.date(2026, 7, 14))
    gate_make(offer, slug="north")
    return tickets_issue(paid_participant(offer=offer, seats=3))


def _auth(user: Any, scopes: list[str]) -> dict[str, str]:
    secret = token_create(user=user, name="scanner", scopes=scopes).secret
    return {"Authorization": f"Bearer {secret}"}


def _post(client: Client, url: str, body: Any, auth: dict[str, str]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", headers=auth)


@time_machine.travel(DURING, tick=False)
def test_the_api_checks_a_ticket_in(client: Client, cast: Any, tickets: list[Ticket]) -> None:
    auth = _auth(cast.outsider, ["commerce:checkin"])
    body = {"code": tickets[0].code, "gate": "north"}
    first = _post(client, "/api/v1/commerce/checkin", body, auth)
    again = _post(client, "/api/v1/commerce/checkin", body, auth)
    assert first.status_code == 200
    assert first.json() == {
        "result": "ok", "ticket": str(tickets[0].tid), "seat": 1,
        "display_name": "Léa Martin", "nonce": None, "replayed": False,
    }  # fmt: skip
    assert again.json()["result"] == "already_checked_in"
    assert "display_name" not in again.json() or again.json()["display_name"] is None


def test_the_api_needs_the_checkin_scope(client: Client, cast: Any, tickets: list[Ticket]) -> None:
    auth = _auth(cast.colleague, ["people:read"])
    response = _post(
        client, "/api/v1/commerce/checkin", {"code": tickets[0].code, "gate": "north"}, auth
    )
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert (
        _post(client, "/api/v1/commerce/checkin", {"code": "x", "gate": "north"}, {}).status_code
        == 401
    )
    assert not CheckIn.objects.exists()


def test_an_unknown_gate_answers_404(client: Client, cast: Any, tickets: list[Ticket]) -> None:
    auth = _auth(cast.outsider, ["commerce:checkin"])
    response = _post(
        client, "/api/v1/commerce/checkin", {"code": tickets[0].code, "gate": "x"}, auth
    )
    assert (response.status_code, response.json()["code"]) == (404, "gate_not_found")


@time_machine.travel(DURING, tick=False)
def test_an_offline_batch_sent_twice_counts_once(
    client: Client, cast: Any, tickets: list[Ticket]
) -> None:
    auth = _auth(cast.outsider, ["commerce:checkin"])
    batch = [
        {"code": tickets[n].code, "gate": "north", "nonce": f"nonce-000{i + 1}",
         "scanned_at": f"2026-07-14T09:0{i}:00Z"}
        for i, n in enumerate((0, 1, 0))
    ]  # fmt: skip
    first = _post(client, "/api/v1/commerce/checkin/sync", batch, auth)
    again = _post(client, "/api/v1/commerce/checkin/sync", batch, auth)
    assert first.status_code == 200
    results = [(r["nonce"], r["result"]) for r in first.json()["results"]]
    assert results == [
        ("nonce-0001", "ok"),
        ("nonce-0002", "ok"),
        ("nonce-0003", "already_checked_in"),
    ]
    assert [(r["nonce"], r["result"]) for r in again.json()["results"]] == results
    assert all(r["replayed"] for r in again.json()["results"])
    assert CheckIn.objects.filter(offline=True).count() == 3


def test_a_scanner_gets_the_public_keys_and_the_revoked_tickets(
    client: Client, cast: Any, tickets: list[Ticket]
) -> None:
    auth = _auth(cast.outsider, ["commerce:checkin"])
    keys = client.get("/api/v1/commerce/checkin/keys", headers=auth).json()
    assert keys == {"current": "k1", "keys": public_keys()}
    ticket_reissue(tickets[2], "transfer")
    revoked = client.get(
        f"/api/v1/commerce/checkin/revoked?offer={tickets[0].offer_id}", headers=auth
    )
    assert revoked.json() == {"offer": tickets[0].offer_id, "revoked": [str(tickets[2].tid)]}
    later = client.get(
        f"/api/v1/commerce/checkin/revoked?offer={tickets[0].offer_id}&since=2999-01-01T00:00:00Z",
        headers=auth,
    )
    assert later.json()["revoked"] == []


@time_machine.travel(DURING, tick=False)
def test_a_nonce_used_again_vouches_only_for_its_own_code_and_gate(
    client: Client, cast: Any, tickets: list[Ticket]
) -> None:
    auth = _auth(cast.outsider, ["commerce:checkin"])
    url = "/api/v1/commerce/checkin"
    first = _post(
        client, url, {"code": tickets[0].code, "gate": "north", "nonce": "n-1-abcd"}, auth
    )
    forged = _post(client, url, {"code": "forged", "gate": "north", "nonce": "n-1-abcd"}, auth)
    other = _post(
        client, url, {"code": tickets[1].code, "gate": "north", "nonce": "n-1-abcd"}, auth
    )
    same = _post(client, url, {"code": tickets[0].code, "gate": "north", "nonce": "n-1-abcd"}, auth)

    assert first.json()["result"] == "ok"
    assert (forged.status_code, forged.json()["code"]) == (409, "nonce_reused")
    assert (other.status_code, other.json()["code"]) == (409, "nonce_reused")
    assert "Léa" not in forged.content.decode() + other.content.decode()
    assert (same.json()["result"], same.json()["replayed"]) == ("ok", True)
    assert Ticket.objects.get(pk=tickets[1].pk).state == "issued"


@time_machine.travel(DURING, tick=False)
def test_an_offline_batch_refuses_a_reused_nonce_item_and_keeps_the_others(
    client: Client, cast: Any, tickets: list[Ticket]
) -> None:
    auth = _auth(cast.outsider, ["commerce:checkin"])
    at = DURING.isoformat()
    first = {"code": tickets[0].code, "gate": "north", "nonce": "n-2-abcd"}
    _post(client, "/api/v1/commerce/checkin", first, auth)

    batch = [
        {"code": tickets[1].code, "gate": "north", "nonce": "n-2-abcd", "scanned_at": at},
        {"code": tickets[2].code, "gate": "north", "nonce": "n-3-abcd", "scanned_at": at},
    ]
    results = _post(client, "/api/v1/commerce/checkin/sync", batch, auth).json()["results"]

    assert [result["result"] for result in results] == ["nonce_reused", "ok"]
    assert CheckIn.objects.filter(nonce="n-3-abcd", result="ok").exists()
