from __future__ import annotations

import asyncio
import json
import logging
import threading
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.db import transaction
from django.test import AsyncClient, Client

from socius.conftest import Cast
from socius.core import views
from socius.core.live import LiveEvent, MemoryBroker, publish_on_commit
from socius.core.services import ActivityDraft, activity_append
from socius.core.views import live_channels_for

RETRY = b"retry: 3000\n\n"
HEARTBEAT = b": heartbeat\n\n"


class RecordingBroker:
    def __init__(self) -> None:
        self.published: list[LiveEvent] = []

    def publish(self, event: LiveEvent) -> None:
        self.published.append(event)

    def subscribe(self, channels: set[str]) -> Any:
        raise NotImplementedError


class BrokenBroker(RecordingBroker):
    def publish(self, event: LiveEvent) -> None:
        raise ConnectionError("broker unreachable")


def publish_then_roll_back(event: LiveEvent, broker: RecordingBroker) -> None:
    with transaction.atomic():
        publish_on_commit(event, broker_factory=lambda: broker)
        raise ZeroDivisionError


def sse(event: LiveEvent) -> bytes:
    return f"event: {event.name}\ndata: {event.to_json()}\n\n".encode()


def test_it_delivers_events_of_the_subscribed_channel_only_even_from_other_threads() -> None:
    broker = MemoryBroker()
    from_thread = LiveEvent(channel="A", name="case.updated", data={"id": 1})
    on_b = LiveEvent(channel="B", name="case.updated", data={"id": 2})
    from_loop = LiveEvent(channel="A", name="case.closed", data={"id": 3})

    async def scenario() -> tuple[list[LiveEvent], bool, int]:
        subscription = broker.subscribe({"A"})
        publisher = threading.Thread(target=broker.publish, args=(from_thread,))
        publisher.start()
        publisher.join()
        broker.publish(on_b)
        broker.publish(from_loop)
        events = subscription.__aiter__()
        received = [
            await asyncio.wait_for(events.__anext__(), timeout=1),
            await asyncio.wait_for(events.__anext__(), timeout=1),
        ]
        await asyncio.sleep(0.01)
        nothing_else = subscription.queue.empty()
        await subscription.close()
        return received, nothing_else, broker.subscriber_count()

    received, nothing_else, subscribers_after_close = async_to_sync(scenario)()

    assert received == [from_thread, from_loop]
    assert nothing_else is True
    assert subscribers_after_close == 0


def test_it_round_trips_an_event_through_json() -> None:
    event = LiveEvent(channel="user:7", name="activity", data={"verb": "person.created"})

    assert json.loads(event.to_json()) == {
        "channel": "user:7",
        "name": "activity",
        "data": {"verb": "person.created"},
    }
    assert LiveEvent.from_json(event.to_json()) == event


def test_it_publishes_only_after_the_commit(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    broker = RecordingBroker()
    event = LiveEvent(channel="user:1", name="activity")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            publish_on_commit(event, broker_factory=lambda: broker)
            assert broker.published == []
        assert broker.published == []

    assert len(callbacks) == 1
    assert broker.published == [event]


def test_it_publishes_nothing_when_the_transaction_rolls_back(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    broker = RecordingBroker()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ZeroDivisionError),
    ):
        publish_then_roll_back(LiveEvent(channel="user:1", name="lost"), broker)

    assert callbacks == []
    assert broker.published == []


@pytest.mark.django_db(transaction=True)
def test_it_publishes_on_a_real_commit_and_not_on_a_real_rollback() -> None:
    broker = RecordingBroker()
    kept = LiveEvent(channel="user:1", name="kept")

    with pytest.raises(ZeroDivisionError):
        publish_then_roll_back(LiveEvent(channel="user:1", name="lost"), broker)
    with transaction.atomic():
        publish_on_commit(kept, broker_factory=lambda: broker)
        assert broker.published == []

    assert broker.published == [kept]


def test_it_never_lets_a_broker_failure_break_the_write(
    db: None, django_capture_on_commit_callbacks: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.ERROR, logger="socius.core.live"),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        publish_on_commit(LiveEvent(channel="user:1", name="activity"), broker_factory=BrokenBroker)

    assert [record.getMessage() for record in caplog.records] == [
        "Could not publish live event activity on user:1"
    ]


def test_it_lists_the_users_and_the_departments_channels(cast: Cast) -> None:
    agent = cast.agent

    assert live_channels_for(agent) == {f"user:{agent.pk}", f"department:{agent.department_id}"}


def test_an_employee_without_a_department_listens_to_the_company_channel(cast: Cast) -> None:
    cast.colleague.department = None

    assert live_channels_for(cast.colleague) == {f"user:{cast.colleague.pk}", "company"}


def test_an_appended_activity_is_announced_to_its_department_and_the_company(
    cast: Cast, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    broker = RecordingBroker()
    monkeypatch.setattr("socius.core.live.get_broker", lambda: broker)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        activity = activity_append(
            ActivityDraft(
                verb="test.done", actor_id=cast.agent.pk, department_id=cast.agent.department_id
            )
        )

    data = {"id": activity.pk, "verb": "test.done"}
    assert broker.published == [
        LiveEvent(channel=f"department:{cast.agent.department_id}", name="activity", data=data),
        LiveEvent(channel="company", name="activity", data=data),
    ]


def test_it_refuses_the_stream_to_an_anonymous_visitor(db: None) -> None:
    response = Client().get("/live/events?once=1")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "unauthenticated", "message": "Sign in first."}


@pytest.fixture
def broker(monkeypatch: pytest.MonkeyPatch) -> MemoryBroker:
    broker = MemoryBroker()
    monkeypatch.setattr(views, "get_broker", lambda: broker)
    return broker


def _signed_in_async_client(user: Any) -> AsyncClient:
    client = AsyncClient()
    client.force_login(user)
    return client


def test_it_streams_the_users_events_and_not_another_users(
    cast: Cast, broker: MemoryBroker
) -> None:
    mine = LiveEvent(channel=f"user:{cast.agent.pk}", name="activity", data={"verb": "x"})
    not_mine = LiveEvent(channel=f"user:{cast.colleague.pk}", name="activity", data={"v": 1})
    client = _signed_in_async_client(cast.agent)

    async def scenario() -> tuple[Any, list[bytes]]:
        response = await client.get("/live/events?once=1")
        chunks = response.streaming_content.__aiter__()
        received = [await chunks.__anext__()]
        broker.publish(not_mine)
        broker.publish(mine)
        received += [chunk async for chunk in chunks]
        return response, received

    response, received = async_to_sync(scenario)()

    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    assert response["Cache-Control"] == "no-cache"
    assert received[:2] == [RETRY, sse(mine)]
    assert set(received[2:]) <= {HEARTBEAT}
    assert received[1] == (
        b'event: activity\ndata: {"channel": "user:%d", "name": "activity", '
        b'"data": {"verb": "x"}}\n\n' % cast.agent.pk
    )
    assert broker.subscriber_count() == 0


def test_it_keeps_streaming_events_after_a_heartbeat(
    cast: Cast, broker: MemoryBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "HEARTBEAT_SECONDS", 0.05)
    monkeypatch.setattr(views, "STREAM_LIFETIME_SECONDS", 0.5)
    department_event = LiveEvent(channel=f"department:{cast.agent.department_id}", name="activity")
    client = _signed_in_async_client(cast.agent)

    async def scenario() -> list[bytes]:
        response = await client.get("/live/events")
        chunks = response.streaming_content.__aiter__()
        received = [await chunks.__anext__(), await chunks.__anext__()]
        broker.publish(department_event)
        received += [chunk async for chunk in chunks]
        return received

    received = async_to_sync(scenario)()

    assert received[:3] == [RETRY, HEARTBEAT, sse(department_event)]
    assert set(received[3:]) == {HEARTBEAT}
    assert broker.subscriber_count() == 0
