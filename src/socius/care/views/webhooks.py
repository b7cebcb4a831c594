"""Webhooks that providers call: Meta's Messenger Platform.

Meta calls without a cookie, so there is no CSRF token: the proof of origin is the
signature of the raw body with the app secret, checked before anything is read or written.
"""

from __future__ import annotations

import json
import logging

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
)
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from socius.care.channels.messenger import (
    inbound_messages,
    signature_valid,
    subscription_challenge,
)
from socius.care.services.intake import Inbound, message_receive
from socius.core.errors import DomainError

logger = logging.getLogger(__name__)

# Meta's deliveries are a few kilobytes; anything this large is not one of them.
MAX_BODY_BYTES = 1024 * 1024


@csrf_exempt
@require_http_methods(["GET", "POST"])
def messenger_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":  # Meta subscribing the webhook
        challenge = subscription_challenge(request.GET)
        if challenge is None:
            return HttpResponseForbidden()
        return HttpResponse(challenge, content_type="text/plain; charset=utf-8")
    if _declared_length(request) > MAX_BODY_BYTES or len(request.body) > MAX_BODY_BYTES:
        return HttpResponse(status=413)
    if not signature_valid(request.body, request.headers.get("X-Hub-Signature-256", "")):
        return HttpResponseForbidden()
    try:
        payload = json.loads(request.body)
    except ValueError:
        return HttpResponseBadRequest()
    if not isinstance(payload, dict) or payload.get("object") != "page":
        return HttpResponseNotFound()  # what Meta expects for a subscription not ours
    for inbound in inbound_messages(payload):
        _receive(inbound)
    # Any answer but 200 makes Meta deliver the whole batch again.
    return HttpResponse("EVENT_RECEIVED", content_type="text/plain; charset=utf-8")


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _receive(inbound: Inbound) -> None:
    """Store one message; one the domain refuses is logged and left out, not retried for
    ever. A database failure still fails the delivery: Meta retries, and the retry stores
    each message once."""
    try:
        message_receive(inbound)
    except DomainError as error:
        logger.warning("Messenger message %s left out: %s", inbound.external_id, error.code)
