"""Stripe, through its official SDK: a Checkout Session per payment, with manual capture.

The payment's ``ref`` is the Checkout Session's id (``cs_...``): it is the only id known when
the customer is sent to pay, since Stripe creates the PaymentIntent when the customer
confirms. Capture, void and refund act on the session's PaymentIntent; an event about a
PaymentIntent or a Charge is traced back to its session by one lookup.

Every POST carries the caller's idempotency key, so a retried call is never a second
charge; the SDK itself retries network failures with the same key. Tests replace the
network with an ``httpx.MockTransport`` (``transport`` below) answering Stripe's JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from typing import Any

import httpx
import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from socius.commerce.payments.base import (
    Checkout,
    EventKind,
    InvalidSignature,
    ProviderError,
    ProviderEvent,
    ProviderRecord,
)

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 20.0
MAX_NETWORK_RETRIES = 2
WEBHOOK_TOLERANCE_SECONDS = 300
# Tests replace the network with an ``httpx.MockTransport``; None is the real network.
transport: httpx.BaseTransport | None = None

_EVENT_KINDS: dict[str, EventKind] = {
    "checkout.session.completed": "authorized",
    "checkout.session.expired": "expired",
    "payment_intent.amount_capturable_updated": "authorized",
    "payment_intent.succeeded": "captured",
    "payment_intent.payment_failed": "failed",
    "payment_intent.canceled": "voided",
    "charge.refunded": "refunded",
}
_RECORD_STATUS = {
    "requires_payment_method": "pending",
    "requires_confirmation": "pending",
    "requires_action": "pending",
    "processing": "pending",
    "requires_capture": "authorized",
    "succeeded": "captured",
    "canceled": "voided",
}


class _HttpxClient(stripe.HTTPXClient):
    """The SDK's httpx client, on an ``httpx.Client`` of ours (to choose its transport)."""

    def __init__(self, client: httpx.Client) -> None:
        super().__init__(timeout=TIMEOUT_SECONDS, allow_sync_methods=False)
        self._client = client

    def _get_request_args_kwargs(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any
    ) -> Any:
        # The SDK hands httpx its form-encoded body as ``data=<str>``, which httpx deprecates
        # for raw content.
        args, kwargs = super()._get_request_args_kwargs(method, url, headers, post_data)
        body = kwargs.pop("data", None)
        if body:
            kwargs["content"] = body
        return args, kwargs


class StripeProvider:
    name = "stripe"

    def __init__(self, *, api_key: str | None = None, webhook_secret: str | None = None) -> None:
        self._api_key = api_key if api_key is not None else settings.COMMERCE_STRIPE_SECRET_KEY
        self._webhook_secret = (
            webhook_secret
            if webhook_secret is not None
            else settings.COMMERCE_STRIPE_WEBHOOK_SECRET
        )
        self._stripe: stripe.StripeClient | None = None

    @property
    def client(self) -> stripe.StripeClient:
        if self._stripe is None:
            if not self._api_key:
                raise ImproperlyConfigured(
                    "SOCIUS_STRIPE_SECRET_KEY must be set to use the Stripe payment provider."
                )
            http = _HttpxClient(httpx.Client(transport=transport, timeout=TIMEOUT_SECONDS))
            self._stripe = stripe.StripeClient(
                self._api_key, http_client=http, max_network_retries=MAX_NETWORK_RETRIES
            )
        return self._stripe

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
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": currency.lower(),
                        "unit_amount": amount_cents,
                        "product_data": {"name": description[:250] or "Socius"},
                    },
                }
            ],
            "payment_intent_data": {
                "capture_method": "automatic" if capture_now else "manual",
                "description": description[:1000],
                "metadata": dict(metadata),
            },
            "metadata": dict(metadata),
            "success_url": return_url,
            "cancel_url": return_url,
        }
        session = _call(
            lambda: self.client.v1.checkout.sessions.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key},
            )
        )
        return Checkout(ref=session.id, checkout_url=session.url or "")

    def capture(self, *, ref: str, amount_cents: int, idempotency_key: str) -> None:
        intent = self._payment_intent_id(ref)
        _call(
            lambda: self.client.v1.payment_intents.capture(
                intent,
                params={"amount_to_capture": amount_cents},
                options={"idempotency_key": idempotency_key},
            )
        )

    def void(self, *, ref: str, idempotency_key: str) -> None:
        session = _call(lambda: self.client.v1.checkout.sessions.retrieve(ref))
        options: Any = {"idempotency_key": idempotency_key}
        if session.payment_intent is None:  # never paid: close the checkout instead
            if session.status == "open":
                _call(lambda: self.client.v1.checkout.sessions.expire(ref, options=options))
            return
        intent = _id(session.payment_intent)
        _call(lambda: self.client.v1.payment_intents.cancel(intent, options=options))

    def refund(self, *, ref: str, amount_cents: int, idempotency_key: str) -> None:
        intent = self._payment_intent_id(ref)
        _call(
            lambda: self.client.v1.refunds.create(
                params={"payment_intent": intent, "amount": amount_cents},
                options={"idempotency_key": idempotency_key},
            )
        )

    def parse_webhook(self, *, body: bytes, headers: Mapping[str, str]) -> ProviderEvent | None:
        if not self._webhook_secret:
            logger.error("Stripe webhook refused: SOCIUS_STRIPE_WEBHOOK_SECRET is not set.")
            raise InvalidSignature("No webhook secret configured.")
        try:
            stripe.Webhook.construct_event(
                body.decode("utf-8"),
                headers.get("Stripe-Signature") or "",
                self._webhook_secret,
                tolerance=WEBHOOK_TOLERANCE_SECONDS,
                api_key=self._api_key or "sk_unused",
            )
            event = json.loads(body)
        except (stripe.SignatureVerificationError, ValueError) as error:
            raise InvalidSignature(str(error)) from error
        kind = _EVENT_KINDS.get(event.get("type", ""))
        obj = (event.get("data") or {}).get("object") or {}
        if kind is None or not isinstance(obj, dict):
            return None
        ref, amount = self._event_ref_and_amount(event["type"], obj)
        if not ref:
            return None  # not a payment started by Socius's checkout
        return ProviderEvent(
            provider=self.name,
            event_id=event["id"],
            kind=kind,
            ref=ref,
            amount_cents=amount,
            reason=_reason(obj)[:200],
            # Stripe's objects hold the customer's name and address: only ids are kept.
            payload={
                "type": event["type"],
                "object": obj.get("id"),
                "payment_intent": _intent_of(event["type"], obj),
                "status": obj.get("status"),
                "livemode": event.get("livemode", False),
            },
        )

    def payments_since(self, since: dt.datetime) -> list[ProviderRecord]:
        sessions = _call(
            lambda: self.client.v1.checkout.sessions.list(
                params={
                    "created": {"gte": int(since.timestamp())},
                    "limit": 100,
                    "expand": ["data.payment_intent", "data.payment_intent.latest_charge"],
                }
            )
        )
        records = []
        for session in sessions.auto_paging_iter():
            records.append(_record(session))
        return records

    def _payment_intent_id(self, ref: str) -> str:
        session = _call(lambda: self.client.v1.checkout.sessions.retrieve(ref))
        if session.payment_intent is None:
            raise ProviderError("The customer has not paid yet.", retryable=False, code="unpaid")
        return _id(session.payment_intent)

    def _event_ref_and_amount(self, event_type: str, obj: dict[str, Any]) -> tuple[str, int]:
        if event_type.startswith("checkout.session."):
            return str(obj.get("id", "")), int(obj.get("amount_total") or 0)
        amount = {
            "payment_intent.amount_capturable_updated": obj.get("amount_capturable"),
            "payment_intent.succeeded": obj.get("amount_received"),
            "charge.refunded": obj.get("amount_refunded"),
        }.get(event_type, obj.get("amount"))
        intent = _intent_of(event_type, obj)
        if not intent:
            return "", 0
        found = _call(
            lambda: self.client.v1.checkout.sessions.list(
                params={"payment_intent": intent, "limit": 1}
            )
        )
        return (found.data[0].id if found.data else ""), int(amount or 0)


def _call(request: Any) -> Any:
    """Run one SDK call, turning Stripe's errors into ``ProviderError``."""
    try:
        return request()
    except stripe.StripeError as error:
        status = error.http_status or 0
        retryable = isinstance(error, stripe.APIConnectionError | stripe.RateLimitError) or (
            status >= 500
        )
        code = error.code or type(error).__name__
        logger.warning("Stripe refused a call: %s (HTTP %s)", code, status)
        raise ProviderError(error.user_message or code, retryable=retryable, code=code) from error


def _id(value: Any) -> str:
    return str(value if isinstance(value, str) else value.id)


def _intent_of(event_type: str, obj: dict[str, Any]) -> str:
    if event_type.startswith("payment_intent."):
        return str(obj.get("id") or "")
    intent = obj.get("payment_intent")
    return _id(intent) if intent else ""


def _reason(obj: dict[str, Any]) -> str:
    error = obj.get("last_payment_error")
    if isinstance(error, dict):
        return str(error.get("decline_code") or error.get("code") or "")
    return str(obj.get("cancellation_reason") or "")


def _record(session: Any) -> ProviderRecord:
    intent = session.payment_intent
    created = dt.datetime.fromtimestamp(session.created, tz=dt.UTC)
    if intent is None or isinstance(intent, str):
        status = "failed" if session.status == "expired" else "pending"
        return ProviderRecord(session.id, status, session.amount_total or 0, 0, 0, created)
    charge = intent.latest_charge
    refunded = (
        int(charge.amount_refunded) if charge is not None and not isinstance(charge, str) else 0
    )
    status = "refunded" if refunded else _RECORD_STATUS.get(intent.status, intent.status)
    return ProviderRecord(
        ref=session.id,
        status=status,
        amount_cents=int(intent.amount),
        captured_cents=int(intent.amount_received or 0),
        refunded_cents=refunded,
        created_at=created,
    )
