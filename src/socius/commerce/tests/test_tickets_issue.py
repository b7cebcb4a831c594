from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
import time_machine

from socius.commerce.models import OfferKind, ParticipantState, Ticket, TicketState
from socius.commerce.tests.factories import offer_make, paid_participant, participant_make
from socius.commerce.tickets.codes import verify
from socius.commerce.tickets.issue import (
    TicketNotReissuable,
    TicketsNotIssuable,
    ticket_reissue,
    tickets_issue,
    tickets_revoke,
)
from socius.core.models import Activity

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
pytestmark = pytest.mark.django_db


def test_it_issues_one_signed_ticket_per_seat(django_capture_on_commit_callbacks: Any) -> None:
    participant = paid_participant(seats=3)
    with django_capture_on_commit_callbacks(execute=True):
        tickets = tickets_issue(participant)
    assert [t.seat_no for t in tickets] == [1, 2, 3]
    assert {t.state for t in tickets} == {TicketState.ISSUED}
    for ticket in tickets:
        payload = verify(ticket.code)
        assert (payload.tid, payload.oid, payload.kid) == (ticket.tid, ticket.offer_id, ticket.kid)
        assert ticket.holder_id == participant.person_id
    participant.refresh_from_db()
    assert participant.state == ParticipantState.TICKETED
    activity = Activity.objects.get(verb="commerce.tickets_issued")
    assert activity.person_id == participant.person_id
    assert activity.payload["seats"] == 3


def test_issuing_twice_makes_no_more_tickets(
    django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    participant = paid_participant(seats=2)
    with django_capture_on_commit_callbacks(execute=True):
        first = tickets_issue(participant)
    with django_capture_on_commit_callbacks(execute=True):
        second = tickets_issue(participant)
    assert [t.pk for t in first] == [t.pk for t in second]
    assert Ticket.objects.count() == 2
    assert len(mailoutbox) == 1
    assert Activity.objects.filter(verb="commerce.tickets_issued").count() == 1


def test_it_refuses_a_participant_who_has_not_paid() -> None:
    participant = paid_participant(seats=1)
    participant_other = participant_make(
        participant.group, participant.person, seats=1, state=ParticipantState.AUTHORIZED
    )
    with pytest.raises(TicketsNotIssuable):
        tickets_issue(participant_other)
    assert not Ticket.objects.exists()


def test_the_email_carries_links_and_the_qr_codes(
    django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    participant = paid_participant(seats=2)
    with django_capture_on_commit_callbacks(execute=True):
        tickets_issue(participant)
    [message] = mailoutbox
    assert message.to == [participant.person.identifiers.get(kind="email").value]
    assert f"/tickets/{participant.access_token}/" in message.body
    assert f"/tickets/{participant.access_token}/tickets.pdf" in message.body
    assert [a[2] for a in message.attachments] == ["image/png", "image/png"]
    assert message.attachments[0][1][:8] == b"\x89PNG\r\n\x1a\n"
    assert message.alternatives[0][1] == "text/html"


def test_nothing_is_sent_when_the_issue_rolls_back(
    django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    from django.db import transaction

    participant = paid_participant(seats=1)

    def issue_then_fail() -> None:
        with transaction.atomic():
            tickets_issue(participant)
            raise RuntimeError("payment bookkeeping failed")

    with django_capture_on_commit_callbacks(execute=True):
        pytest.raises(RuntimeError, issue_then_fail)
    assert not Ticket.objects.exists()
    assert mailoutbox == []


def test_a_dated_ticket_is_valid_the_whole_day_in_paris() -> None:
    offer = offer_make(event_date=dt.date(2026, 7, 14))
    [ticket] = tickets_issue(paid_participant(offer=offer, seats=1))
    assert ticket.valid_from == dt.datetime(2026, 7, 14, tzinfo=PARIS)
    assert ticket.valid_until == dt.datetime(2026, 7, 15, tzinfo=PARIS)
    assert verify(ticket.code).nbf == ticket.valid_from


@time_machine.travel(dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC), tick=False)
def test_an_open_dated_ticket_is_valid_from_its_issue() -> None:
    offer = offer_make(kind=OfferKind.OPEN_DATED, validity_days=90)
    [ticket] = tickets_issue(paid_participant(offer=offer, seats=1))
    now = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)
    assert (ticket.valid_from, ticket.valid_until) == (now, now + dt.timedelta(days=90))


def test_a_refund_revokes_the_unused_tickets_only() -> None:
    participant = paid_participant(seats=2)
    first, second = tickets_issue(participant)
    Ticket.objects.filter(pk=first.pk).update(state=TicketState.CHECKED_IN)
    assert tickets_revoke(participant, "refund") == 1
    states = dict(Ticket.objects.values_list("pk", "state"))
    assert states == {first.pk: TicketState.CHECKED_IN, second.pk: TicketState.REVOKED}
    assert Activity.objects.get(verb="commerce.tickets_revoked").payload["tickets"] == [
        str(second.tid)
    ]


def test_a_reissue_revokes_the_old_code_and_emails_a_new_one(
    django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    participant = paid_participant(seats=1)
    [old] = tickets_issue(participant)
    with django_capture_on_commit_callbacks(execute=True):
        new = ticket_reissue(old, "transfer")
    old.refresh_from_db()
    assert (old.state, old.replaced_by_id, old.revoke_reason) == (
        TicketState.REVOKED, new.pk, "transfer",
    )  # fmt: skip
    assert (new.state, new.seat_no, new.participant_id) == (TicketState.ISSUED, 1, participant.pk)
    assert new.code != old.code
    assert new.tid != old.tid
    assert len(mailoutbox) == 1
    assert str(new.tid) in mailoutbox[0].body
    with pytest.raises(TicketNotReissuable):
        ticket_reissue(old, "again")
    assert Ticket.objects.count() == 2
