"""The Messenger Platform channel: Meta's webhook events in, Send API replies out.

Inbound: Meta signs each delivery with the app secret (``X-Hub-Signature-256``) and may
deliver an event more than once; ``message_receive`` stores a message once by its ``mid``.
The customer is known by their page-scoped id (PSID) only, an ``external`` identifier of
the ``care.messenger`` source for the person hub.

Outbound: a reply goes to the PSID it answers through the Send API, in parts of at most
``MAX_TEXT`` characters. Only the reply's own ``Message`` is read: nothing else of the case
can reach the customer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from socius.care.channels.outbound import DeliveryFailed, register_sender
from socius.care.models import Channel, Message
from socius.care.services.common import MAX_BODY
from socius.care.services.intake import Inbound
from socius.people.models import IdentifierKind
from socius.people.services.types import IdentifierIn

logger = logging.getLogger(__name__)

# The Send API refuses a text message longer than this.
MAX_TEXT = 2000
TIMEOUT_SECONDS = 10.0
# Tests replace the network with an ``httpx.MockTransport``; None is the real network.
transport: httpx.BaseTransport | None = None


class MalformedEvent(ValueError):
    """A signed event that does not have the shape Meta documents."""


def subscription_challenge(params: Mapping[str, str]) -> str | None:
    """The challenge to echo when Meta subscribes the webhook with our verify token."""
    expected = settings.CARE_MESSENGER_VERIFY_TOKEN
    token = params.get("hub.verify_token", "")
    if not expected or params.get("hub.mode") != "subscribe":
        return None
    if not hmac.compare_digest(token.encode(), expected.encode()):
        return None
    return params.get("hub.challenge", "")


def signature_valid(body: bytes, header: str) -> bool:
    """Whether Meta signed this raw body with our app secret (``sha256=<hex>``)."""
    secret = settings.CARE_MESSENGER_APP_SECRET
    if not secret or not header.startswith("sha256="):
        return False
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.encode())


def inbound_messages(payload: Mapping[str, Any]) -> list[Inbound]:
    """The customer messages of a delivery. Echoes of our own replies, delivery and read
    receipts are not customer messages; a malformed event is logged and left out, so that
    one bad event does not make Meta deliver the good ones again and again."""
    messages = []
    for event in _messaging_events(payload):
        try:
            inbound = _inbound(event)
        except MalformedEvent as error:
            logger.warning("Messenger event left out: %s", error)
            continue
        if inbound is not None:
            messages.append(inbound)
    return messages


def _messaging_events(payload: Mapping[str, Any]) -> Iterator[Any]:
    entries = payload.get("entry")
    if not isinstance(entries, list):
        logger.warning("Messenger delivery without a list of entries left out.")
        return
    for entry in entries:
        events = entry.get("messaging") if isinstance(entry, dict) else None
        # Entries of other subscriptions (standby, changes) carry no ``messaging`` list.
        if isinstance(events, list):
            yield from events


def _inbound(event: Any) -> Inbound | None:
    if not isinstance(event, dict):
        raise MalformedEvent("not an object")
    message = event.get("message")
    if message is None:  # delivery, read, postback, reaction: nothing the customer wrote
        return None
    if not isinstance(message, dict):
        raise MalformedEvent("message is not an object")
    if message.get("is_echo"):  # our own reply, sent back to us
        return None
    sender = event.get("sender")
    psid = _string(sender.get("id") if isinstance(sender, dict) else None, "sender.id", 200)
    mid = _string(message.get("mid"), "message.mid", 300)
    text = message.get("text", "")
    if not isinstance(text, str):
        raise MalformedEvent(f"message {mid}: text is not a string")
    body = "\n".join([text.strip(), *_attachment_lines(message.get("attachments"))]).strip()
    if not body:
        raise MalformedEvent(f"message {mid}: neither text nor attachment")
    return Inbound(
        channel=Channel.MESSENGER,
        body=body[:MAX_BODY],
        identifiers=(IdentifierIn(IdentifierKind.EXTERNAL, psid),),
        address=psid,
        external_id=mid,
        received_at=_received_at(event.get("timestamp"), mid),
    )


def _string(value: Any, name: str, max_length: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise MalformedEvent(f"{name} is not a string of 1 to {max_length} characters")
    return value.strip()


def _attachment_lines(attachments: Any) -> list[str]:
    """One line per attachment: its kind and its address at Meta. The files are not
    fetched: their addresses come from the customer's side and expire."""
    if attachments is None:
        return []
    if not isinstance(attachments, list):
        raise MalformedEvent("attachments is not a list")
    lines = []
    for attachment in attachments:
        if not isinstance(attachment, dict):
            raise MalformedEvent("attachment is not an object")
        kind = attachment.get("type")
        payload = attachment.get("payload")
        # Fallback attachments (a shared link) carry their address beside the payload.
        url = payload.get("url") if isinstance(payload, dict) else attachment.get("url")
        label = f"[{kind if isinstance(kind, str) and kind else 'file'}]"
        lines.append(f"{label} {url}" if isinstance(url, str) and url else label)
    return lines


def _received_at(timestamp: Any, mid: str) -> dt.datetime | None:
    if timestamp is None:
        return None
    if isinstance(timestamp, bool) or not isinstance(timestamp, int) or timestamp < 0:
        raise MalformedEvent(f"message {mid}: timestamp is not milliseconds")
    # A clock ahead of ours must not push service-level targets into the future.
    return min(dt.datetime.fromtimestamp(timestamp / 1000, tz=dt.UTC), timezone.now())


def text_parts(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut a reply into parts the Send API accepts, at a line break or a space if one is
    near the limit, else at the limit."""
    parts = []
    rest = text.strip()
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut < limit // 2:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut < limit // 2:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [*parts, rest]


def messenger_send(message: Message) -> None:
    """Send a reply to the PSID it answers; ``DeliveryFailed`` says why Meta refused it."""
    token = settings.CARE_MESSENGER_PAGE_TOKEN
    if not token:
        raise DeliveryFailed(_("Messenger replies are not configured (no page access token)."))
    if not message.address:
        raise DeliveryFailed(_("This customer has no Messenger address to answer."))
    try:
        with httpx.Client(transport=transport, timeout=TIMEOUT_SECONDS) as client:
            for part in text_parts(message.body):
                response = client.post(
                    settings.CARE_MESSENGER_API_URL,
                    params={"access_token": token},
                    json={
                        "recipient": {"id": message.address},
                        "messaging_type": "RESPONSE",
                        "message": {"text": part},
                    },
                )
                if not response.is_success:
                    raise DeliveryFailed(_graph_error(response))
    except httpx.HTTPError as error:
        # The token travels in the address: never let it into the error shown to agents,
        # nor into a logged traceback (hence no chaining).
        reason = str(error).replace(token, "***") or type(error).__name__
        raise DeliveryFailed(
            _("Messenger could not be reached: %(error)s") % {"error": reason}
        ) from None


def _graph_error(response: httpx.Response) -> str:
    try:
        error = response.json()["error"]
        detail = f"{error['message']} (code {error.get('code')})"
    except (ValueError, KeyError, TypeError):
        detail = f"HTTP {response.status_code}"
    return _("Messenger refused the reply: %(error)s") % {"error": detail}


register_sender(Channel.MESSENGER, messenger_send)
