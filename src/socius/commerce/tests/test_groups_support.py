"""Shared by the group-buying tests: a fake payment provider at the ``PaymentProvider``
interface, and builders going through the real services."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from socius.accounts.models import User
from socius.commerce.models import Offer, Payment
from socius.commerce.payments.base import Checkout, ProviderError, ProviderEvent, ProviderRecord
from socius.commerce.services import OfferData, Party, offer_create, offer_publish
from socius.commerce.services.payments import payment_event_apply
from socius.people.services.types import IdentifierIn, Profile

_events = itertools.count(1)


@dataclass
class FakeProvider:
    """Remembers every call; ``fail`` names operations to refuse (``{"checkout"}``)."""

    name: str = "fake"
    calls: list[tuple[str, str, int]] = field(default_factory=list)
    fail: set[str] = field(default_factory=set)
    retryable: bool = True
    refs: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _refuse(self, operation: str) -> None:
        if operation in self.fail:
            raise ProviderError(f"{operation} refused", retryable=self.retryable, code="refused")

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
        self._refuse("checkout")
        with self.lock:
            ref = self.refs.setdefault(idempotency_key, f"fake_{len(self.refs) + 1}")
            self.calls.append(("checkout", ref, amount_cents))
        return Checkout(ref=ref, checkout_url=f"https://pay.example/{ref}")

    def capture(self, *, ref: str, amount_cents: int, idempotency_key: str) -> None:
        self._refuse("capture")
        with self.lock:
            self.calls.append(("capture", ref, amount_cents))

    def void(self, *, ref: str, idempotency_key: str) -> None:
        self._refuse("void")
        with self.lock:
            self.calls.append(("void", ref, 0))

    def refund(self, *, ref: str, amount_cents: int, idempotency_key: str) -> None:
        self._refuse("refund")
        with self.lock:
            self.calls.append(("refund", ref, amount_cents))

    def parse_webhook(self, *, body: bytes, headers: Mapping[str, str]) -> ProviderEvent | None:
        return None

    def payments_since(self, since: dt.datetime) -> list[ProviderRecord]:
        return []

    def operations(self, operation: str) -> list[tuple[str, int]]:
        return [(ref, amount) for name, ref, amount in self.calls if name == operation]


@pytest.fixture(name="provider")
def provider_fixture(monkeypatch: Any) -> FakeProvider:
    fake = FakeProvider()
    monkeypatch.setattr("socius.commerce.payments.get_provider", lambda name=None: fake)
    return fake


def offer_data(**changes: Any) -> OfferData:
    values: dict[str, Any] = {
        "title": "Parc des Lumières, journée",
        "capacity": 100,
        "base_price_cents": 3000,
        "tiers": [(5, 2700), (10, 2400)],
        "min_group_size": 3,
        "max_group_size": 20,
        "group_window_hours": 48,
        "event_date": (timezone.now() + dt.timedelta(days=30)).date(),
    }
    values.update(changes)
    return OfferData(**values)


def published_offer(actor: User, **changes: Any) -> Offer:
    offer = offer_create(actor=actor, data=offer_data(**changes))
    return offer_publish(actor=actor, offer=offer)


def party(email: str, given_name: str = "") -> Party:
    return Party(identifiers=[IdentifierIn("email", email)], profile=Profile(given_name=given_name))


def provider_event(payment: Payment, kind: str, amount_cents: int = 0) -> None:
    """What the webhook view does: the event applied inside one transaction."""
    payment.refresh_from_db()
    event = ProviderEvent(
        provider=payment.provider,
        event_id=f"evt_{next(_events)}",
        kind=kind,  # type: ignore[arg-type]
        ref=payment.provider_ref,
        amount_cents=amount_cents,
    )
    with transaction.atomic():
        payment_event_apply(event)
