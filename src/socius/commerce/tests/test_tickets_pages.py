from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from socius.commerce.models import TicketState
from socius.commerce.tests.factories import paid_participant, person_make
from socius.commerce.tickets.issue import ticket_reissue, tickets_issue, tickets_revoke
from socius.commerce.tickets.pdf import tickets_document
from socius.portal.access import SESSION_KEY

pytestmark = pytest.mark.django_db


def _portal_client(person: Any) -> Client:
    client = Client()
    session = client.session
    session[SESSION_KEY] = person.pk
    session.save()
    return client


def test_the_private_link_shows_each_ticket_with_its_qr(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    participant = paid_participant(seats=3)
    tickets = tickets_issue(participant)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("tickets:participant", args=[participant.access_token]))
    assert response.status_code == 200
    html = response.content.decode()
    for ticket in tickets:
        assert f'data-ticket="{ticket.tid}"' in html
    assert html.count('data-testid="ticket-qr"') == 3
    assert html.count("<svg") == 3
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_a_wrong_token_answers_404(client: Client) -> None:
    participant = paid_participant(seats=1)
    tickets_issue(participant)
    wrong = participant.access_token[:-4] + "AAAA"
    assert client.get(f"/tickets/{wrong}/").status_code == 404
    assert client.get(f"/tickets/{wrong}/tickets.pdf").status_code == 404
    assert client.get("/tickets/short/").status_code == 404


def test_a_revoked_ticket_shows_no_qr_and_a_reissued_one_only_its_successor(
    client: Client,
) -> None:
    participant = paid_participant(seats=2)
    first, second = tickets_issue(participant)
    new = ticket_reissue(first, "transfer")
    tickets_revoke(participant, "refund")  # revokes `new` and `second`
    html = client.get(reverse("tickets:participant", args=[participant.access_token])).content
    page = html.decode()
    assert f'data-ticket="{first.tid}"' not in page
    assert f'data-ticket="{new.tid}"' in page
    assert f'data-state="{TicketState.REVOKED}"' in page
    assert 'data-testid="ticket-qr"' not in page


def test_the_pdf_has_one_page_per_ticket(client: Client) -> None:
    participant = paid_participant(seats=2)
    tickets_issue(participant)
    response = client.get(reverse("tickets:participant-pdf", args=[participant.access_token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF")
    assert len(tickets_document(list(participant.tickets.all())).pages) == 2


def test_one_ticket_pdf_only_through_its_own_link(client: Client) -> None:
    mine = paid_participant(seats=1)
    theirs = paid_participant(seats=1)
    [my_ticket] = tickets_issue(mine)
    [their_ticket] = tickets_issue(theirs)
    ok = client.get(
        reverse("tickets:participant-ticket-pdf", args=[mine.access_token, my_ticket.tid])
    )
    assert ok.status_code == 200
    other = reverse("tickets:participant-ticket-pdf", args=[mine.access_token, their_ticket.tid])
    assert client.get(other).status_code == 404


def test_a_revoked_ticket_has_no_printable_copy(client: Client) -> None:
    participant = paid_participant(seats=1)
    [ticket] = tickets_issue(participant)
    url = reverse("tickets:participant-ticket-pdf", args=[participant.access_token, ticket.tid])
    assert client.get(url).status_code == 200

    tickets_revoke(participant, "refund")

    assert client.get(url).status_code == 404


def test_the_portal_customer_sees_their_tickets_only(django_assert_max_num_queries: Any) -> None:
    participant = paid_participant(seats=2)
    mine = tickets_issue(participant)
    stranger = person_make()
    theirs = tickets_issue(paid_participant(seats=1, person=stranger))
    client = _portal_client(participant.person)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("tickets:mine"))
    page = response.content.decode()
    assert response.status_code == 200
    assert all(f'data-ticket="{t.tid}"' in page for t in mine)
    assert f'data-ticket="{theirs[0].tid}"' not in page
    assert client.get(reverse("tickets:mine-ticket-pdf", args=[mine[0].tid])).status_code == 200
    assert client.get(reverse("tickets:mine-ticket-pdf", args=[theirs[0].tid])).status_code == 404
    assert client.get(reverse("tickets:mine-ticket-pdf", args=[uuid.uuid4()])).status_code == 404


def test_the_portal_list_asks_to_sign_in(client: Client) -> None:
    response = client.get(reverse("tickets:mine"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:sign-in")
