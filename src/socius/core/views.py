from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.http import require_GET

from socius.core.http import AuthenticatedHttpRequest
from socius.core.live import (
    MAX_REQUESTED_CHANNELS,
    LiveEvent,
    Subscription,
    channel_allowed,
    get_broker,
)
from socius.core.selectors import activity_recent_for_department

HEARTBEAT_SECONDS = 15.0
# Streams end after a while and the browser reconnects by itself (EventSource does):
# proxies and load balancers drop idle long requests, and this recycles them cleanly.
STREAM_LIFETIME_SECONDS = 300.0


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return render(request, "core/home.html", _home_context(request))  # type: ignore[arg-type]


def _home_context(request: AuthenticatedHttpRequest) -> dict[str, object]:
    return {"activities": activity_recent_for_department(department_id=request.user.department_id)}


@login_required
@require_GET
def activity_recent(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "core/home.html#recent-activity", _home_context(request))


def live_channels_for(user: object) -> set[str]:
    """The channels a signed-in employee may listen to."""
    channels = {f"user:{user.pk}"}  # type: ignore[attr-defined]
    department_id = getattr(user, "department_id", None)
    if department_id:
        channels.add(f"department:{department_id}")
    else:  # their home page shows the company's activity instead of a department's
        channels.add("company")
    return channels


def requested_channels_allowed(user: object, requested: list[str]) -> bool:
    """Whether the user may listen to every channel a page asked for with ``?channel=``."""
    if len(requested) > MAX_REQUESTED_CHANNELS:
        return False
    return all(channel_allowed(user, channel) for channel in requested)


def _format(event: LiveEvent) -> str:
    return f"event: {event.name}\ndata: {event.to_json()}\n\n"


async def _stream(subscription: Subscription, lifetime: float) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + lifetime
    events = subscription.__aiter__()
    # The pending read outlives heartbeats: cancelling it on a timeout (as wait_for does)
    # would finish the subscription's generator, and the stream would break after one beat.
    next_event: asyncio.Future[LiveEvent] | None = None
    yield "retry: 3000\n\n"
    try:
        while (remaining := deadline - loop.time()) > 0:
            if next_event is None:
                next_event = asyncio.ensure_future(events.__anext__())
            done, _ = await asyncio.wait({next_event}, timeout=min(HEARTBEAT_SECONDS, remaining))
            if not done:
                yield ": heartbeat\n\n"
                continue
            try:
                event = next_event.result()
            except StopAsyncIteration:  # the subscription ended
                break
            next_event = None
            yield _format(event)
    finally:
        if next_event is not None:
            next_event.cancel()
        await subscription.close()


async def live_events(request: HttpRequest) -> HttpResponseBase:
    """Server-sent events for the signed-in employee's channels."""
    user = await request.auser()
    if not user.is_authenticated or not user.is_active:
        return JsonResponse({"code": "unauthenticated", "message": "Sign in first."}, status=401)
    requested = request.GET.getlist("channel")
    if not await sync_to_async(requested_channels_allowed)(user, requested):
        return JsonResponse(
            {"code": "channel_forbidden", "message": "You may not listen to this channel."},
            status=403,
        )
    # A stream may stay open for minutes: it must not hold a database connection meanwhile.
    await sync_to_async(connections.close_all)()
    lifetime = STREAM_LIFETIME_SECONDS
    if request.GET.get("once") == "1":  # lets tests and health checks read one heartbeat
        lifetime = 0.05
    subscription = get_broker().subscribe(live_channels_for(user) | set(requested))
    response = StreamingHttpResponse(
        _stream(subscription, lifetime), content_type="text/event-stream"
    )
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "csrf_failed", "message": "CSRF verification failed.", "details": {}},
            status=403,
        )
    return render(request, "403_csrf.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "not_found", "message": "Not found.", "details": {}}, status=404
        )
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "internal_error", "message": "An unexpected error occurred.", "details": {}},
            status=500,
        )
    # No request context: whatever broke may be what a context processor needs.
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "forbidden", "message": "Forbidden.", "details": {}}, status=403
        )
    return render(request, "403.html", status=403)
