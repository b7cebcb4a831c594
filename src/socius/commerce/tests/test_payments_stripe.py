"""The Stripe provider, with Stripe faked at its HTTP edge: the official SDK sends its real
requests to an ``httpx.MockTransport`` answering Stripe's JSON; webhooks are signed with
Stripe's own scheme."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from socius.commerce.payments import stripe_provider
from socius.commerce.payments.base import InvalidSignature, ProviderError
from socius.commerce.payments.stripe_provider import StripeProvider

SECRET = "whsec_test_secret"
CREATED = 1_790_000_000


def session(sid: str, *, intent: Any = None, status: str = "open") -> dict[str, Any]:
    return {
        "id": sid,
        "object": "checkout.session",
        "amount_total": 4500,
        "currency": "eur",
        "created": CREATED,
        "livemode": False,
        "mode": "payment",
        "payment_intent": intent,
        "payment_status": "unpaid",
        "status": status,
        "url": f"https://checkout.stripe.com/c/pay/{sid}#fidkdWxOYHwnPyd1blpxYHZxWjA0",
        "metadata": {"payment": "7"},
        "customer_details": {"email": "claire.dupont@example.org", "name": "Claire Dupont"},
    }


def intent(pid: str, *, status: str = "requires_capture", received: int = 0) -> dict[str, Any]:
    return {
        "id": pid,
        "object": "payment_intent",
        "amount": 4500,
        "amount_capturable": 4500 if status == "requires_capture" else 0,
        "amount_received": received,
        "capture_method": "manual",
        "created": CREATED,
        "currency": "eur",
        "latest_charge": {"id": "ch_1", "object": "charge", "amount_refunded": 0},
        "metadata": {"payment": "7"},
        "status": status,
    }


ROUTES: dict[tuple[str, str], Callable[[], dict[str, Any]]] = {
    ("POST", "/v1/checkout/sessions"): lambda: session("cs_test_1"),
    ("GET", "/v1/checkout/sessions/cs_test_1"): lambda: session(
        "cs_test_1", intent="pi_1", status="complete"
    ),
    ("GET", "/v1/checkout/sessions/cs_test_unpaid"): lambda: session("cs_test_unpaid"),
    ("POST", "/v1/checkout/sessions/cs_test_unpaid/expire"): lambda: session(
        "cs_test_unpaid", status="expired"
    ),
    ("POST", "/v1/payment_intents/pi_1/capture"): lambda: intent(
        "pi_1", status="succeeded", received=4000
    ),
    ("POST", "/v1/payment_intents/pi_1/cancel"): lambda: intent("pi_1", status="canceled"),
    ("POST", "/v1/refunds"): lambda: {
        "id": "re_1",
        "object": "refund",
        "amount": 1000,
        "payment_intent": "pi_1",
    },
}


class FakeStripe:
    """Answers the few endpoints the provider calls, and keeps every request."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.status = 200
        self.pages: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.status != 200:
            error = {"type": "card_error", "code": "card_declined", "message": "Declined."}
            return httpx.Response(self.status, json={"error": error})
        route = (request.method, request.url.path)
        if route == ("GET", "/v1/checkout/sessions"):
            body = self.listing(request)
        elif route in ROUTES:
            body = ROUTES[route]()
        else:
            return httpx.Response(404, json={"error": {"type": "invalid_request_error"}})
        return httpx.Response(200, json=body, headers={"Request-Id": "req_1"})

    def listing(self, request: httpx.Request) -> dict[str, Any]:
        if "payment_intent" not in request.url.params:
            return self.pages.pop(0)
        found = []
        if request.url.params["payment_intent"] == "pi_1":
            found = [session("cs_test_1", intent="pi_1")]
        return {"object": "list", "data": found, "has_more": False, "url": request.url.path}

    def form(self, index: int = -1) -> dict[str, list[str]]:
        return parse_qs(self.requests[index].content.decode())


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeStripe:
    fake = FakeStripe()
    monkeypatch.setattr(stripe_provider, "transport", httpx.MockTransport(fake))
    monkeypatch.setattr(stripe_provider, "MAX_NETWORK_RETRIES", 0)
    return fake


def provider() -> StripeProvider:
    return StripeProvider(api_key="sk_test_123", webhook_secret=SECRET)


def test_checkout_opens_a_session_with_manual_capture(fake: FakeStripe) -> None:
    checkout = provider().checkout(
        amount_cents=4500,
        currency="EUR",
        description="Parc: 3 seats",
        idempotency_key="7:checkout",
        return_url="http://127.0.0.1:8000/groups/p/abc",
        capture_now=False,
        metadata={"payment": "7"},
    )
    assert checkout.ref == "cs_test_1"
    assert checkout.checkout_url.startswith("https://checkout.stripe.com/c/pay/cs_test_1")
    request = fake.requests[0]
    assert request.headers["Idempotency-Key"] == "7:checkout"
    assert request.headers["Authorization"] == "Bearer sk_test_123"
    form = fake.form()
    assert form["payment_intent_data[capture_method]"] == ["manual"]
    assert form["line_items[0][price_data][unit_amount]"] == ["4500"]
    assert form["line_items[0][price_data][currency]"] == ["eur"]
    assert form["payment_intent_data[metadata][payment]"] == ["7"]
    assert form["success_url"] == form["cancel_url"] == ["http://127.0.0.1:8000/groups/p/abc"]


def test_pay_now_asks_for_automatic_capture(fake: FakeStripe) -> None:
    provider().checkout(
        amount_cents=4500,
        currency="EUR",
        description="Parc",
        idempotency_key="7:checkout",
        return_url="http://127.0.0.1:8000/",
        capture_now=True,
        metadata={},
    )
    assert fake.form()["payment_intent_data[capture_method]"] == ["automatic"]


def test_capture_captures_the_sessions_payment_intent_with_the_key(fake: FakeStripe) -> None:
    provider().capture(ref="cs_test_1", amount_cents=4000, idempotency_key="7:capture")
    capture = fake.requests[-1]
    assert capture.url.path == "/v1/payment_intents/pi_1/capture"
    assert capture.headers["Idempotency-Key"] == "7:capture"
    assert fake.form() == {"amount_to_capture": ["4000"]}


def test_void_cancels_a_hold_and_expires_an_unpaid_checkout(fake: FakeStripe) -> None:
    provider().void(ref="cs_test_1", idempotency_key="7:void")
    assert fake.requests[-1].url.path == "/v1/payment_intents/pi_1/cancel"
    assert fake.requests[-1].headers["Idempotency-Key"] == "7:void"
    provider().void(ref="cs_test_unpaid", idempotency_key="8:void")
    assert fake.requests[-1].url.path == "/v1/checkout/sessions/cs_test_unpaid/expire"
    assert fake.requests[-1].headers["Idempotency-Key"] == "8:void"


def test_refund_refunds_part_of_the_payment_intent(fake: FakeStripe) -> None:
    provider().refund(ref="cs_test_1", amount_cents=1000, idempotency_key="7:refund")
    assert fake.requests[-1].url.path == "/v1/refunds"
    assert fake.requests[-1].headers["Idempotency-Key"] == "7:refund"
    assert fake.form() == {"payment_intent": ["pi_1"], "amount": ["1000"]}


def test_a_capture_before_payment_is_refused(fake: FakeStripe) -> None:
    with pytest.raises(ProviderError) as refused:
        provider().capture(ref="cs_test_unpaid", amount_cents=4000, idempotency_key="k")
    assert (refused.value.code, refused.value.retryable) == ("unpaid", False)


def test_stripe_errors_become_provider_errors(fake: FakeStripe) -> None:
    fake.status = 402
    with pytest.raises(ProviderError) as declined:
        provider().capture(ref="cs_test_1", amount_cents=4000, idempotency_key="k")
    assert (declined.value.code, declined.value.retryable) == ("card_declined", False)
    fake.status = 503
    with pytest.raises(ProviderError) as down:
        provider().capture(ref="cs_test_1", amount_cents=4000, idempotency_key="k")
    assert down.value.retryable is True


def test_no_api_key_is_a_configuration_error() -> None:
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        StripeProvider(api_key="", webhook_secret=SECRET).capture(
            ref="cs_test_1", amount_cents=1, idempotency_key="k"
        )


def signed(
    payload: dict[str, Any], *, secret: str = SECRET, at: int | None = None
) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    timestamp = at or int(time.time())
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return body, {"Stripe-Signature": f"t={timestamp},v1={digest.hexdigest()}"}


def stripe_event(event_type: str, obj: dict[str, Any], event_id: str = "evt_1") -> dict[str, Any]:
    return {
        "id": event_id,
        "object": "event",
        "api_version": "2025-09-30.clover",
        "created": int(time.time()),
        "livemode": False,
        "type": event_type,
        "data": {"object": obj},
    }


def test_a_completed_checkout_is_an_authorization_without_personal_data(
    fake: FakeStripe,
) -> None:
    body, headers = signed(
        stripe_event("checkout.session.completed", session("cs_test_1", intent="pi_1"))
    )
    event = provider().parse_webhook(body=body, headers=headers)
    assert event is not None
    assert (event.provider, event.event_id, event.kind, event.ref, event.amount_cents) == (
        "stripe",
        "evt_1",
        "authorized",
        "cs_test_1",
        4500,
    )
    assert "example.org" not in json.dumps(event.payload)
    assert fake.requests == []


@pytest.mark.parametrize(
    ("event_type", "obj", "kind", "amount"),
    [
        (
            "payment_intent.succeeded",
            intent("pi_1", status="succeeded", received=4000),
            "captured",
            4000,
        ),
        ("payment_intent.canceled", intent("pi_1", status="canceled"), "voided", 4500),
        ("payment_intent.amount_capturable_updated", intent("pi_1"), "authorized", 4500),
        (
            "charge.refunded",
            {"id": "ch_1", "object": "charge", "payment_intent": "pi_1", "amount_refunded": 1000},
            "refunded",
            1000,
        ),
    ],
)
def test_payment_intent_events_are_traced_back_to_their_checkout(
    fake: FakeStripe, event_type: str, obj: dict[str, Any], kind: str, amount: int
) -> None:
    body, headers = signed(stripe_event(event_type, obj))
    event = provider().parse_webhook(body=body, headers=headers)
    assert event is not None
    assert (event.kind, event.ref, event.amount_cents) == (kind, "cs_test_1", amount)
    assert fake.requests[-1].url.params["payment_intent"] == "pi_1"


def test_a_failed_payment_carries_its_decline_code(fake: FakeStripe) -> None:
    failed = {**intent("pi_1", status="requires_payment_method")}
    failed["last_payment_error"] = {"code": "card_declined", "decline_code": "insufficient_funds"}
    body, headers = signed(stripe_event("payment_intent.payment_failed", failed))
    event = provider().parse_webhook(body=body, headers=headers)
    assert event is not None
    assert (event.kind, event.reason) == ("failed", "insufficient_funds")


def test_events_we_do_not_act_on_or_not_from_our_checkout_are_none(fake: FakeStripe) -> None:
    body, headers = signed(stripe_event("customer.created", {"id": "cus_1"}))
    assert provider().parse_webhook(body=body, headers=headers) is None
    body, headers = signed(stripe_event("payment_intent.succeeded", intent("pi_other")))
    assert provider().parse_webhook(body=body, headers=headers) is None


def test_a_bad_or_stale_stripe_signature_is_refused(fake: FakeStripe) -> None:
    payload = stripe_event("checkout.session.completed", session("cs_test_1", intent="pi_1"))
    cases = [
        signed(payload, secret="whsec_other"),
        signed(payload, at=int(time.time()) - 301),
        (signed(payload)[0] + b" ", signed(payload)[1]),
        (signed(payload)[0], {}),
    ]
    for body, headers in cases:
        with pytest.raises(InvalidSignature):
            provider().parse_webhook(body=body, headers=headers)
    body, headers = signed(payload)
    with pytest.raises(InvalidSignature):
        StripeProvider(api_key="sk", webhook_secret="").parse_webhook(body=body, headers=headers)


def test_payments_since_pages_through_checkouts(fake: FakeStripe) -> None:
    captured = intent("pi_1", status="succeeded", received=4500)
    refunded = intent("pi_2", status="succeeded", received=4500)
    refunded["latest_charge"] = {"id": "ch_2", "object": "charge", "amount_refunded": 4500}
    fake.pages = [
        {
            "object": "list",
            "url": "/v1/checkout/sessions",
            "has_more": True,
            "data": [session("cs_a", intent=captured), session("cs_b", intent=refunded)],
        },
        {
            "object": "list",
            "url": "/v1/checkout/sessions",
            "has_more": False,
            "data": [session("cs_c", status="expired"), session("cs_d")],
        },
    ]
    since = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    records = provider().payments_since(since)
    assert [
        (r.ref, r.status, r.amount_cents, r.captured_cents, r.refunded_cents) for r in records
    ] == [
        ("cs_a", "captured", 4500, 4500, 0),
        ("cs_b", "refunded", 4500, 4500, 4500),
        ("cs_c", "failed", 4500, 0, 0),
        ("cs_d", "pending", 4500, 0, 0),
    ]
    first, second = fake.requests
    assert first.url.params["created[gte]"] == str(int(since.timestamp()))
    assert "data.payment_intent" in first.url.params.get_list(
        "expand[0]"
    ) + first.url.params.get_list("expand[]")
    assert second.url.params["starting_after"] == "cs_b"
