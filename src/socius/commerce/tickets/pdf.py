"""Printable tickets: one A5 page per ticket, rendered by WeasyPrint from an HTML template."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn

from django.template.loader import render_to_string

from socius.commerce.models import Ticket
from socius.commerce.tickets.qr import qr_svg


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    # Everything the page needs is inline; a template must never make the server fetch a
    # URL (a local file, an internal address) while rendering.
    raise ValueError(f"Tickets PDFs load no external resource ({url[:40]}).")


def tickets_document(tickets: Sequence[Ticket]) -> Any:
    """The laid-out pages (a WeasyPrint document), one per ticket."""
    from weasyprint import HTML  # type: ignore[import-untyped]  # no stubs published

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
    return HTML(string=html, url_fetcher=_no_fetching, base_url="about:blank").render()


def tickets_pdf(tickets: Sequence[Ticket]) -> bytes:
    """The PDF of these tickets; the caller has checked who may have them."""
    pdf: bytes = tickets_document(tickets).write_pdf()
    return pdf
