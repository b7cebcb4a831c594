"""The nightly reconciliation: the provider's books against our Payment rows.

A webhook lost for good, a capture recorded on one side only, an amount changed by hand in
the provider's dashboard: each shows up as a mismatch, kept in a ``Reconciliation`` row for
staff to look into and logged as a warning (refs and amounts only, no personal data). No
mismatch is corrected automatically: money moves only through the services.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings

from socius.commerce import payments
from socius.commerce.models import Payment, Reconciliation
from socius.commerce.payments.base import PaymentProvider, ProviderRecord

logger = logging.getLogger(__name__)

MISSING_HERE = "missing_here"  # the provider has a payment we do not know
MISSING_THERE = "missing_there"  # we have a payment the provider does not know
COMPARED = (
    ("amount", "amount_cents", "amount_cents"),
    ("captured", "captured_cents", "captured_cents"),
    ("refunded", "refunded_cents", "refunded_cents"),
    ("state", "state", "status"),
)


def payments_reconcile(
    provider_name: str, since: dt.datetime, *, provider: PaymentProvider | None = None
) -> Reconciliation:
    """Compare the provider's payments created since ``since`` with ours; keep and log every
    mismatch. ``provider`` replaces the one named, for tests."""
    provider = provider or payments.get_provider(provider_name)
    theirs = {record.ref: record for record in provider.payments_since(since)}
    ours = {
        payment.provider_ref: payment
        for payment in Payment.objects.filter(provider=provider_name, provider_ref__in=theirs)
    }
    # A Payment is created before its provider call, so every one of ours that the provider
    # should list was created after ``since`` too.
    ours_in_window = Payment.objects.filter(provider=provider_name, created_at__gte=since)
    for payment in ours_in_window.exclude(provider_ref=""):
        ours.setdefault(payment.provider_ref, payment)

    mismatches: list[dict[str, Any]] = []
    for ref in sorted(theirs.keys() | ours.keys()):
        mismatches.extend(_compare(ref, ours.get(ref), theirs.get(ref)))
    reconciliation = Reconciliation.objects.create(
        provider=provider_name,
        since=since,
        checked=len(theirs.keys() | ours.keys()),
        mismatches=mismatches,
    )
    for mismatch in mismatches:
        logger.warning(
            "Payment reconciliation %s (%s): %s on %s, ours %s, theirs %s",
            reconciliation.pk,
            provider_name,
            mismatch["problem"],
            mismatch["ref"],
            mismatch["ours"],
            mismatch["theirs"],
        )
    return reconciliation


def payments_reconcile_all(*, since: dt.datetime) -> list[Reconciliation]:
    """Reconcile the configured provider, and any other one still holding our payments of
    the window (a provider switched meanwhile)."""
    names = {settings.COMMERCE_PAYMENT_PROVIDER} | set(
        Payment.objects.filter(created_at__gte=since).values_list("provider", flat=True)
    )
    return [payments_reconcile(name, since) for name in sorted(names)]


def _compare(
    ref: str, payment: Payment | None, record: ProviderRecord | None
) -> list[dict[str, Any]]:
    if payment is None:
        assert record is not None
        return [_mismatch(ref, MISSING_HERE, None, _summary(record))]
    if record is None:
        return [_mismatch(ref, MISSING_THERE, {"payment": payment.pk}, None)]
    found = []
    for problem, our_field, their_field in COMPARED:
        our_value, their_value = getattr(payment, our_field), getattr(record, their_field)
        if problem == "state":
            our_value = _money_state(our_value, payment.captured_cents, payment.refunded_cents)
            their_value = _money_state(their_value, record.captured_cents, record.refunded_cents)
        if our_value != their_value:
            found.append(_mismatch(ref, problem, our_value, their_value, payment=payment.pk))
    return found


def _money_state(state: str, captured: int, refunded: int) -> str:
    """States that name the same money: providers call a partly refunded charge "refunded"
    where we keep "captured" with the amount refunded (compared on its own), and an
    abandoned checkout "voided" or "failed" alike. Amounts still catch any real drift."""
    if state == "refunded" and 0 < refunded < captured:
        return "captured"
    if state in ("failed", "voided") and captured == 0:
        return "not_charged"
    return state


def _mismatch(
    ref: str, problem: str, ours: Any, theirs: Any, *, payment: int | None = None
) -> dict[str, Any]:
    found = {"ref": ref, "problem": problem, "ours": ours, "theirs": theirs}
    if payment is not None:
        found["payment"] = payment
    return found


def _summary(record: ProviderRecord) -> dict[str, Any]:
    return {
        "status": record.status,
        "amount_cents": record.amount_cents,
        "captured_cents": record.captured_cents,
        "refunded_cents": record.refunded_cents,
        "created_at": record.created_at.isoformat(),
    }
