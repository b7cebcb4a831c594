"""Printable tickets: one A5 page per ticket, rendered by WeasyPrint from an HTML template."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.template.loader import render_to_string

from socius.commerce.models import Ticket
from socius.commerce.tickets.qr import qr_svg
from socius.core.pdf import render_document


def tickets_document(tickets: Sequence[Ticket]) -> Any:
    """The laid-out pages (a WeasyPrint document), one per ticket."""
    pages = [
        {
            "ticket": ticket,
            "offer": ticket.offer,
            "holder_name": ticket.holder.display_name,
            "qr": qr_svg(ticket.code, css_class="qr"),
        }
        for ticket in tickets
    ]
    html = render_to_string("commerce/tickets/pdf.html", {"pages": pages})
    # Everything the page needs is inline: the shared renderer refuses every URL.
    return render_document(html)


def tickets_pdf(tickets: Sequence[Ticket]) -> bytes:
    """The PDF of these tickets; the caller has checked who may have them."""
    pdf: bytes = tickets_document(tickets).write_pdf()
    return pdf
