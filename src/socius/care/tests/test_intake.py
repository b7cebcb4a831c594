"""A customer's message lands on the right case exactly once, with its person resolved."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from socius.accounts.roles import Role
from socius.care.models import AgentStatus, Case, Message, Priority, RoutingRule, Status
from socius.care.services.cases import case_status_set
from socius.care.tests.factories import inbound_api, portal_request
from socius.conftest import make_employee
from socius.core.errors import InvalidInput
from socius.core.models import Activity, Visibility
from socius.people.models import Identifier

pytestmark = pytest.mark.django_db


def test_a_new_customer_gets_one_person_one_case_and_timeline_entries() -> None:
    receipt = inbound_api("new.customer@example.org", external_id="x-1")
    assert receipt.created
    case = receipt.case
    assert case.status == Status.NEW
    assert case.awaiting_since is not None
    assert Identifier.objects.get(value="new.customer@example.org").person_id == case.person_id
    verbs = set(Activity.objects.filter(person_id=case.person_id).values_list("verb", flat=True))
    assert {"care.case_opened", "care.message_received"} <= verbs
    received = Activity.objects.get(person_id=case.person_id, verb="care.message_received")
    assert received.visibility == Visibility.CUSTOMER


def test_the_same_message_twice_is_stored_once() -> None:
    first = inbound_api(external_id="dup-1")
    again = inbound_api(external_id="dup-1", body="autre texte")
    assert not again.created
    assert (again.case.pk, again.message.pk) == (first.case.pk, first.message.pk)
    assert Message.objects.count() == 1


def test_messages_naming_no_case_go_to_the_person_s_active_case(cast) -> None:
    first = inbound_api(external_id="a")
    second = inbound_api(external_id="b", body="Toujours rien")
    assert second.case.pk == first.case.pk
    assert Case.objects.count() == 1
    assert Case.objects.get().message_count == 2
    assert second.person_id == cast.customer.pk  # the cast's Claire, found by her email


def test_a_portal_request_is_a_case_of_its_own(cast) -> None:
    inbound_api(external_id="a")
    case = portal_request(cast.customer)
    assert Case.objects.filter(person=cast.customer).count() == 2
    assert case.intake_key is None


def test_a_reply_on_a_resolved_case_reopens_it_within_the_window(cast) -> None:
    case = inbound_api(external_id="a").case
    case_status_set(actor=cast.agent, case=case, status=Status.RESOLVED)
    again = inbound_api(external_id="b")
    case.refresh_from_db()
    assert again.case.pk == case.pk
    assert case.status == Status.OPEN
    assert case.reopen_count == 1
    assert case.resolved_at is None
    assert Activity.objects.filter(verb="care.case_reopened").count() == 1


def test_after_the_reopen_window_a_new_case_opens(cast, settings) -> None:
    settings.CARE_REOPEN_DAYS = 7
    case = inbound_api(external_id="a").case
    case_status_set(actor=cast.agent, case=case, status=Status.RESOLVED)
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        later = inbound_api(external_id="b")
    assert later.case.pk != case.pk


def test_refusals_write_nothing() -> None:
    with pytest.raises(InvalidInput):
        inbound_api(body="   ")
    with pytest.raises(InvalidInput):
        inbound_api("not an email")
    assert Case.objects.count() == 0
    assert Message.objects.count() == 0


def test_routing_rules_set_department_priority_and_tags_then_round_robin(cast) -> None:
    sales = make_employee("sam.vente@example.com", "Sam Vente", "ventes", Role.AGENT)
    sara = make_employee("sara.vente@example.com", "Sara Vente", "ventes", Role.AGENT)
    for agent in (sales, sara):
        AgentStatus.objects.create(user=agent, available=True, max_open_cases=1)
    RoutingRule.objects.create(
        name="Refunds",
        keywords="rembours, refund",
        set_department=sales.department,
        set_priority=Priority.HIGH,
        add_tags="remboursement",
    )
    one = inbound_api("a@example.org", "Je veux être remboursé", external_id="1").case
    two = inbound_api("b@example.org", "REMBOURSEMENT svp", external_id="2").case
    three = inbound_api("c@example.org", "Rembourser", external_id="3").case
    other = inbound_api("d@example.org", "Une autre question", external_id="4").case
    assert one.department_id == sales.department_id
    assert one.priority == Priority.HIGH
    assert list(one.tags.values_list("name", flat=True)) == ["remboursement"]
    # Each agent takes one case (their limit), then nobody is left.
    assert {one.assignee_id, two.assignee_id} == {sales.pk, sara.pk}
    assert three.assignee_id is None
    assert other.department_id is None
    assert other.priority == Priority.NORMAL


def test_an_unavailable_agent_gets_no_case(cast) -> None:
    AgentStatus.objects.create(user=cast.agent, available=False)
    RoutingRule.objects.create(name="All", set_department=cast.agent.department)
    case = inbound_api(external_id="1").case
    assert case.department_id == cast.agent.department_id
    assert case.assignee_id is None


def test_a_late_delivery_never_moves_the_case_back_in_time(cast) -> None:
    now = timezone.now()
    case = inbound_api(external_id="m2", received_at=now + dt.timedelta(seconds=60)).case
    inbound_api(external_id="m1", received_at=now)
    case.refresh_from_db()
    assert case.last_message_at == now + dt.timedelta(seconds=60)


def test_reopening_by_hand_takes_the_intake_key_back(cast) -> None:
    case = inbound_api(external_id="1").case
    case_status_set(actor=cast.agent, case=case, status=Status.RESOLVED)
    case_status_set(actor=cast.agent, case=case, status=Status.OPEN)
    assert inbound_api(external_id="2").case.pk == case.pk
    assert Case.objects.count() == 1


def test_a_keyword_matches_at_the_start_of_a_word_only(cast) -> None:
    RoutingRule.objects.create(name="CE", keywords="ce", set_priority=Priority.HIGH)
    unrelated = inbound_api("a@example.org", "Est-il accessible ?", external_id="1").case
    named = inbound_api("b@example.org", "Notre CE voudrait venir", external_id="2").case
    assert unrelated.priority == Priority.NORMAL
    assert named.priority == Priority.HIGH
