"""Replies by email: sent through Django's email backend, threaded so that the customer's
mail client shows them under their own mail, and their answer comes back on the case.

Our Message-ID carries a random token: a mail answering it (In-Reply-To / References) is
trusted to belong to the case (``email_in._thread_ids``), which only someone who received
our reply can do. The sender reads the ``Message`` it is handed and the case's other
messages, never a note.
"""

from __future__ import annotations

import secrets
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.translation import gettext

from socius.care.channels.outbound import DeliveryFailed, register_sender
from socius.care.models import Message
from socius.core.markdown import render_markdown

CHANNEL = "email"
# RFC 5322 lets a long thread's References keep its first id and the most recent ones.
MAX_REFERENCES = 20


def _domain() -> str:
    return settings.CARE_EMAIL_ADDRESS.rpartition("@")[2] or "socius.localhost"


def assign_message_id(message: Message) -> str:
    """Give an outbound reply its own, unguessable Message-ID (saved on the message)."""
    token = secrets.token_urlsafe(12)
    message.email_message_id = f"<care.{message.case_id}.{message.pk}.{token}@{_domain()}>"
    message.save(update_fields=["email_message_id"])
    return message.email_message_id


def _sender_address() -> str:
    if settings.COMPANY_NAME:
        return formataddr((settings.COMPANY_NAME, settings.CARE_EMAIL_ADDRESS))
    return str(settings.CARE_EMAIL_ADDRESS)


def _threading(message: Message) -> tuple[str, list[str]]:
    """In-Reply-To (the customer's last mail before this reply) and References (the case's
    mail ids in order, the first and the most recent ones when the thread is long)."""
    earlier = list(
        Message.objects.filter(case_id=message.case_id, channel=CHANNEL, pk__lt=message.pk)
        .exclude(email_message_id="")
        .order_by("created_at", "id")
        .values_list("direction", "email_message_id")
    )
    inbound = [mid for direction, mid in earlier if direction == Message.Direction.INBOUND]
    references = list(dict.fromkeys(mid for _, mid in earlier))
    if len(references) > MAX_REFERENCES:
        references = [references[0], *references[-(MAX_REFERENCES - 1) :]]
    return (inbound[-1] if inbound else ""), references


def email_compose(message: Message) -> EmailMultiAlternatives:
    if not message.address:
        raise DeliveryFailed(gettext("This customer gave no email address to answer."))
    if not message.email_message_id:
        assign_message_id(message)
    case = message.case
    in_reply_to, references = _threading(message)
    headers = {"Message-ID": message.email_message_id}
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
    if references:
        headers["References"] = " ".join(references)
    mail = EmailMultiAlternatives(
        subject=f"Re: [#{case.pk}] {case.subject}",
        body=message.body,
        from_email=_sender_address(),
        to=[message.address],
        headers=headers,
    )
    html = render_markdown(message.body)
    mail.attach_alternative(f"<!doctype html><html><body>{html}</body></html>", "text/html")
    for attachment in message.attachments.order_by("id"):
        with attachment.file.open("rb") as file:
            mail.attach(attachment.name, file.read(), attachment.content_type)
    return mail


def send_email(message: Message) -> None:
    """The email channel's sender (``care.channels.outbound``)."""
    email_compose(message).send(fail_silently=False)


register_sender(CHANNEL, send_email)
