"""What group buying asks of a payment provider, and what a provider tells us back.

Every call carries an idempotency key, forwarded to the provider, so a retried call is never
a second charge. Provider events (webhooks) are parsed into ``ProviderEvent`` after their
signature is checked on the raw body; the rest of Socius never sees a provider's own format.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

EventKind = Literal["authorized", "captured", "failed", "voided", "refunded", "expired"]


class ProviderError(Exception):
    """The provider refused or could not be reached. ``retryable`` says whether the same call
    (same idempotency key) may be tried again later."""

    def __init__(self, message: str, *, retryable: bool, code: str = "") -> None:
        super().__init__(message)
        self.retryable = retryable
        self.code = code


class InvalidSignature(Exception):
    """A webhook whose signature or timestamp does not check out: answered 400, nothing kept."""


@dataclass(frozen=True)
class Checkout:
    """A payment started at the provider: send the customer to ``checkout_url``."""

    ref: str
    checkout_url: str


@dataclass(frozen=True)
class ProviderEvent:
    provider: str
    event_id: str
    kind: EventKind
    ref: str
    amount_cents: int = 0
    reason: str = ""
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderRecord:
    """The provider's view of one payment, for the nightly reconciliation."""

    ref: str
    status: str  # authorized, captured, voided, refunded, failed, pending
    amount_cents: int
    captured_cents: int
    refunded_cents: int
    created_at: dt.datetime


class PaymentProvider(Protocol):
    name: str

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
        """Start a payment. ``capture_now`` False places a hold (manual capture)."""
        ...

    def capture(self, *, ref: str, amount_cents: int, idempotency_key: str) -> None:
        """Charge at most the amount held (a smaller amount releases the rest)."""
        ...

    def void(self, *, ref: str, idempotency_key: str) -> None: ...

    def refund(self, *, ref: str, amount_cents: int, idempotency_key: str) -> None: ...

    def parse_webhook(self, *, body: bytes, headers: Mapping[str, str]) -> ProviderEvent | None:
        """Check the signature on the raw body (raise ``InvalidSignature``), then translate;
        ``None`` for an event kind we do not act on (answered 200, nothing kept)."""
        ...

    def payments_since(self, since: dt.datetime) -> list[ProviderRecord]: ...
