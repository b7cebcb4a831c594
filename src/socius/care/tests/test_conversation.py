"""Agents reply, colleagues write notes, the case is worked; notes never reach customers."""

from __future__ import annotations

import pytest

from socius.care.models import Case, Message, Note, Status
from socius.care.services.cases import (
    case_assign,
    case_escalate,
    case_link_add,
    case_merge,
    case_status_set,
    case_tags_set,
)
from socius.care.services.common import NotAnAgent
from socius.care.services.conversation import ColleagueReplied, case_note_add, case_reply
from socius.care.tests.factories import inbound_api, portal_request
from socius.collab.models import Notification
from socius.core.errors import InvalidInput
from socius.core.models import Activity, Visibility

pytestmark = pytest.mark.django_db


def test_a_reply_is_the_first_response_and_waits_on_the_customer(cast) -> None:
    case = inbound_api(external_id="1").case
    message = case_reply(actor=cast.agent, case=case, body="Nous regardons **tout de suite**.")
    case.refresh_from_db()
    assert message.direction == Message.Direction.OUTBOUND
    assert message.channel == "api"
    assert message.delivery == Message.Delivery.SENT  # read through the API by its sender
    assert case.first_response_at is not None
    assert case.awaiting_since is None
    assert case.status == Status.WAITING
    assert case.assignee_id == cast.agent.pk
    first = Activity.objects.get(verb="care.first_response")
    assert first.department_id == case.department_id
    assert "business_minutes" in first.payload


def test_only_agents_reply_or_change_a_case(cast) -> None:
    case = inbound_api(external_id="1").case
    with pytest.raises(NotAnAgent):
        case_reply(actor=cast.colleague, case=case, body="Bonjour")
    with pytest.raises(NotAnAgent):
        case_status_set(actor=cast.colleague, case=case, status=Status.RESOLVED)
    assert Message.objects.filter(direction="out").count() == 0


def test_a_colleague_s_newer_reply_stops_mine(cast, make_agent) -> None:
    other = make_agent("eve.care@example.com")
    case = inbound_api(external_id="1").case
    seen = case_reply(actor=other, case=case, body="Première réponse").pk
    case_reply(actor=other, case=case, body="Deuxième réponse")
    with pytest.raises(ColleagueReplied):
        case_reply(actor=cast.agent, case=case, body="Ma réponse", seen_message_id=seen)
    assert not Message.objects.filter(author=cast.agent).exists()


def test_a_note_mentioning_a_colleague_notifies_them_and_stays_internal(cast) -> None:
    case = inbound_api(external_id="1").case
    note = case_note_add(actor=cast.agent, case=case, body="@bruno.petit tu connais ce client ?")
    notification = Notification.objects.get(recipient=cast.colleague)
    assert notification.kind == Notification.Kind.CASE_NOTE
    assert notification.link == f"/care/cases/{case.pk}"
    entry = Activity.objects.get(verb="care.note_added")
    assert entry.visibility == Visibility.INTERNAL
    assert "bruno" not in entry.summary
    # Any colleague may answer with a note: that is how sales helps care.
    case_note_add(actor=cast.colleague, case=case, body="Oui, client fidèle.")
    assert Note.objects.filter(case=case).count() == 2
    assert note.pk


def test_a_department_mention_reaches_its_members(cast) -> None:
    case = inbound_api(external_id="1").case
    case_note_add(actor=cast.agent, case=case, body="Avis de @marketing ?")
    assert Notification.objects.filter(recipient=cast.colleague).count() == 1


def test_assignment_escalation_tags_links(cast, make_agent) -> None:
    other = make_agent("eve.care@example.com")
    case = inbound_api(external_id="1").case
    case_assign(actor=cast.agent, case=case, assignee=other)
    assert Notification.objects.filter(recipient=other, kind="case_assigned").exists()
    with pytest.raises(InvalidInput):
        case_assign(actor=cast.agent, case=case, assignee=cast.colleague)  # not an agent
    case = case_escalate(actor=cast.agent, case=case, reason="Client très mécontent")
    assert case.priority == "high"
    assert Notification.objects.filter(recipient=other, kind="case_escalated").exists()
    assert case_tags_set(actor=cast.agent, case=case, names=["VIP", " vip ", "Livraison"]) == [
        "livraison",
        "vip",
    ]
    case_link_add(actor=cast.agent, case=case, kind="order", reference="CMD-42")
    case_link_add(actor=cast.agent, case=case, kind="order", reference="CMD-42")
    assert case.links.count() == 1


def test_resolving_frees_the_intake_key_and_merging_moves_everything(cast) -> None:
    first = inbound_api(external_id="1").case
    second = portal_request(cast.customer, "Autre question")
    case_note_add(actor=cast.agent, case=second, body="note")
    merged = case_merge(actor=cast.agent, survivor=first, absorbed=second)
    second.refresh_from_db()
    assert second.merged_into_id == merged.pk
    assert second.status == Status.CLOSED
    assert merged.message_count == 2
    assert merged.note_count == 1
    assert Message.objects.filter(case=merged).count() == 2
    with pytest.raises(InvalidInput):
        case_merge(actor=cast.agent, survivor=merged, absorbed=merged)
    case_status_set(actor=cast.agent, case=merged, status=Status.RESOLVED)
    assert Case.objects.get(pk=merged.pk).intake_key is None


def test_cases_of_two_persons_are_not_merged(cast) -> None:
    mine = inbound_api(external_id="1").case
    theirs = inbound_api("someone.else@example.org", external_id="2").case
    with pytest.raises(InvalidInput):
        case_merge(actor=cast.agent, survivor=mine, absorbed=theirs)


def test_a_note_on_a_merged_case_is_refused(cast) -> None:
    from socius.care.services.common import CaseMerged

    first = inbound_api(external_id="1").case
    second = portal_request(cast.customer, "Autre question")
    case_merge(actor=cast.agent, survivor=first, absorbed=second)
    with pytest.raises(CaseMerged):
        case_note_add(actor=cast.agent, case=second, body="perdue ?")
    assert Note.objects.count() == 0
