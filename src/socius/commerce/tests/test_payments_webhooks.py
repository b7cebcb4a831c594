"""The payment webhooks: signatures on the raw body, each event applied once (also when
delivered several times at once), and the sandbox's deliveries over real HTTP requests."""

from __future__ import annotations

import importlib
import json
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import Client

from socius.commerce.models import WebhookEvent
from socius.commerce.payments import sandbox_events, tasks
from socius.commerce.payments.base import ProviderEvent
from socius.commerce.payments.sandbox import SandboxProvider, sandbox_pay
from socius.commerce.payments.sandbox_events import SIGNATURE_HEADER, signature_header

URL = "/webhooks/payments/sandbox"
APPLY_MODULE = "socius.commerce.services.payments"


@pytest.fixture
def applied(monkeypatch: pytest.MonkeyPatch) -> list[ProviderEvent]:
    """Stands in for the domain's ``payment_event_apply``: records what it is given."""
    events: list[ProviderEvent] = []
    replace_apply(monkeypatch, events.append)
    return events


def replace_apply(monkeypatch: pytest.MonkeyPatch, apply: Callable[[ProviderEvent], None]) -> None:
    module = sys.modules.get(APPLY_MODULE)
    if module is None:
        try:
            module = importlib.import_module(APPLY_MODULE)
        except ImportError:  # the domain's services are not written yet
            module = types.ModuleType(APPLY_MODULE)
            monkeypatch.setitem(sys.modules, APPLY_MODULE, module)
    monkeypatch.setattr(module, "payment_event_apply", apply, raising=False)


@pytest.fixture
def over_http(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The sandbox delivers its webhooks as real HTTP requests to Django's WSGI app."""
    # As Django's test client does: the app must not close the test's database connection
    # at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    monkeypatch.setattr(sandbox_events, "transport", httpx.WSGITransport(app=WSGIHandler()))
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def event(event_id: str = "evt_1", event_type: str = "payment.authorized") -> dict[str, Any]:
    return {
        "id": event_id,
        "type": event_type,
        "created": int(time.time()),
        "data": {"ref": "sbx_abc", "amount_cents": 4500, "metadata": {"payment": "7"}},
    }


def post(body: bytes, *, timestamp: int | None = None, signature: str | None = None) -> int:
    header = (
        signature
        if signature is not None
        else signature_header(body, timestamp or int(time.time()))
    )
    response = Client().post(
        URL, body, content_type="application/json", headers={SIGNATURE_HEADER: header}
    )
    return response.status_code


@pytest.mark.django_db
def test_a_signed_event_is_applied_and_kept(applied: list[ProviderEvent]) -> None:
    assert post(json.dumps(event()).encode()) == 200
    assert [(e.kind, e.ref, e.amount_cents, e.event_id) for e in applied] == [
        ("authorized", "sbx_abc", 4500, "evt_1")
    ]
    row = WebhookEvent.objects.get()
    assert (row.provider, row.event_id, row.kind) == ("sandbox", "evt_1", "authorized")


@pytest.mark.django_db
def test_a_bad_signature_is_refused_and_nothing_is_kept(applied: list[ProviderEvent]) -> None:
    body = json.dumps(event()).encode()
    forged = signature_header(body, int(time.time()), secret="not-the-secret")
    altered = signature_header(body, int(time.time())).replace("v1=", "v1=0")
    assert post(body, signature=forged) == 400
    assert post(body, signature=altered) == 400
    assert post(body, signature="") == 400
    assert post(body + b" ", signature=signature_header(body, int(time.time()))) == 400
    assert applied == []
    assert not WebhookEvent.objects.exists()


@pytest.mark.django_db
def test_a_stale_or_future_timestamp_is_refused(applied: list[ProviderEvent]) -> None:
    body = json.dumps(event()).encode()
    assert post(body, timestamp=int(time.time()) - 360) == 400
    assert post(body, timestamp=int(time.time()) + 360) == 400
    assert applied == []
    assert not WebhookEvent.objects.exists()


@pytest.mark.django_db
def test_the_same_event_three_times_is_applied_once(applied: list[ProviderEvent]) -> None:
    body = json.dumps(event()).encode()
    assert [post(body) for _ in range(3)] == [200, 200, 200]
    assert len(applied) == 1
    assert WebhookEvent.objects.count() == 1


@pytest.mark.django_db
def test_an_event_kind_we_do_not_act_on_is_answered_and_not_kept(
    applied: list[ProviderEvent],
) -> None:
    assert post(json.dumps(event(event_type="payment.disputed")).encode()) == 200
    assert applied == []
    assert not WebhookEvent.objects.exists()


@pytest.mark.django_db
def test_a_signed_body_that_is_not_an_event_is_refused(applied: list[ProviderEvent]) -> None:
    assert post(b"not json") == 400
    assert post(b'{"id": "evt_1"}') == 400
    assert applied == []


@pytest.mark.django_db
def test_only_post_and_no_oversized_body(applied: list[ProviderEvent]) -> None:
    assert Client().get(URL).status_code == 405
    huge = json.dumps({**event(), "padding": "x" * 300_000}).encode()
    assert post(huge) == 413
    assert applied == []


@pytest.mark.django_db
def test_a_failure_of_the_effect_keeps_no_row_so_the_retry_applies_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[ProviderEvent] = []

    def flaky(provider_event: ProviderEvent) -> None:
        calls.append(provider_event)
        if len(calls) == 1:
            raise RuntimeError("database hiccup")

    replace_apply(monkeypatch, flaky)
    body = json.dumps(event()).encode()
    client = Client(raise_request_exception=False)
    headers = {SIGNATURE_HEADER: signature_header(body, int(time.time()))}
    first = client.post(URL, body, content_type="application/json", headers=headers)
    assert first.status_code == 500
    assert not WebhookEvent.objects.exists()
    assert post(body) == 200
    assert len(calls) == 2
    assert WebhookEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_event_delivered_at_once_is_applied_once(applied: list[ProviderEvent]) -> None:
    body = json.dumps(event()).encode()
    barrier = threading.Barrier(3)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            barrier.wait()
            statuses.append(post(body))
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert statuses == [200, 200, 200]
    assert len(applied) == 1
    assert WebhookEvent.objects.count() == 1


@pytest.mark.django_db
def test_the_sandbox_delivers_its_events_over_http(
    applied: list[ProviderEvent],
    over_http: None,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    provider = SandboxProvider()
    with django_capture_on_commit_callbacks(execute=True):
        ref = provider.checkout(
            amount_cents=4500,
            currency="EUR",
            description="Parc",
            idempotency_key="7:checkout",
            return_url="http://127.0.0.1:8000/groups/p/abc",
            capture_now=False,
            metadata={"payment": "7"},
        ).ref
    with django_capture_on_commit_callbacks(execute=True):
        sandbox_pay(ref=ref, card_number="4242424242424242")
    with django_capture_on_commit_callbacks(execute=True):
        provider.capture(ref=ref, amount_cents=4000, idempotency_key="7:capture")
        provider.capture(ref=ref, amount_cents=4000, idempotency_key="7:capture")  # a retry
    with django_capture_on_commit_callbacks(execute=True):
        provider.refund(ref=ref, amount_cents=4000, idempotency_key="7:refund")
    assert [(e.kind, e.ref, e.amount_cents) for e in applied] == [
        ("authorized", ref, 4500),
        ("captured", ref, 4000),
        ("refunded", ref, 4000),
    ]
    assert applied[0].payload["data"]["metadata"] == {"payment": "7"}
    assert WebhookEvent.objects.count() == 3


@pytest.mark.django_db
def test_a_refused_delivery_is_tried_again_later(
    applied: list[ProviderEvent],
    over_http: None,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    http = sandbox_events.transport
    monkeypatch.setattr(
        sandbox_events, "transport", httpx.MockTransport(lambda request: httpx.Response(503))
    )
    the_event = event()
    assert tasks.sandbox_event_deliver.call(the_event, 1) is False
    backend = tasks.sandbox_event_deliver.get_backend()
    retry = backend.results[-1]  # type: ignore[attr-defined]
    assert retry.args == [the_event, 2] or retry.args == (the_event, 2)
    assert retry.task.run_after is not None
    # Delivered for real the next time.
    monkeypatch.setattr(sandbox_events, "transport", http)
    assert tasks.sandbox_event_deliver.call(the_event, 2) is True
    assert [e.event_id for e in applied] == ["evt_1"]


@pytest.mark.django_db
def test_deliveries_give_up_after_the_last_try(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    monkeypatch.setattr(sandbox_events, "transport", httpx.MockTransport(down))
    backend = tasks.sandbox_event_deliver.get_backend()
    assert tasks.sandbox_event_deliver.call(event(), tasks.MAX_DELIVERY_ATTEMPTS) is False
    assert backend.results == []  # type: ignore[attr-defined]


def test_retries_wait_longer_each_time_up_to_an_hour() -> None:
    delays = [tasks.retry_delay(attempt).total_seconds() for attempt in range(1, 10)]
    assert delays[:4] == [30, 60, 120, 240]
    assert max(delays) == 3600


@pytest.mark.django_db
def test_the_worker_delivers_the_queued_events(
    applied: list[ProviderEvent],
    over_http: None,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.core.management import call_command
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    # The worker closes its connection between tasks; here that is the test's connection.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    provider = SandboxProvider()
    ref = provider.checkout(
        amount_cents=4500,
        currency="EUR",
        description="Parc",
        idempotency_key="9:checkout",
        return_url="http://127.0.0.1:8000/",
        capture_now=True,
        metadata={},
    ).ref
    with django_capture_on_commit_callbacks(execute=True):
        sandbox_pay(ref=ref, card_number="4242424242424242")
    assert DBTaskResult.objects.filter(task_path__endswith="sandbox_event_deliver").count() == 1
    assert applied == []  # asynchronous: nothing until the worker runs
    call_command("worker", "--batch")
    assert [(e.kind, e.ref, e.amount_cents) for e in applied] == [("captured", ref, 4500)]
