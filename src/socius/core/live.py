"""Live updates: services publish events after commit; pages receive them by SSE.

The broker is an interface with two implementations: an in-process one (one server
process, the default) and a Redis one (several processes). Channels are plain strings such
as ``user:42`` or ``department:7``; who may listen to which channel is decided by the SSE
view, never by the broker.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LiveEvent:
    channel: str
    name: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"channel": self.channel, "name": self.name, "data": self.data})

    @classmethod
    def from_json(cls, raw: str | bytes) -> LiveEvent:
        value = json.loads(raw)
        return cls(channel=value["channel"], name=value["name"], data=value.get("data", {}))


class Subscription(Protocol):
    def __aiter__(self) -> AsyncIterator[LiveEvent]: ...

    async def close(self) -> None: ...


class Broker(Protocol):
    def publish(self, event: LiveEvent) -> None: ...

    def subscribe(self, channels: set[str]) -> Subscription: ...


class _MemorySubscription:
    def __init__(self, broker: MemoryBroker, channels: set[str]) -> None:
        self.broker = broker
        self.channels = channels
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[LiveEvent] = asyncio.Queue(maxsize=1000)

    def deliver(self, event: LiveEvent) -> None:
        # Called from any thread: hand the event to the subscriber's own event loop.
        def put() -> None:
            if self.queue.full():
                logger.warning("Live subscriber too slow; dropping an event on %s", event.channel)
                return
            self.queue.put_nowait(event)

        self.loop.call_soon_threadsafe(put)

    async def __aiter__(self) -> AsyncIterator[LiveEvent]:
        while True:
            yield await self.queue.get()

    async def close(self) -> None:
        self.broker._remove(self)


class MemoryBroker:
    """Fan-out inside one process; publishers may be sync threads, subscribers async tasks."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscriptions: list[_MemorySubscription] = []

    def publish(self, event: LiveEvent) -> None:
        with self._lock:
            targets = [s for s in self._subscriptions if event.channel in s.channels]
        for subscription in targets:
            try:
                subscription.deliver(event)
            except RuntimeError:  # the subscriber's loop has closed
                self._remove(subscription)

    def subscribe(self, channels: set[str]) -> _MemorySubscription:
        subscription = _MemorySubscription(self, channels)
        with self._lock:
            self._subscriptions.append(subscription)
        return subscription

    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscriptions)

    def _remove(self, subscription: _MemorySubscription) -> None:
        with self._lock:
            if subscription in self._subscriptions:
                self._subscriptions.remove(subscription)


class _RedisSubscription:
    def __init__(self, url: str, channels: set[str]) -> None:
        import redis.asyncio as redis_async

        self.client = redis_async.from_url(url)
        self.pubsub = self.client.pubsub()
        self.channels = channels
        self.started = False

    async def __aiter__(self) -> AsyncIterator[LiveEvent]:
        if not self.started:
            await self.pubsub.subscribe(*[f"socius:{c}" for c in self.channels])
            self.started = True
        async for message in self.pubsub.listen():
            if message.get("type") == "message":
                yield LiveEvent.from_json(message["data"])

    async def close(self) -> None:
        await self.pubsub.aclose()  # type: ignore[no-untyped-call]
        await self.client.aclose()


class RedisBroker:
    """Fan-out across processes through Redis pub/sub."""

    def __init__(self, url: str) -> None:
        import redis

        self.url = url
        self.client = redis.Redis.from_url(url)

    def publish(self, event: LiveEvent) -> None:
        self.client.publish(f"socius:{event.channel}", event.to_json())

    def subscribe(self, channels: set[str]) -> _RedisSubscription:
        return _RedisSubscription(self.url, channels)


ChannelAuthorizer = Callable[[Any, str], bool]
_CHANNEL_AUTHORIZERS: dict[str, ChannelAuthorizer] = {}
MAX_REQUESTED_CHANNELS = 5


def register_channel_authorizer(prefix: str, authorizer: ChannelAuthorizer) -> None:
    """Let pages ask for ``<prefix>:<suffix>`` channels; ``authorizer(user, suffix)`` decides.

    Contexts register their prefixes (``person``, later ``case``...) so that core, which
    imports no context, can still check who may listen to their channels.
    """
    _CHANNEL_AUTHORIZERS[prefix] = authorizer


def channel_allowed(user: Any, channel: str) -> bool:
    prefix, separator, suffix = channel.partition(":")
    authorizer = _CHANNEL_AUTHORIZERS.get(prefix)
    if not separator or not suffix or authorizer is None:
        return False
    return bool(authorizer(user, suffix))


@lru_cache(maxsize=1)
def get_broker() -> Broker:
    if settings.LIVE_BROKER == "redis":
        return RedisBroker(settings.REDIS_URL)
    return MemoryBroker()


def publish_on_commit(
    event: LiveEvent, *, broker_factory: Callable[[], Broker] | None = None
) -> None:
    """Publish once the surrounding transaction commits; nothing is sent on rollback."""
    publish_many_on_commit([event], broker_factory=broker_factory)


def publish_many_on_commit(
    events: list[LiveEvent], *, broker_factory: Callable[[], Broker] | None = None
) -> None:
    """Publish these events once the surrounding transaction commits, in one callback.

    A bulk write may touch thousands of rows; one callback per row costs more than the
    write itself, and a page needs one nudge per channel, not one per row.
    """
    if not events:
        return

    def send() -> None:
        for event in events:
            try:
                (broker_factory or get_broker)().publish(event)
            except Exception:  # a lost live update must never break the write that caused it
                logger.exception("Could not publish live event %s on %s", event.name, event.channel)

    transaction.on_commit(send)
