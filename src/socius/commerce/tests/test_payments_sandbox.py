"""The sandbox provider's books: checkout, capture, void, refund, idempotency keys, test
cards, the events it emits, and what it reports to the reconciliation."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from socius.commerce.models import SandboxCall, SandboxIntent
from socius.commerce.payments import get_provider, sandbox, sandbox_events
from socius.commerce.payments.base import ProviderError
from socius.commerce.payments.sandbox import SandboxProvider, sandbox_cancel, sandbox_pay

OK_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000000000000002"
CAPTURE_DECLINED_CARD = "4000000000000341"


@pytest.fixture
def emitted(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The events the sandbox hands to the worker (after commit)."""
    events: list[dict[str, Any]] = []
    monkeypatch.setattr(sandbox_events, "event_enqueue", events.append)
    return events


def start(key: str = "pay-1:checkout", *, amount: int = 4500, capture_now: bool = False) -> str:
    return (
        SandboxProvider()
        .checkout(
            amount_cents=amount,
            currency="EUR",
            description="Parc: 3 seats",
            idempotency_key=key,
            return_url="http://127.0.0.1:8000/groups/p/abc",
            capture_now=capture_now,
            metadata={"payment": "1"},
        )
        .ref
    )


def authorized(key: str = "pay-1:checkout", amount: int = 4500) -> str:
    ref = start(key, amount=amount)
    assert sandbox_pay(ref=ref, card_number=OK_CARD) == "authorized"
    return ref


def types(events: list[dict[str, Any]]) -> list[str]:
    return [event["type"] for event in events]


def test_get_provider_gives_the_configured_sandbox(settings: Any) -> None:
    settings.COMMERCE_PAYMENT_PROVIDER = "sandbox"
    assert get_provider().name == "sandbox"
    assert get_provider("stripe").name == "stripe"


@pytest.mark.django_db
def test_checkout_opens_an_intent_with_a_checkout_link(settings: Any) -> None:
    checkout = SandboxProvider().checkout(
        amount_cents=4500,
        currency="eur",
        description="Parc: 3 seats",
        idempotency_key="pay-1:checkout",
        return_url="http://127.0.0.1:8000/groups/p/abc",
        capture_now=False,
        metadata={"payment": "1"},
    )
    intent = SandboxIntent.objects.get()
    assert checkout.ref == intent.ref
    assert checkout.ref.startswith("sbx_")
    assert len(checkout.ref) == 36
    assert checkout.checkout_url == f"{settings.SITE_URL}/payments/sandbox/{intent.ref}"
    assert (intent.amount_cents, intent.currency, intent.status) == (
        4500,
        "EUR",
        "awaiting_payment",
    )
    assert intent.metadata == {"payment": "1"}


@pytest.mark.django_db
def test_the_same_key_and_request_give_the_same_answer() -> None:
    assert start("k") == start("k")
    assert SandboxIntent.objects.count() == 1
    assert SandboxCall.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_request_is_refused() -> None:
    start("k", amount=4500)
    with pytest.raises(ProviderError) as refused:
        start("k", amount=9000)
    assert refused.value.code == "idempotency_key_reused"
    assert refused.value.retryable is False
    assert SandboxIntent.objects.count() == 1


@pytest.mark.django_db
def test_a_checkout_without_a_key_or_with_no_amount_is_refused() -> None:
    with pytest.raises(ProviderError) as no_key:
        start("")
    with pytest.raises(ProviderError) as no_amount:
        start("k", amount=0)
    assert (no_key.value.code, no_amount.value.code) == ("no_key", "invalid_amount")
    assert not SandboxIntent.objects.exists()


@pytest.mark.django_db
def test_paying_with_the_success_card_authorizes(
    emitted: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    ref = start()
    with django_capture_on_commit_callbacks(execute=True):
        assert sandbox_pay(ref=ref, card_number=OK_CARD) == "authorized"
    intent = SandboxIntent.objects.get(ref=ref)
    assert (intent.status, intent.captured_cents) == ("requires_capture", 0)
    assert intent.metadata["_sandbox"] == {"card": "succeeds", "last4": "4242"}
    assert types(emitted) == ["payment.authorized"]
    data = emitted[0]["data"]
    assert (data["ref"], data["amount_cents"], data["metadata"]) == (ref, 4500, {"payment": "1"})
    assert emitted[0]["id"].startswith("evt_")


@pytest.mark.django_db
def test_pay_now_captures_at_once(
    emitted: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    ref = start(capture_now=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert sandbox_pay(ref=ref, card_number=OK_CARD) == "captured"
    intent = SandboxIntent.objects.get(ref=ref)
    assert (intent.status, intent.captured_cents) == ("succeeded", 4500)
    assert types(emitted) == ["payment.captured"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("card", "reason"),
    [
        (DECLINED_CARD, "card_declined"),
        ("4000 0000 0000 9995", "insufficient_funds"),
        ("4111 1111 1111 1111", "incorrect_number"),
    ],
)
def test_declining_cards_fail_the_payment(
    card: str,
    reason: str,
    emitted: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    ref = start()
    with django_capture_on_commit_callbacks(execute=True):
        assert sandbox_pay(ref=ref, card_number=card) == "declined"
    assert SandboxIntent.objects.get(ref=ref).status == "failed"
    assert types(emitted) == ["payment.failed"]
    assert emitted[0]["data"]["reason"] == reason


@pytest.mark.django_db
def test_a_second_click_on_pay_changes_nothing(
    emitted: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    ref = start()
    with django_capture_on_commit_callbacks(execute=True):
        sandbox_pay(ref=ref, card_number=OK_CARD)
        assert sandbox_pay(ref=ref, card_number=DECLINED_CARD) == "not_payable"
        assert sandbox_cancel(ref=ref) == "not_payable"
    assert SandboxIntent.objects.get(ref=ref).status == "requires_capture"
    assert types(emitted) == ["payment.authorized"]


@pytest.mark.django_db
def test_cancelling_at_checkout_fails_the_payment(
    emitted: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    ref = start()
    with django_capture_on_commit_callbacks(execute=True):
        assert sandbox_cancel(ref=ref) == "canceled"
    assert SandboxIntent.objects.get(ref=ref).status == "canceled"
    assert [(e["type"], e["data"]["reason"]) for e in emitted] == [("payment.failed", "canceled")]


@pytest.mark.django_db
def test_capture_charges_at_most_the_amount_held(
    emitted: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    ref = authorized(amount=4500)
    provider = SandboxProvider()
    with pytest.raises(ProviderError) as too_much:
        provider.capture(ref=ref, amount_cents=4501, idempotency_key="1:capture-a")
    assert too_much.value.code == "amount_too_large"
    with django_capture_on_commit_callbacks(execute=True):
        provider.capture(ref=ref, amount_cents=3600, idempotency_key="1:capture")
    intent = SandboxIntent.objects.get(ref=ref)
    assert (intent.status, intent.captured_cents) == ("succeeded", 3600)
    assert [(e["type"], e["data"]["amount_cents"]) for e in emitted] == [("payment.captured", 3600)]


@pytest.mark.django_db
def test_the_same_capture_key_twice_charges_once(
    emitted: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    ref = authorized()
    provider = SandboxProvider()
    with django_capture_on_commit_callbacks(execute=True):
        provider.capture(ref=ref, amount_cents=4500, idempotency_key="1:capture")
        provider.capture(ref=ref, amount_cents=4500, idempotency_key="1:capture")
    assert SandboxIntent.objects.get(ref=ref).captured_cents == 4500
    assert types(emitted) == ["payment.captured"]
    assert SandboxCall.objects.filter(operation="capture").count() == 1


@pytest.mark.django_db
def test_a_second_capture_with_another_key_is_refused() -> None:
    ref = authorized()
    provider = SandboxProvider()
    provider.capture(ref=ref, amount_cents=4500, idempotency_key="1:capture")
    with pytest.raises(ProviderError) as refused:
        provider.capture(ref=ref, amount_cents=4500, idempotency_key="1:capture-again")
    assert refused.value.code == "not_capturable"
    assert SandboxIntent.objects.get(ref=ref).captured_cents == 4500


@pytest.mark.django_db
def test_a_refusal_is_replayed_under_its_key() -> None:
    ref = authorized()
    provider = SandboxProvider()
    for _ in range(2):
        with pytest.raises(ProviderError) as refused:
            provider.capture(ref=ref, amount_cents=9999, idempotency_key="1:capture")
        assert refused.value.code == "amount_too_large"


@pytest.mark.django_db
def test_the_capture_declined_card_authorizes_then_declines_the_capture(
    emitted: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    ref = start()
    with django_capture_on_commit_callbacks(execute=True):
        assert sandbox_pay(ref=ref, card_number=CAPTURE_DECLINED_CARD) == "authorized"
    provider = SandboxProvider()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ProviderError) as error:
        provider.capture(ref=ref, amount_cents=4500, idempotency_key="1:capture")
    assert (error.value.code, error.value.retryable) == ("card_declined", False)
    assert SandboxIntent.objects.get(ref=ref).captured_cents == 0
    assert types(emitted) == ["payment.authorized", "payment.failed"]
    provider.void(ref=ref, idempotency_key="1:void")  # the hold can still be released
    assert SandboxIntent.objects.get(ref=ref).status == "canceled"


@pytest.mark.django_db
def test_the_capture_declined_card_is_declined_at_once_in_pay_now() -> None:
    ref = start(capture_now=True)
    assert sandbox_pay(ref=ref, card_number=CAPTURE_DECLINED_CARD) == "declined"


@pytest.mark.django_db
def test_void_releases_a_hold_once(
    emitted: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    ref = authorized()
    provider = SandboxProvider()
    with django_capture_on_commit_callbacks(execute=True):
        provider.void(ref=ref, idempotency_key="1:void")
        provider.void(ref=ref, idempotency_key="1:void")
        provider.void(ref=ref, idempotency_key="1:void-later")
    assert SandboxIntent.objects.get(ref=ref).status == "canceled"
    assert types(emitted) == ["payment.voided"]
    with pytest.raises(ProviderError) as refused:
        provider.capture(ref=ref, amount_cents=4500, idempotency_key="1:capture")
    assert refused.value.code == "not_capturable"


@pytest.mark.django_db
def test_a_captured_payment_is_refunded_not_voided() -> None:
    ref = authorized()
    provider = SandboxProvider()
    provider.capture(ref=ref, amount_cents=4500, idempotency_key="1:capture")
    with pytest.raises(ProviderError) as refused:
        provider.void(ref=ref, idempotency_key="1:void")
    assert refused.value.code == "not_voidable"


@pytest.mark.django_db
def test_refunds_return_at_most_what_was_captured(
    emitted: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    ref = authorized()
    provider = SandboxProvider()
    provider.capture(ref=ref, amount_cents=4000, idempotency_key="1:capture")
    with django_capture_on_commit_callbacks(execute=True):
        provider.refund(ref=ref, amount_cents=1500, idempotency_key="1:refund-1")
        provider.refund(ref=ref, amount_cents=1500, idempotency_key="1:refund-1")  # replayed
        with pytest.raises(ProviderError) as too_much:
            provider.refund(ref=ref, amount_cents=2501, idempotency_key="1:refund-2")
        provider.refund(ref=ref, amount_cents=2500, idempotency_key="1:refund-3")
    assert too_much.value.code == "amount_too_large"
    intent = SandboxIntent.objects.get(ref=ref)
    assert (intent.status, intent.refunded_cents) == ("refunded", 4000)
    assert [(e["data"]["amount_cents"], e["data"]["refund_cents"]) for e in emitted] == [
        (1500, 1500),
        (4000, 2500),
    ]


@pytest.mark.django_db
def test_an_unpaid_payment_cannot_be_refunded_and_an_unknown_one_is_refused() -> None:
    ref = start()
    provider = SandboxProvider()
    with pytest.raises(ProviderError) as unpaid:
        provider.refund(ref=ref, amount_cents=100, idempotency_key="1:refund")
    with pytest.raises(ProviderError) as unknown:
        provider.capture(ref="sbx_nope", amount_cents=100, idempotency_key="2:capture")
    assert (unpaid.value.code, unknown.value.code) == ("not_refundable", "no_such_payment")


@pytest.mark.django_db
def test_an_outage_fails_retryably_and_the_retry_goes_through(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ref = authorized()
    monkeypatch.setattr(sandbox, "unavailable", True)
    with pytest.raises(ProviderError) as down:
        SandboxProvider().capture(ref=ref, amount_cents=4500, idempotency_key="1:capture")
    assert (down.value.code, down.value.retryable) == ("unavailable", True)
    monkeypatch.setattr(sandbox, "unavailable", False)
    SandboxProvider().capture(ref=ref, amount_cents=4500, idempotency_key="1:capture")
    assert SandboxIntent.objects.get(ref=ref).captured_cents == 4500


@pytest.mark.django_db
def test_payments_since_lists_the_books() -> None:
    captured = authorized("a")
    SandboxProvider().capture(ref=captured, amount_cents=4000, idempotency_key="a:capture")
    pending = start("b", amount=2000)
    records = {r.ref: r for r in SandboxProvider().payments_since(timezone.now() - dt.timedelta(1))}
    assert (records[captured].status, records[captured].captured_cents) == ("captured", 4000)
    assert (records[pending].status, records[pending].amount_cents) == ("pending", 2000)
    assert SandboxProvider().payments_since(timezone.now() + dt.timedelta(seconds=1)) == []


@pytest.mark.django_db(transaction=True)
def test_the_same_capture_sent_twice_at_once_charges_once(
    emitted: list[dict[str, Any]],
) -> None:
    ref = authorized()
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def capture() -> None:
        try:
            barrier.wait()
            SandboxProvider().capture(ref=ref, amount_cents=4500, idempotency_key="1:capture")
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=capture) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert SandboxIntent.objects.get(ref=ref).captured_cents == 4500
    assert types(emitted) == ["payment.authorized", "payment.captured"]
