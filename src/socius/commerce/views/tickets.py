"""The customer's e-tickets: reached by the participant's private link, or signed in to the
portal; each with its QR code and a PDF to print."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from socius.commerce.models import Ticket, TicketState
from socius.commerce.tickets.access import (
    participant_by_token,
    participant_ticket,
    participant_tickets,
    person_ticket,
    person_tickets,
)
from socius.commerce.tickets.pdf import tickets_pdf
from socius.commerce.tickets.qr import qr_svg
from socius.portal.access import PortalHttpRequest, portal_login_required, portal_person


def _private(response: HttpResponse) -> HttpResponse:
    # The page holds live entry codes and its URL a secret: neither cached nor referred.
    add_never_cache_headers(response)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _cards(tickets: Iterable[Ticket]) -> list[dict[str, object]]:
    return [
        {"ticket": t, "qr": qr_svg(t.code) if t.state == TicketState.ISSUED else None}
        for t in tickets
    ]


def _pdf(tickets: list[Ticket], name: str) -> HttpResponse:
    if any(ticket.state == TicketState.REVOKED for ticket in tickets):
        # The gate refuses it; a printable copy with a QR code would only mislead.
        raise Http404
    response = HttpResponse(tickets_pdf(tickets), content_type="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return _private(response)


def _page(request: HttpRequest, tickets: Iterable[Ticket], **extra: object) -> HttpResponse:
    context = {"cards": _cards(tickets), "person": portal_person(request), **extra}
    return _private(render(request, "commerce/tickets/list.html", context))


@require_GET
def participant_page(request: HttpRequest, token: str) -> HttpResponse:
    participant = participant_by_token(token)
    return _page(
        request,
        participant_tickets(participant),
        offer=participant.group.offer,
        token=token,
    )


@require_GET
def participant_pdf(request: HttpRequest, token: str) -> HttpResponse:
    participant = participant_by_token(token)
    tickets = [t for t in participant_tickets(participant) if t.state != TicketState.REVOKED]
    return _pdf(tickets, "tickets.pdf")


@require_GET
def participant_ticket_pdf(request: HttpRequest, token: str, tid: uuid.UUID) -> HttpResponse:
    ticket = participant_ticket(participant_by_token(token), tid)
    return _pdf([ticket], f"ticket-{ticket.tid}.pdf")


@require_GET
@portal_login_required
def mine(request: PortalHttpRequest) -> HttpResponse:
    return _page(request, person_tickets(request.person))


@require_GET
@portal_login_required
def mine_ticket_pdf(request: PortalHttpRequest, tid: uuid.UUID) -> HttpResponse:
    ticket = person_ticket(request.person, tid)
    return _pdf([ticket], f"ticket-{ticket.tid}.pdf")
