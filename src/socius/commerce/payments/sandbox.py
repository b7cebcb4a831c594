"""The built-in sandbox provider: a payment provider that runs inside Socius, for development,
tests and demos, and behaves like a real one.

It keeps its own books (``SandboxIntent``), answers a call made again with the same
idempotency key with the first answer (``SandboxCall``; the same key with another request is
refused, as Stripe does), and tells Socius what happened through signed webhooks delivered
asynchronously by the worker (``sandbox_events``). Only this module and the checkout page
touch the sandbox's tables: Socius itself knows a sandbox payment by its ``ref`` only.

Failures on demand, like Stripe's test cards, chosen on the checkout page:

- 4242 4242 4242 4242 (or 5555 5555 5555 4444): the payment goes through;
- 4000 0000 0000 0002: declined at checkout (``card_declined``);
- 4000 0000 0000 9995: declined at checkout (``insufficient_funds``);
- 4000 0000 0000 0341: authorised, but the later capture is declined (at once in pay-now);
- any other number: declined (``incorrect_number``): real cards are never accepted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from socius.commerce.models import SandboxCall, SandboxIntent
from socius.commerce.payments import sandbox_events
from socius.commerce.payments.base import (
    Checkout,
    InvalidSignature,
    ProviderError,
    ProviderEvent,
    ProviderRecord,
)

logger = logging.getLogger(__name__)

# The intent's statuses, named as Stripe names a PaymentIntent's (but for the first: Stripe's
# "requires_payment_method" does not fit the column).
REQUIRES_PAYMENT = "awaiting_payment"
REQUIRES_CAPTURE = "requires_capture"
SUCCEEDED = "succeeded"
REFUNDED = "refunded"
CANCELED = "canceled"
FAILED = "failed"

SUCCEEDS = "succeeds"
CAPTURE_DECLINED = "capture_declined"
TEST_CARDS = {
    "4242424242424242": SUCCEEDS,
    "5555555555554444": SUCCEEDS,
    "4000000000000002": "card_declined",
    "4000000000009995": "insufficient_funds",
    "4000000000000341": CAPTURE_DECLINED,
}
UNKNOWN_CARD = "incorrect_number"

# What the reconciliation compares with a Payment's state.
_RECORD_STATUS = {
    REQUIRES_PAYMENT: "pending",
    REQUIRES_CAPTURE: "authorized",
    SUCCEEDED: "captured",
    REFUNDED: "refunded",
    CANCELED: "voided",
    FAILED: "failed",
}

# Tests (and Socius's own tests of settlement retries) set this to play an outage: every
# call fails before anything is written, and may be tried again with the same key.
unavailable = False


class _Refused(Exception):
    """A call the sandbox refuses for good; its answer is kept under the idempotency key."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class SandboxProvider:
    name = "sandbox"

    def checkout(
        self,
        *,
        amount_cents: int,
        currency: str,
        description: str,
        idempotency_key: str,
        return_url: str,
        capture_now: bool,
        metadata: Mapping[str, str],
    ) -> Checkout:
        request = {
            "amount_cents": amount_cents,
            "currency": currency.upper(),
            "description": description[:200],
            "return_url": return_url,
            "capture_now": capture_now,
            "metadata": dict(metadata),
        }

        def perform() -> dict[str, Any]:
            if amount_cents <= 0:
                raise _Refused("invalid_amount", "The amount must be positive.")
            intent = SandboxIntent.objects.create(
                ref=_new_ref(), status=REQUIRES_PAYMENT, **request
            )
            path = reverse("payments:sandbox-checkout", args=[intent.ref])
            return {"ref": intent.ref, "checkout_url": settings.SITE_URL + path}

        answer = _idempotent(idempotency_key, "checkout", request, perform)
        return Checkout(ref=answer["ref"], checkout_url=answer["checkout_url"])

    def capture(self, *, ref: str, amount_cents: int, idempotency_key: str) -> None:
        def perform() -> dict[str, Any]:
            intent = _intent(ref)
            if not 0 < amount_cents <= intent.amount_cents:
                raise _Refused("amount_too_large", "At most the amount held can be captured.")
            if intent.status != REQUIRES_CAPTURE:
                raise _Refused("not_capturable", f"The payment is {intent.status}.")
            if _card(intent) == CAPTURE_DECLINED:
                _emit(intent, "payment.failed", reason="capture_declined")
                raise _Refused("card_declined", "The card was declined at capture.")
            # A conditional update: two captures with different keys never both charge.
            if not _move(
                intent, (REQUIRES_CAPTURE,), status=SUCCEEDED, captured_cents=amount_cents
            ):
                raise _Refused("not_capturable", "The payment was captured or voided meanwhile.")
            _emit(intent, "payment.captured", amount_cents=intent.captured_cents)
            return {"ref": ref, "status": intent.status, "captured_cents": intent.captured_cents}

        request = {"ref": ref, "amount_cents": amount_cents}
        _idempotent(idempotency_key, "capture", request, perform)

    def void(self, *, ref: str, idempotency_key: str) -> None:
        def perform() -> dict[str, Any]:
            intent = _intent(ref)
            if intent.status == CANCELED:  # voiding twice releases nothing more
                return {"ref": ref, "status": CANCELED}
            if not _move(intent, (REQUIRES_PAYMENT, REQUIRES_CAPTURE, FAILED), status=CANCELED):
                raise _Refused("not_voidable", "A captured payment is refunded, not voided.")
            _emit(intent, "payment.voided")
            return {"ref": ref, "status": CANCELED}

        _idempotent(idempotency_key, "void", {"ref": ref}, perform)

    def refund(self, *, ref: str, amount_cents: int, idempotency_key: str) -> None:
        def perform() -> dict[str, Any]:
            intent = _intent(ref)
            if intent.status not in (SUCCEEDED, REFUNDED):
                raise _Refused("not_refundable", f"The payment is {intent.status}.")
            refunded = SandboxIntent.objects.filter(
                pk=intent.pk,
                status__in=(SUCCEEDED, REFUNDED),
                refunded_cents__lte=F("captured_cents") - amount_cents,
            ).update(refunded_cents=F("refunded_cents") + amount_cents, updated_at=timezone.now())
            if amount_cents <= 0 or not refunded:
                raise _Refused("amount_too_large", "At most the amount captured is refunded.")
            intent.refresh_from_db()
            if intent.refunded_cents == intent.captured_cents:
                _move(intent, (SUCCEEDED,), status=REFUNDED)
            _emit(
                intent,
                "payment.refunded",
                amount_cents=intent.refunded_cents,
                refund_cents=amount_cents,
            )
            return {"ref": ref, "status": intent.status, "refunded_cents": intent.refunded_cents}

        request = {"ref": ref, "amount_cents": amount_cents}
        _idempotent(idempotency_key, "refund", request, perform)

    def parse_webhook(self, *, body: bytes, headers: Mapping[str, str]) -> ProviderEvent | None:
        event = sandbox_events.verified_event(body, headers)
        kind = sandbox_events.EVENT_KINDS.get(event["type"])
        if kind is None:
            return None
        data = event["data"]
        try:
            amount_cents = int(data.get("amount_cents", 0))
        except (TypeError, ValueError) as error:
            raise InvalidSignature("A signed event with a malformed amount.") from error
        return ProviderEvent(
            provider=self.name,
            event_id=event["id"],
            kind=kind,
            ref=data["ref"],
            amount_cents=amount_cents,
            reason=str(data.get("reason", ""))[:200],
            payload=event,
        )

    def payments_since(self, since: dt.datetime) -> list[ProviderRecord]:
        intents = SandboxIntent.objects.filter(created_at__gte=since).order_by("created_at")
        return [
            ProviderRecord(
                ref=intent.ref,
                status=_RECORD_STATUS.get(intent.status, intent.status),
                amount_cents=intent.amount_cents,
                captured_cents=intent.captured_cents,
                refunded_cents=intent.refunded_cents,
                created_at=intent.created_at,
            )
            for intent in intents
        ]


# The customer's side, called by the sandbox checkout page.


def sandbox_intent_get(ref: str) -> SandboxIntent | None:
    """The intent behind a checkout link; its ref (192 random bits) is the customer's key."""
    return SandboxIntent.objects.filter(ref=ref).first()


def sandbox_payable(intent: SandboxIntent) -> bool:
    return intent.status == REQUIRES_PAYMENT


def sandbox_pay(*, ref: str, card_number: str) -> str:
    """The customer pays with a test card: returns "authorized", "captured", "declined", or
    "not_payable" for a payment already decided (a second click, another tab)."""
    number = "".join(ch for ch in card_number if ch.isdigit())
    behaviour = TEST_CARDS.get(number, UNKNOWN_CARD)
    with transaction.atomic():
        intent = sandbox_intent_get(ref)
        if intent is None:
            return "not_payable"
        card = {"card": behaviour, "last4": number[-4:]}
        metadata = {**intent.metadata, "_sandbox": card}
        declined = behaviour not in (SUCCEEDS, CAPTURE_DECLINED) or (
            behaviour == CAPTURE_DECLINED and intent.capture_now
        )
        if declined:
            if not _move(intent, (REQUIRES_PAYMENT,), status=FAILED, metadata=metadata):
                return "not_payable"
            reason = "card_declined" if behaviour == CAPTURE_DECLINED else behaviour
            _emit(intent, "payment.failed", reason=reason)
            return "declined"
        if intent.capture_now:
            moved = _move(
                intent,
                (REQUIRES_PAYMENT,),
                status=SUCCEEDED,
                captured_cents=intent.amount_cents,
                metadata=metadata,
            )
            if moved:
                _emit(intent, "payment.captured", amount_cents=intent.captured_cents)
            return "captured" if moved else "not_payable"
        if not _move(intent, (REQUIRES_PAYMENT,), status=REQUIRES_CAPTURE, metadata=metadata):
            return "not_payable"
        _emit(intent, "payment.authorized")
        return "authorized"


def sandbox_cancel(*, ref: str) -> str:
    """The customer leaves the checkout without paying: the payment fails ("canceled")."""
    with transaction.atomic():
        intent = sandbox_intent_get(ref)
        if intent is None or not _move(intent, (REQUIRES_PAYMENT,), status=CANCELED):
            return "not_payable"
        _emit(intent, "payment.failed", reason="canceled")
        return "canceled"


# The books.


def _new_ref() -> str:
    return "sbx_" + secrets.token_urlsafe(24)


def _intent(ref: str) -> SandboxIntent:
    intent = sandbox_intent_get(ref)
    if intent is None:
        raise _Refused("no_such_payment", "No such sandbox payment.")
    return intent


def _card(intent: SandboxIntent) -> str:
    card = intent.metadata.get("_sandbox")
    return str(card.get("card", "")) if isinstance(card, dict) else ""


def _move(intent: SandboxIntent, from_statuses: tuple[str, ...], **changes: Any) -> bool:
    """Change the intent only if it is still in one of ``from_statuses``: on SQLite, where row
    locks do nothing, the row count is what makes two racing calls take turns."""
    moved = SandboxIntent.objects.filter(pk=intent.pk, status__in=from_statuses).update(
        updated_at=timezone.now(), **changes
    )
    if moved:
        intent.refresh_from_db()
    return bool(moved)


def _idempotent(
    key: str, operation: str, request: dict[str, Any], perform: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """Run ``perform`` once per idempotency key: the same key with the same request gets the
    first answer (a refusal too), the same key with another request is refused."""
    if unavailable:
        raise ProviderError("The sandbox is unavailable.", retryable=True, code="unavailable")
    if not key:
        raise ProviderError("An idempotency key is required.", retryable=False, code="no_key")
    request_hash = hashlib.sha256(
        json.dumps([operation, request], sort_keys=True, default=str).encode()
    ).hexdigest()
    with transaction.atomic():
        try:
            # The key is claimed first: a concurrent call with the same key waits on the
            # unique index (PostgreSQL) or the write lock (SQLite), then reads our answer.
            with transaction.atomic():
                call = SandboxCall.objects.create(
                    key=key, operation=operation, request_hash=request_hash
                )
        except IntegrityError:
            call = SandboxCall.objects.get(key=key)
            if call.request_hash != request_hash:
                raise ProviderError(
                    "This idempotency key was used with another request.",
                    retryable=False,
                    code="idempotency_key_reused",
                ) from None
            return _answer(call.response)
        try:
            response = perform()
        except _Refused as refusal:
            response = {"error": {"code": refusal.code, "message": str(refusal)}}
        call.response = response
        call.save(update_fields=["response"])
    return _answer(response)


def _answer(response: dict[str, Any]) -> dict[str, Any]:
    error = response.get("error")
    if isinstance(error, dict):
        raise ProviderError(str(error.get("message", "")), retryable=False, code=error["code"])
    return response


def _emit(intent: SandboxIntent, event_type: str, **data: Any) -> None:
    """Tell Socius, after commit and through the worker, as a real provider would."""
    caller_metadata = {k: v for k, v in intent.metadata.items() if k != "_sandbox"}
    event = {
        "id": "evt_" + secrets.token_hex(12),
        "type": event_type,
        "created": int(timezone.now().timestamp()),
        "data": {
            "ref": intent.ref,
            "amount_cents": intent.amount_cents,
            "currency": intent.currency,
            "status": intent.status,
            "captured_cents": intent.captured_cents,
            "refunded_cents": intent.refunded_cents,
            "metadata": caller_metadata,
            **data,
        },
    }
    transaction.on_commit(lambda: sandbox_events.event_enqueue(event))
