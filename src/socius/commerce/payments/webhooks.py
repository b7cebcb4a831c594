"""The providers' webhooks: ``/webhooks/payments/sandbox`` and ``/webhooks/payments/stripe``.

A provider calls without a cookie, so there is no CSRF token: the proof of origin is the
signature of the raw body, checked (with its timestamp) by the provider's ``parse_webhook``
before anything is written. Providers deliver at least once and out of order: the event's id
is inserted into ``WebhookEvent`` (unique per provider) in the same transaction as its
effect, so a delivery made again is answered 200 and changes nothing, and a failure of the
effect leaves no row behind, so the provider's next try applies it.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from socius.commerce import payments
from socius.commerce.models import WebhookEvent
from socius.commerce.payments.base import InvalidSignature, ProviderError, ProviderEvent

logger = logging.getLogger(__name__)

# Payment events are a few kilobytes; anything this large is not one of them.
MAX_BODY_BYTES = 256 * 1024


def webhook_event_apply(event: ProviderEvent) -> bool:
    """Apply a verified event once; False for an event already applied."""
    from socius.commerce.services.payments import payment_event_apply

    with transaction.atomic():
        try:
            with transaction.atomic():
                WebhookEvent.objects.create(
                    provider=event.provider,
                    event_id=event.event_id,
                    kind=event.kind,
                    payload=event.payload,
                )
        except IntegrityError:
            return False
        payment_event_apply(event)
    return True


@csrf_exempt
@require_POST
def sandbox_webhook(request: HttpRequest) -> HttpResponse:
    return _receive(request, "sandbox")


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    return _receive(request, "stripe")


def _receive(request: HttpRequest, provider_name: str) -> HttpResponse:
    if _declared_length(request) > MAX_BODY_BYTES or len(request.body) > MAX_BODY_BYTES:
        return HttpResponse(status=413)
    try:
        event = payments.get_provider(provider_name).parse_webhook(
            body=request.body, headers=request.headers
        )
    except InvalidSignature as error:
        logger.warning("Payment webhook (%s) refused: %s", provider_name, error)
        return HttpResponse(status=400)
    except ProviderError as error:  # the provider could not be asked about the event
        logger.warning("Payment webhook (%s) deferred: %s", provider_name, error.code)
        return HttpResponse(status=503)
    if event is not None and not webhook_event_apply(event):
        logger.info("Payment webhook (%s): event %s already applied", provider_name, event.event_id)
    # Any answer but 2xx makes the provider deliver the event again.
    return HttpResponse(status=200)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
