"""The sandbox's webhooks: signed as Stripe signs its own, delivered by the worker.

A delivery is a POST of the event's JSON to ``/webhooks/payments/sandbox`` with the header
``Sandbox-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">``. The receiver
checks the signature on the raw body and refuses a timestamp older than the tolerance, so a
captured delivery cannot be replayed later. A refused or failed delivery is tried again
with growing pauses (``tasks.sandbox_event_deliver``), as providers do.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Mapping
from typing import Any

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from socius.commerce.payments.base import EventKind, InvalidSignature

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "Sandbox-Signature"
TOLERANCE_SECONDS = 300
TIMEOUT_SECONDS = 10.0
EVENT_KINDS: dict[str, EventKind] = {
    "payment.authorized": "authorized",
    "payment.captured": "captured",
    "payment.failed": "failed",
    "payment.voided": "voided",
    "payment.refunded": "refunded",
}

# Tests deliver through ``httpx.WSGITransport(app=<Django's WSGI app>)``; None is the network.
transport: httpx.BaseTransport | None = None


def webhook_secret() -> str:
    """``COMMERCE_SANDBOX_WEBHOOK_SECRET``; in development, derived from SECRET_KEY."""
    secret: str = settings.COMMERCE_SANDBOX_WEBHOOK_SECRET
    if secret:
        return secret
    if settings.IS_PRODUCTION:
        raise ImproperlyConfigured(
            "SOCIUS_SANDBOX_WEBHOOK_SECRET must be set to use the sandbox payment provider "
            "when SOCIUS_ENV=production."
        )
    purpose = b"socius.commerce.payments.sandbox.webhook"
    return hmac.new(settings.SECRET_KEY.encode(), purpose, hashlib.sha256).hexdigest()


def signature_header(body: bytes, timestamp: int, secret: str | None = None) -> str:
    secret = secret or webhook_secret()
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verified_event(body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
    """The event in ``body`` once its signature and age check out (else ``InvalidSignature``)."""
    try:
        secret = webhook_secret()
    except ImproperlyConfigured as error:
        logger.error("Sandbox webhook refused: %s", error)
        raise InvalidSignature("No webhook secret configured.") from error
    timestamp, signatures = _parse_header(_header(headers, SIGNATURE_HEADER))
    if abs(time.time() - timestamp) > TOLERANCE_SECONDS:
        raise InvalidSignature("The signature's timestamp is outside the tolerance.")
    expected = signature_header(body, timestamp, secret).split("v1=", 1)[1]
    if not any(hmac.compare_digest(expected.encode(), given.encode()) for given in signatures):
        raise InvalidSignature("The signature does not match the body.")
    try:
        event = json.loads(body)
    except ValueError as error:
        raise InvalidSignature("A signed body that is not JSON.") from error
    if not (
        isinstance(event, dict)
        and isinstance(event.get("id"), str)
        and isinstance(event.get("type"), str)
        and isinstance(event.get("data"), dict)
        and isinstance(event["data"].get("ref"), str)
    ):
        raise InvalidSignature("A signed body that is not a sandbox event.")
    return event


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:  # a plain dict, not Django's case-insensitive headers
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), "")
    return value


def _parse_header(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise InvalidSignature("A malformed timestamp.") from None
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        raise InvalidSignature("No signature.")
    return timestamp, signatures


def event_enqueue(event: dict[str, Any]) -> None:
    from socius.commerce.payments.tasks import sandbox_event_deliver

    sandbox_event_deliver.enqueue(event, 1)


def event_deliver(event: dict[str, Any]) -> bool:
    """POST one event to Socius's own webhook; whether it was accepted (2xx)."""
    body = json.dumps(event, separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature_header(body, int(time.time())),
    }
    url = settings.SITE_URL + reverse("payment-webhooks:sandbox")
    try:
        with httpx.Client(transport=transport, timeout=TIMEOUT_SECONDS) as client:
            response = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as error:
        logger.warning("Sandbox event %s not delivered: %s", event.get("id"), type(error).__name__)
        return False
    if response.is_success:
        return True
    logger.warning(
        "Sandbox event %s refused by the webhook: HTTP %s", event.get("id"), response.status_code
    )
    return False
