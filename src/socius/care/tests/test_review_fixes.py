"""What a demanding agent or customer would find broken otherwise: lost replies and
messages, hidden unanswered messages, internal triage shown to customers, reopened targets
counted as missed, closed requests reopened years later."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from socius.care.channels import outbound
from socius.care.channels.outbound import DeliveryFailed, deliver, replies_sweep
from socius.care.models import Case, Message, SlaPolicy, Status
from socius.care.services.cases import case_merge, case_status_set
from socius.care.services.conversation import case_reply
from socius.care.services.intake import Inbound, message_receive
from socius.care.tests.factories import inbound_api, portal_request
from socius.conftest import signed_in_client
from socius.core.errors import InvalidInput
from socius.core.models import Activity, Visibility
from socius.people.services.privacy import person_export_data
from socius.portal.access import SESSION_KEY

pytestmark = pytest.mark.django_db


def _email_case(cast) -> Case:
    from socius.people.services.types import IdentifierIn

    return message_receive(
        Inbound(
            channel="email",
            identifiers=(IdentifierIn("email", "claire.dupont@example.org"),),
            body="Bonjour",
            address="claire.dupont@example.org",
            external_id="<m1@x>",
        )
    ).case


def test_a_refused_reply_is_sent_again_by_the_sweep_then_by_the_agent(cast, monkeypatch) -> None:
    case = _email_case(cast)
    calls: list[int] = []

    def refuse(message: Message) -> None:
        calls.append(message.pk)
        raise DeliveryFailed("mail server down")

    monkeypatch.setitem(outbound._SENDERS, "email", refuse)
    reply = case_reply(actor=cast.agent, case=case, body="Réponse")
    assert deliver(reply.pk) == Message.Delivery.FAILED
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=6)):
        assert replies_sweep() == 1
    assert len(calls) == 2
    monkeypatch.setitem(outbound._SENDERS, "email", lambda message: calls.append(message.pk))
    client = signed_in_client(cast.agent)
    client.post(reverse("care:message-retry", args=[case.pk, reply.pk]))
    deliver(reply.pk)  # what the queued task does
    reply.refresh_from_db()
    assert reply.delivery == Message.Delivery.SENT
    assert reply.claimed_at is None
    assert len(calls) == 3


def test_a_reply_left_by_a_dead_worker_is_taken_again(cast, monkeypatch) -> None:
    case = _email_case(cast)
    sent: list[int] = []
    monkeypatch.setitem(outbound._SENDERS, "email", lambda message: sent.append(message.pk))
    reply = case_reply(actor=cast.agent, case=case, body="Réponse")
    Message.objects.filter(pk=reply.pk).update(claimed_at=timezone.now())  # a worker died
    assert deliver(reply.pk) == Message.Delivery.PENDING  # still claimed: not sent twice
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)):
        replies_sweep()
    assert sent == [reply.pk]


def test_a_portal_reply_to_a_merged_request_lands_on_the_survivor(cast) -> None:
    survivor = portal_request(cast.customer, "Première")
    absorbed = portal_request(cast.customer, "Seconde")
    case_merge(actor=cast.agent, survivor=survivor, absorbed=absorbed)
    client = Client()
    session = client.session
    session[SESSION_KEY] = cast.customer.pk
    session.save()
    response = client.post(
        reverse("care-portal:request-detail", args=[absorbed.pk]), {"body": "Encore moi"}
    )
    assert response.status_code == 302
    assert Message.objects.filter(case=survivor, body="Encore moi").exists()


def test_merging_an_open_request_into_a_resolved_one_keeps_it_in_the_inbox(cast) -> None:
    waiting = inbound_api(external_id="1").case  # holds the intake key, unanswered
    resolved = portal_request(cast.customer, "Ancienne")
    case_status_set(actor=cast.agent, case=resolved, status=Status.RESOLVED)
    merged = case_merge(actor=cast.agent, survivor=resolved, absorbed=waiting)
    assert merged.status == Status.OPEN
    assert merged.awaiting_since is not None
    assert merged.intake_key == f"person:{cast.customer.pk}"
    assert inbound_api(external_id="2").case.pk == merged.pk


def test_the_customer_never_sees_how_a_request_was_triaged(cast) -> None:
    from socius.care.models import RoutingRule

    RoutingRule.objects.create(name="Fraudeur suspect", keywords="commande")
    case = inbound_api(external_id="1", body="Ma commande").case
    case_status_set(actor=cast.agent, case=case, status=Status.RESOLVED)
    shown = Activity.objects.filter(person=cast.customer, visibility=Visibility.CUSTOMER)
    assert "Fraudeur" not in str(list(shown.values_list("payload", flat=True)))
    export = person_export_data(person=cast.customer, audience="customer")
    assert "Fraudeur" not in str(export)
    assert "within_target" not in str(export)
    routed = Activity.objects.get(verb="care.case_routed")
    assert routed.payload["rules"] == ["Fraudeur suspect"]


def test_a_thank_you_after_resolution_starts_a_new_resolution_target(cast) -> None:
    SlaPolicy.objects.create(priority="normal", first_response_minutes=60, resolution_minutes=120)
    case = inbound_api(external_id="1").case
    case_status_set(actor=cast.agent, case=case, status=Status.RESOLVED)
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        inbound_api(external_id="2", body="Merci !")
        case.refresh_from_db()
        assert case.status == Status.OPEN
        assert case.resolution_due_at > timezone.now()


def test_a_closed_request_stays_closed_and_a_later_message_opens_another(cast) -> None:
    case = portal_request(cast.customer, "Ancienne")
    case_status_set(actor=cast.agent, case=case, status=Status.CLOSED)
    later = message_receive(
        Inbound(channel="portal", person=cast.customer, body="Encore une question", case=case)
    ).case
    case.refresh_from_db()
    assert later.pk != case.pk
    assert case.status == Status.CLOSED
    routed = Activity.objects.get(verb="care.case_routed", payload__case=later.pk)
    assert routed.payload["follow_up_of"] == case.pk


def test_messenger_replies_take_no_files(cast) -> None:
    from socius.care.services.attachments import files_check
    from socius.people.services.types import IdentifierIn

    case = message_receive(
        Inbound(
            channel="messenger",
            identifiers=(IdentifierIn("external", "psid-1"),),
            body="Bonjour",
            address="psid-1",
            external_id="mid-1",
        )
    ).case
    with pytest.raises(InvalidInput):
        case_reply(
            actor=cast.agent, case=case, body="Voici", files=files_check([("a.txt", b"texte")])
        )
    assert not Message.objects.filter(direction="out").exists()


def test_erasure_scrubs_the_addresses_of_messages(cast) -> None:
    from socius.people.services.privacy_erase import person_erase

    _email_case(cast)
    person_erase(person=cast.customer, actor=cast.admin, reason="test")
    assert not Message.objects.filter(address__contains="claire").exists()


def test_after_a_colleague_replied_sending_again_is_possible(cast, make_agent) -> None:
    case = inbound_api(external_id="1").case
    client = signed_in_client(cast.agent)
    url = reverse("care:case-reply", args=[case.pk])
    case_reply(actor=make_agent("eve.care@example.com"), case=case, body="Réponse d'Eve")
    first = client.post(url, {"body": "La mienne", "status": "open", "seen_message_id": "0"})
    assert first.status_code == 409
    seen = first.content.decode().split('name="seen_message_id" value="')[1].split('"')[0]
    again = client.post(url, {"body": "La mienne", "status": "open", "seen_message_id": seen})
    assert again.status_code == 302
    assert Message.objects.filter(author=cast.agent).count() == 1
