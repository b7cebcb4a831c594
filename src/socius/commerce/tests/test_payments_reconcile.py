"""The nightly reconciliation of a provider's books with our Payment rows."""

from __future__ import annotations

import datetime as dt
import logging
from io import StringIO
from typing import Any, cast

import pytest
from django.core.management import call_command
from django.utils import timezone

from socius.commerce.models import (
    GroupOrder,
    Offer,
    Participant,
    Payment,
    PaymentState,
    Reconciliation,
)
from socius.commerce.payments import tasks
from socius.commerce.payments.base import PaymentProvider, ProviderRecord
from socius.commerce.payments.reconcile import payments_reconcile
from socius.commerce.payments.sandbox import SandboxProvider, sandbox_pay
from socius.conftest import Cast

NOW = timezone.now()


class ListedProvider:
    """A provider whose books are the records given."""

    name = "sandbox"

    def __init__(self, records: list[ProviderRecord]) -> None:
        self.records = records

    def payments_since(self, since: dt.datetime) -> list[ProviderRecord]:
        return self.records


def listed(records: list[ProviderRecord]) -> PaymentProvider:
    return cast(PaymentProvider, ListedProvider(records))


def record(ref: str, *, status: str = "authorized", amount: int = 4500) -> ProviderRecord:
    return ProviderRecord(ref, status, amount, 0, 0, NOW)


def payments(cast: Cast, *refs: str, state: str = PaymentState.AUTHORIZED) -> list[Payment]:
    # Built directly: only the rows' money fields matter to the reconciliation.
    offer = Offer.objects.create(
        title="Parc", slug="parc", kind="open_dated", capacity=100, base_price_cents=1500
    )
    group = GroupOrder.objects.create(
        offer=offer,
        organiser=cast.customer,
        share_token="t" * 43,
        min_size=2,
        max_size=10,
        payment_mode="hold",
        base_price_cents=1500,
        deadline=NOW + dt.timedelta(days=2),
    )
    found = []
    for index, ref in enumerate(refs):
        participant = Participant.objects.create(
            group=group,
            person=cast.customer,
            seats=3,
            idempotency_key=f"join-{index}",
            access_token=f"{index}" * 43,
            unit_price_cents=1500,
        )
        found.append(
            Payment.objects.create(
                participant=participant,
                provider="sandbox",
                provider_ref=ref,
                state=state,
                amount_cents=4500,
                idempotency_key=f"{index}:checkout",
            )
        )
    return found


@pytest.mark.django_db
def test_it_reports_a_missing_an_extra_and_a_mismatched_payment(
    cast: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    same, differs, only_ours = payments(cast, "sbx_same", "sbx_differs", "sbx_only_ours")
    theirs = [
        record("sbx_same"),
        record("sbx_differs", amount=5000),
        record("sbx_only_theirs", status="captured"),
    ]
    with caplog.at_level(logging.WARNING, logger="socius.commerce.payments.reconcile"):
        reconciliation = payments_reconcile(
            "sandbox", NOW - dt.timedelta(hours=48), provider=listed(theirs)
        )
    assert reconciliation.checked == 4
    assert [(m["ref"], m["problem"]) for m in reconciliation.mismatches] == [
        ("sbx_differs", "amount"),
        ("sbx_only_ours", "missing_there"),
        ("sbx_only_theirs", "missing_here"),
    ]
    amount = reconciliation.mismatches[0]
    assert (amount["ours"], amount["theirs"], amount["payment"]) == (4500, 5000, differs.pk)
    assert reconciliation.mismatches[1]["ours"] == {"payment": only_ours.pk}
    assert reconciliation.mismatches[2]["theirs"]["status"] == "captured"
    assert Reconciliation.objects.get() == reconciliation
    assert len(caplog.records) == 3
    assert "Claire" not in caplog.text
    assert "example.org" not in caplog.text


@pytest.mark.django_db
def test_state_captured_and_refunded_drifts_are_reported(cast: Cast) -> None:
    (payment,) = payments(cast, "sbx_1", state=PaymentState.CAPTURED)
    Payment.objects.filter(pk=payment.pk).update(captured_cents=4500)
    theirs = [ProviderRecord("sbx_1", "refunded", 4500, 4000, 4000, NOW)]
    reconciliation = payments_reconcile(
        "sandbox", NOW - dt.timedelta(hours=1), provider=listed(theirs)
    )
    assert [(m["problem"], m["ours"], m["theirs"]) for m in reconciliation.mismatches] == [
        ("captured", 4500, 4000),
        ("refunded", 0, 4000),
        ("state", "captured", "refunded"),
    ]


@pytest.mark.django_db
def test_matching_books_give_an_empty_reconciliation(cast: Cast) -> None:
    provider = SandboxProvider()
    ref = provider.checkout(
        amount_cents=4500,
        currency="EUR",
        description="Parc",
        idempotency_key="0:checkout",
        return_url="http://127.0.0.1:8000/",
        capture_now=False,
        metadata={},
    ).ref
    sandbox_pay(ref=ref, card_number="4242424242424242")
    payments(cast, ref)
    reconciliation = payments_reconcile("sandbox", NOW - dt.timedelta(hours=48))
    assert (reconciliation.checked, reconciliation.mismatches) == (1, [])


@pytest.mark.django_db
def test_the_nightly_job_and_the_command_reconcile_the_sandbox(cast: Cast, settings: Any) -> None:
    settings.COMMERCE_PAYMENT_PROVIDER = "sandbox"
    payments(cast, "sbx_lost")
    assert tasks.payments_reconcile_run.call() == 1
    out = StringIO()
    call_command("payments_reconcile", "--provider", "sandbox", stdout=out)
    assert "sbx_lost: missing_there" in out.getvalue()
    assert Reconciliation.objects.count() == 2


def test_the_nightly_jobs_are_registered() -> None:
    from socius.core.periodic import registered_periodic_jobs

    names = {spec.name: spec.every for spec in registered_periodic_jobs()}
    assert names["commerce.payments_reconcile"] == dt.timedelta(hours=24)
    assert names["commerce.sandbox_keys_prune"] == dt.timedelta(days=1)


@pytest.mark.django_db
def test_a_partial_refund_and_an_abandoned_checkout_are_not_reported_as_drift(
    cast: Cast,
) -> None:
    partly, abandoned = payments(cast, "sbx_part", "sbx_gone", state=PaymentState.CAPTURED)
    Payment.objects.filter(pk=partly.pk).update(captured_cents=4500, refunded_cents=500)
    Payment.objects.filter(pk=abandoned.pk).update(state=PaymentState.FAILED)
    theirs = [
        # A pay-now share charged 45 €, 5 € given back at the final tier price.
        ProviderRecord("sbx_part", "refunded", 4500, 4500, 500, NOW),
        # A checkout the customer left, cancelled at the provider.
        ProviderRecord("sbx_gone", "voided", 4500, 0, 0, NOW),
    ]
    reconciliation = payments_reconcile(
        "sandbox", NOW - dt.timedelta(hours=1), provider=listed(theirs)
    )
    assert reconciliation.mismatches == []
