"""The sandbox's checkout page: a test-payment page that pays, declines or cancels and sends
the customer back where Socius asked."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from socius.commerce.models import SandboxIntent
from socius.commerce.payments import sandbox_events
from socius.commerce.payments.sandbox import SandboxProvider

RETURN_URL = "http://127.0.0.1:8000/groups/p/abc"


@pytest.fixture(autouse=True)
def emitted(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    monkeypatch.setattr(sandbox_events, "event_enqueue", events.append)
    return events


def start(*, capture_now: bool = False, return_url: str = RETURN_URL) -> str:
    return (
        SandboxProvider()
        .checkout(
            amount_cents=4550,
            currency="EUR",
            description="Parc Astérix: 3 seats",
            idempotency_key="7:checkout",
            return_url=return_url,
            capture_now=capture_now,
            metadata={},
        )
        .ref
    )


def csrf_client(url: str) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.get(url)
    return client, client.cookies["csrftoken"].value


@pytest.mark.django_db
def test_the_page_shows_the_amount_and_the_test_cards(
    django_assert_max_num_queries: Any,
) -> None:
    ref = start()
    with django_assert_max_num_queries(3):
        response = Client().get(f"/payments/sandbox/{ref}")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="sandbox-warning"' in html
    assert 'data-amount-cents="4550"' in html
    assert 'id="sandbox-pay"' in html
    assert 'id="sandbox-cancel"' in html
    assert "4000 0000 0000 0341" in html
    assert 'name="viewport"' in html


@pytest.mark.django_db
def test_an_unknown_ref_is_not_found() -> None:
    assert Client().get("/payments/sandbox/sbx_unknown").status_code == 404


@pytest.mark.django_db
def test_paying_authorizes_and_returns_to_socius(emitted: list[dict[str, Any]]) -> None:
    ref = start()
    client, token = csrf_client(f"/payments/sandbox/{ref}")
    response = client.post(
        f"/payments/sandbox/{ref}",
        {"card_number": "4242 4242 4242 4242", "pay": "1", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{RETURN_URL}?payment=authorized"
    assert SandboxIntent.objects.get(ref=ref).status == "requires_capture"
    after = Client().get(f"/payments/sandbox/{ref}")
    assert 'data-testid="sandbox-done"' in after.content.decode()


@pytest.mark.django_db
def test_pay_now_captures() -> None:
    ref = start(capture_now=True, return_url=RETURN_URL + "?step=2")
    client, token = csrf_client(f"/payments/sandbox/{ref}")
    response = client.post(
        f"/payments/sandbox/{ref}",
        {"card_number": "4242424242424242", "csrfmiddlewaretoken": token},
    )
    assert response["Location"] == f"{RETURN_URL}?step=2&payment=captured"
    assert SandboxIntent.objects.get(ref=ref).status == "succeeded"


@pytest.mark.django_db
def test_a_declined_card_and_a_cancel_go_back_with_their_outcome() -> None:
    declined, canceled = (
        start(),
        SandboxProvider()
        .checkout(
            amount_cents=100,
            currency="EUR",
            description="",
            idempotency_key="8:checkout",
            return_url=RETURN_URL,
            capture_now=False,
            metadata={},
        )
        .ref,
    )
    client, token = csrf_client(f"/payments/sandbox/{declined}")
    response = client.post(
        f"/payments/sandbox/{declined}",
        {"card_number": "4000000000000002", "csrfmiddlewaretoken": token},
    )
    assert response["Location"] == f"{RETURN_URL}?payment=declined"
    response = client.post(
        f"/payments/sandbox/{canceled}", {"cancel": "1", "csrfmiddlewaretoken": token}
    )
    assert response["Location"] == f"{RETURN_URL}?payment=canceled"
    assert SandboxIntent.objects.get(ref=declined).status == "failed"
    assert SandboxIntent.objects.get(ref=canceled).status == "canceled"


@pytest.mark.django_db
def test_a_post_without_csrf_token_changes_nothing(emitted: list[dict[str, Any]]) -> None:
    ref = start()
    response = Client(enforce_csrf_checks=True).post(
        f"/payments/sandbox/{ref}", {"card_number": "4242424242424242"}
    )
    assert response.status_code == 403
    assert SandboxIntent.objects.get(ref=ref).status == "awaiting_payment"
    assert emitted == []


@pytest.mark.django_db
def test_an_empty_card_number_shows_the_form_again() -> None:
    ref = start()
    response = Client().post(f"/payments/sandbox/{ref}", {"card_number": ""})
    assert response.status_code == 400
    assert 'class="form-errors"' in response.content.decode()
    assert SandboxIntent.objects.get(ref=ref).status == "awaiting_payment"
