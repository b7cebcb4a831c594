"""The tickets email: links to the ticket page and its PDF, each QR code attached as a PNG
(shown by mail apps even when they block remote images). Sent after the commit; a mail
server failing never undoes a payment or an issue."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from socius.commerce.models import Participant, Ticket
from socius.commerce.tickets.qr import qr_png
from socius.people.models import IdentifierKind, Person

logger = logging.getLogger(__name__)


def person_email(person: Person) -> str | None:
    """An email we know the person by, verified first; ``None`` for none or an erased one."""
    if not person.is_live:
        return None
    return (
        person.identifiers.filter(kind=IdentifierKind.EMAIL)
        .order_by(F("verified_at").desc(nulls_last=True), F("last_seen_at").desc(nulls_last=True))
        .values_list("value", flat=True)
        .first()
    )


def person_language(person: Person) -> str:
    try:
        return translation.get_supported_language_variant(person.locale.replace("_", "-"))
    except LookupError:
        return str(settings.LANGUAGE_CODE)


def tickets_email_send(*, participant_id: int, ids: list[int]) -> bool:
    """Email these tickets to their holder; False when we know no address."""
    participant = (
        Participant.objects.select_related("group__offer", "person")
        .filter(pk=participant_id)
        .first()
    )
    tickets = list(Ticket.objects.filter(pk__in=ids).select_related("holder").order_by("seat_no"))
    if participant is None or not tickets:
        return False
    holder = tickets[0].holder
    recipient = person_email(holder)
    if recipient is None:
        logger.info("No email for the holder of participant %s's tickets", participant_id)
        return False
    token = participant.access_token
    context = {
        "offer": participant.group.offer,
        "holder_name": holder.display_name,
        "tickets": tickets,
        "page_url": settings.SITE_URL + reverse("tickets:participant", args=[token]),
        "pdf_url": settings.SITE_URL + reverse("tickets:participant-pdf", args=[token]),
        "company_name": getattr(settings, "COMPANY_NAME", ""),
    }
    with translation.override(person_language(holder)):
        subject = render_to_string("commerce/tickets/emails/tickets_subject.txt", context)
        body = render_to_string("commerce/tickets/emails/tickets.txt", context)
        html = render_to_string("commerce/tickets/emails/tickets.html", context)
    message = EmailMultiAlternatives(subject=" ".join(subject.split()), body=body, to=[recipient])
    message.attach_alternative(html, "text/html")
    for ticket in tickets:
        message.attach(
            f"ticket-{ticket.seat_no}-{ticket.tid}.png", qr_png(ticket.code), "image/png"
        )
    message.send()
    return True
