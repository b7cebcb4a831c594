"""The customer-care API: receiving messages from other systems and working cases."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from socius.accounts.models import Department, User
from socius.accounts.roles import Role
from socius.accounts.services import token_create
from socius.care.models import Case, CaseLink, Message, MessageAttachment, Note, Status
from socius.care.services.cases import case_assign, case_link_add, case_merge
from socius.care.services.conversation import case_note_add, case_reply
from socius.care.services.intake import Inbound, Receipt, message_receive
from socius.collab.models import Notification
from socius.conftest import Cast, make_employee
from socius.people.models import Identifier
from socius.people.services.types import IdentifierIn

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CLAIRE = "claire.dupont@example.org"


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def api_client(user: User, *scopes: str) -> Client:
    wanted = list(scopes or ["care:read", "care:write"])
    secret = token_create(user=user, name="test", scopes=wanted).secret
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def send(client: Client, method: str, path: str, data: Any) -> Any:
    return getattr(client, method)(path, json.dumps(data), content_type="application/json")


def receive(
    external_id: str,
    *,
    email: str = CLAIRE,
    body: str = "Ma commande n'est pas arrivée.",
    new_case: bool = False,
) -> Receipt:
    return message_receive(
        Inbound(
            channel="api",
            body=body,
            identifiers=(IdentifierIn("email", email),),
            subject="Commande 1042",
            external_id=external_id,
            new_case=new_case,
        )
    )


def inbound(**overrides: Any) -> dict[str, Any]:
    return {
        "channel": "api",
        "identifiers": [{"kind": "email", "value": "Lea.Moreau@example.org"}],
        "profile": {"given_name": "Léa", "family_name": "Moreau"},
        "subject": "Remboursement",
        "body": "Je voudrais être remboursée.",
        "external_id": "crm-7",
        **overrides,
    }


def second_agent() -> User:
    return make_employee("emma.blanc@example.com", "Emma Blanc", "service-client", Role.AGENT)


# POST /api/v1/care/messages


def test_a_message_from_another_system_opens_a_case_for_its_sender(cast: Cast) -> None:
    response = send(api_client(cast.agent), "post", "/api/v1/care/messages", inbound())

    assert response.status_code == 201
    case, message = Case.objects.get(), Message.objects.get()
    person_id = Identifier.objects.get(value="lea.moreau@example.org").person_id
    assert response.json() == {"case_id": case.pk, "person_id": person_id, "message_id": message.pk}
    assert (case.person_id, case.subject, case.channel, case.status) == (
        person_id,
        "Remboursement",
        "api",
        Status.NEW,
    )
    assert (message.channel, message.direction, message.external_id, message.body) == (
        "api",
        "in",
        f"{cast.agent.pk}:crm-7",  # each integration has its own ids
        "Je voudrais être remboursée.",
    )


def test_two_integrations_sending_the_same_id_are_two_messages(cast: Cast, make_agent) -> None:
    other = make_agent("crm.bot@example.com")
    first = send(api_client(cast.agent), "post", "/api/v1/care/messages", inbound())
    second = send(api_client(other), "post", "/api/v1/care/messages", inbound())

    assert (first.status_code, second.status_code) == (201, 201)
    assert Message.objects.count() == 2


def test_the_same_external_id_again_answers_200_with_the_same_ids(cast: Cast) -> None:
    client = api_client(cast.agent)

    first = send(client, "post", "/api/v1/care/messages", inbound())
    again = send(client, "post", "/api/v1/care/messages", inbound())

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Message.objects.count() == 1
    assert Case.objects.get().message_count == 1


def test_a_known_sender_writing_again_lands_on_their_open_case(cast: Cast) -> None:
    earlier = receive("crm-1")

    response = send(
        api_client(cast.agent),
        "post",
        "/api/v1/care/messages",
        inbound(
            identifiers=[{"kind": "email", "value": CLAIRE}], profile=None, external_id="crm-2"
        ),
    )

    assert response.status_code == 201
    assert response.json()["case_id"] == earlier.case.pk
    assert response.json()["person_id"] == cast.customer.pk
    assert Case.objects.get().message_count == 2


def test_files_are_stored_with_the_message_after_a_strict_check(cast: Cast) -> None:
    files = [{"name": "facture.pdf", "content_base64": base64.b64encode(PDF).decode()}]

    response = send(
        api_client(cast.agent), "post", "/api/v1/care/messages", inbound(attachments=files)
    )

    assert response.status_code == 201
    attachment = MessageAttachment.objects.get()
    assert attachment.message_id == response.json()["message_id"]
    assert (attachment.name, attachment.content_type, attachment.size) == (
        "facture.pdf",
        "application/pdf",
        len(PDF),
    )
    assert attachment.file.read() == PDF


# GET /api/v1/care/cases


def test_the_inbox_lists_a_view_page_by_page_newest_message_first(cast: Cast) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        oldest = receive("m-1", email="a@example.org").case
        traveller.shift(60)
        middle = receive("m-2", email="b@example.org").case
        traveller.shift(60)
        newest = receive("m-3", email="c@example.org").case
    client = api_client(cast.agent)

    first = client.get("/api/v1/care/cases?view=all&size=2")
    second = client.get(f"/api/v1/care/cases?view=all&size=2&cursor={first.json()['next_cursor']}")

    assert first.status_code == second.status_code == 200
    assert [item["id"] for item in first.json()["items"]] == [newest.pk, middle.pk]
    assert [item["id"] for item in second.json()["items"]] == [oldest.pk]
    assert second.json()["next_cursor"] is None


def test_each_view_holds_its_own_cases(cast: Cast) -> None:
    mine, unassigned = receive("m-1").case, receive("m-2", email="b@example.org").case
    case_assign(actor=cast.agent, case=mine, assignee=cast.agent)
    client = api_client(cast.agent)

    def ids(view: str) -> list[int]:
        return [
            item["id"] for item in client.get(f"/api/v1/care/cases?view={view}").json()["items"]
        ]

    assert ids("mine") == [mine.pk]
    assert ids("unassigned") == [unassigned.pk]
    assert ids("breaching") == []
    assert sorted(ids("all")) == sorted([mine.pk, unassigned.pk])


def test_an_inbox_item_says_what_an_agent_sorts_by(cast: Cast) -> None:
    with time_machine.travel(T0, tick=False):
        case = receive("m-1").case
        case_assign(actor=cast.agent, case=case, assignee=cast.agent)

    [item] = api_client(cast.agent).get("/api/v1/care/cases").json()["items"]

    assert item == {
        "id": case.pk,
        "subject": "Commande 1042",
        "status": "new",
        "priority": "normal",
        "channel": "api",
        "department": None,
        "assignee": {"id": cast.agent.pk, "name": "Alice Martin"},
        "person_id": cast.customer.pk,
        "person_name": "Claire Dupont",
        "tags": [],
        "sla": {
            "first_response_due_at": None,
            "resolution_due_at": None,
            "next_due_at": None,
            "breached": False,
        },
        "message_count": 1,
        "note_count": 0,
        "created_at": "2026-03-02T09:00:00Z",
        "updated_at": "2026-03-02T09:00:00Z",
        "last_message_at": "2026-03-02T09:00:00Z",
        "awaiting_since": "2026-03-02T09:00:00Z",
    }


# GET /api/v1/care/cases/{id}


def test_a_case_shows_its_messages_and_notes_in_the_order_they_were_written(cast: Cast) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        receipt = receive("m-1")
        case = receipt.case
        traveller.shift(60)
        note = case_note_add(actor=cast.colleague, case=case, body="Client fidèle, geste possible.")
        traveller.shift(60)
        reply = case_reply(actor=cast.agent, case=case, body="Nous regardons cela.")
        case_link_add(actor=cast.agent, case=case, kind="order", reference="1042")

    response = api_client(cast.agent).get(f"/api/v1/care/cases/{case.pk}")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["assignee"], body["message_count"], body["note_count"]) == (
        "waiting",
        {"id": cast.agent.pk, "name": "Alice Martin"},
        2,
        1,
    )
    assert body["links"] == [
        {"kind": "order", "reference": "1042", "created_at": "2026-03-02T09:02:00Z"}
    ]
    assert (body["first_response_at"], body["resolved_at"], body["reopen_count"]) == (
        "2026-03-02T09:02:00Z",
        None,
        0,
    )
    assert body["messages"] == [
        {
            "type": "message",
            "id": receipt.message.pk,
            "direction": "in",
            "channel": "api",
            "author": None,
            "person_id": cast.customer.pk,
            "body": "Ma commande n'est pas arrivée.",
            "delivery": "received",
            "created_at": "2026-03-02T09:00:00Z",
            "attachments": [],
        },
        {
            "type": "note",
            "id": note.pk,
            "direction": None,
            "channel": None,
            "author": {"id": cast.colleague.pk, "name": "Bruno Petit"},
            "person_id": None,
            "body": "Client fidèle, geste possible.",
            "delivery": None,
            "created_at": "2026-03-02T09:01:00Z",
            "attachments": [],
        },
        {
            "type": "message",
            "id": reply.pk,
            "direction": "out",
            "channel": "api",
            "author": {"id": cast.agent.pk, "name": "Alice Martin"},
            "person_id": None,
            "body": "Nous regardons cela.",
            "delivery": "sent",
            "created_at": "2026-03-02T09:02:00Z",
            "attachments": [],
        },
    ]


def test_a_message_lists_its_files_with_where_to_download_them(cast: Cast) -> None:
    files = [{"name": "facture.pdf", "content_base64": base64.b64encode(PDF).decode()}]
    client = api_client(cast.agent)
    case_id = send(client, "post", "/api/v1/care/messages", inbound(attachments=files)).json()[
        "case_id"
    ]
    attachment = MessageAttachment.objects.get()

    [message] = client.get(f"/api/v1/care/cases/{case_id}").json()["messages"]

    assert message["attachments"] == [
        {
            "id": attachment.pk,
            "name": "facture.pdf",
            "size": len(PDF),
            "content_type": "application/pdf",
            "url": f"/api/v1/care/attachments/{attachment.pk}",
        }
    ]


def test_a_merged_case_points_to_the_survivor(cast: Cast) -> None:
    absorbed = receive("m-1").case
    survivor = receive("m-2", new_case=True).case
    case_merge(actor=cast.agent, survivor=survivor, absorbed=absorbed)

    response = api_client(cast.agent).get(f"/api/v1/care/cases/{absorbed.pk}")

    assert response.status_code == 301
    assert response["Location"] == f"/api/v1/care/cases/{survivor.pk}"
    assert response.json()["code"] == "case_merged"
    assert response.json()["details"] == {"survivor_id": survivor.pk}


def test_the_case_page_costs_the_same_queries_with_3_or_30_messages(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    client = api_client(cast.agent)
    few, many = receive("few-0").case, receive("many-0", email="b@example.org").case
    for index in range(1, 30):
        if index < 3:
            receive(f"few-{index}")
        receive(f"many-{index}", email="b@example.org")
    for case in (few, many):
        case_note_add(actor=cast.colleague, case=case, body="Vu avec la logistique.")
        case_reply(actor=cast.agent, case=case, body="C'est en route.")
    MessageAttachment.objects.bulk_create(
        MessageAttachment(message=m, name="a.pdf", content_type="application/pdf", size=1)
        for m in Message.objects.all()
    )
    client.get(f"/api/v1/care/cases/{few.pk}")  # the token's first use is recorded once

    with django_assert_num_queries(7):
        small = client.get(f"/api/v1/care/cases/{few.pk}")
    with django_assert_num_queries(7):
        large = client.get(f"/api/v1/care/cases/{many.pk}")

    assert (len(small.json()["messages"]), len(large.json()["messages"])) == (5, 32)


def test_the_inbox_costs_the_same_queries_with_10_or_40_cases(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    client = api_client(cast.agent)
    for index in range(10):
        receive(f"m-{index}", email=f"c{index}@example.org")
    client.get("/api/v1/care/cases")

    with django_assert_num_queries(3):
        ten = client.get("/api/v1/care/cases?view=all")
    for index in range(10, 40):
        case = receive(f"m-{index}", email=f"c{index}@example.org").case
        case_assign(actor=cast.agent, case=case, assignee=cast.agent)
    with django_assert_num_queries(3):
        forty = client.get("/api/v1/care/cases?view=all")

    assert (len(ten.json()["items"]), len(forty.json()["items"])) == (10, 40)


# POST /api/v1/care/cases/{id}/replies and /notes


def test_a_reply_goes_to_the_customer_and_waits_for_their_answer(cast: Cast) -> None:
    case = receive("m-1").case

    response = send(
        api_client(cast.agent),
        "post",
        f"/api/v1/care/cases/{case.pk}/replies",
        {"body": "Votre colis arrive demain."},
    )

    assert response.status_code == 201
    reply = Message.objects.get(direction="out")
    assert response.json()["id"] == reply.pk
    assert (response.json()["type"], response.json()["direction"], response.json()["body"]) == (
        "message",
        "out",
        "Votre colis arrive demain.",
    )
    case.refresh_from_db()
    assert (case.status, case.assignee_id, case.awaiting_since) == ("waiting", cast.agent.pk, None)


def test_a_reply_can_leave_the_case_open(cast: Cast) -> None:
    case = receive("m-1").case

    response = send(
        api_client(cast.agent),
        "post",
        f"/api/v1/care/cases/{case.pk}/replies",
        {"body": "Je vérifie et je reviens vers vous.", "status": "open"},
    )

    assert response.status_code == 201
    case.refresh_from_db()
    assert case.status == "open"


def test_a_reply_after_a_colleagues_answer_is_refused_and_not_sent(cast: Cast) -> None:
    receipt = receive("m-1")
    case_reply(actor=second_agent(), case=receipt.case, body="Réglé, bonne journée.")

    response = send(
        api_client(cast.agent),
        "post",
        f"/api/v1/care/cases/{receipt.case.pk}/replies",
        {"body": "Votre colis arrive demain.", "seen_message_id": receipt.message.pk},
    )

    assert response.status_code == 409
    assert response.json()["code"] == "colleague_replied"
    assert list(Message.objects.filter(direction="out").values_list("body", flat=True)) == [
        "Réglé, bonne journée."
    ]


def test_a_reply_may_carry_files(cast: Cast) -> None:
    case = receive("m-1").case
    files = [{"name": "bon.pdf", "content_base64": base64.b64encode(PDF).decode()}]

    response = send(
        api_client(cast.agent),
        "post",
        f"/api/v1/care/cases/{case.pk}/replies",
        {"body": "Voici votre bon de retour.", "attachments": files},
    )

    assert response.status_code == 201
    [attachment] = response.json()["attachments"]
    assert MessageAttachment.objects.get().message.direction == "out"
    assert (attachment["name"], attachment["size"]) == ("bon.pdf", len(PDF))


def test_a_note_is_written_for_colleagues_and_tells_who_it_mentions(cast: Cast) -> None:
    case = receive("m-1").case

    response = send(
        api_client(cast.agent),
        "post",
        f"/api/v1/care/cases/{case.pk}/notes",
        {"body": "@bruno.petit un geste commercial est-il possible ?"},
    )

    assert response.status_code == 201
    note = Note.objects.get()
    assert response.json()["id"] == note.pk
    assert (response.json()["type"], response.json()["author"]) == (
        "note",
        {"id": cast.agent.pk, "name": "Alice Martin"},
    )
    assert Message.objects.count() == 1
    assert list(Notification.objects.values_list("recipient_id", "kind")) == [
        (cast.colleague.pk, "case_note")
    ]


# PATCH /api/v1/care/cases/{id}


def test_a_patch_changes_every_field_it_names(cast: Cast) -> None:
    case = receive("m-1").case
    colleague = second_agent()

    response = send(
        api_client(cast.agent),
        "patch",
        f"/api/v1/care/cases/{case.pk}",
        {
            "status": "open",
            "assignee": colleague.pk,
            "department": "service-client",
            "priority": "high",
            "tags": ["Livraison", "retard"],
        },
    )

    assert response.status_code == 200
    case.refresh_from_db()
    assert (case.status, case.assignee_id, case.department.slug, case.priority) == (
        "open",
        colleague.pk,
        "service-client",
        "high",
    )
    assert sorted(case.tags.values_list("name", flat=True)) == ["livraison", "retard"]
    body = response.json()
    assert (body["status"], body["assignee"], body["department"], body["priority"]) == (
        "open",
        {"id": colleague.pk, "name": "Emma Blanc"},
        "service-client",
        "high",
    )
    assert body["tags"] == ["livraison", "retard"]


def test_a_patch_leaves_the_fields_it_does_not_name(cast: Cast) -> None:
    case = receive("m-1").case
    case_assign(actor=cast.agent, case=case, assignee=cast.agent)

    response = send(
        api_client(cast.agent), "patch", f"/api/v1/care/cases/{case.pk}", {"priority": "low"}
    )

    assert response.status_code == 200
    case.refresh_from_db()
    assert (case.priority, case.assignee_id, case.status) == ("low", cast.agent.pk, "new")


def test_null_clears_the_assignee_and_the_department(cast: Cast) -> None:
    case = receive("m-1").case
    client = api_client(cast.agent)
    send(
        client,
        "patch",
        f"/api/v1/care/cases/{case.pk}",
        {"department": "service-client", "assignee": cast.agent.pk},
    )

    response = send(
        client, "patch", f"/api/v1/care/cases/{case.pk}", {"department": None, "assignee": None}
    )

    assert response.status_code == 200
    case.refresh_from_db()
    assert (case.department_id, case.assignee_id) == (None, None)


# merge, links, escalate


def test_merging_moves_the_conversation_to_the_survivor(cast: Cast) -> None:
    absorbed = receive("m-1").case
    survivor = receive("m-2", new_case=True).case

    response = send(
        api_client(cast.agent),
        "post",
        f"/api/v1/care/cases/{survivor.pk}/merge",
        {"absorbed": absorbed.pk},
    )

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["message_count"]) == (survivor.pk, 2)
    absorbed.refresh_from_db()
    assert (absorbed.merged_into_id, absorbed.status) == (survivor.pk, "closed")
    assert Message.objects.filter(case=survivor).count() == 2


def test_a_case_is_linked_to_an_order_once(cast: Cast) -> None:
    case = receive("m-1").case
    client = api_client(cast.agent)

    first = send(
        client,
        "post",
        f"/api/v1/care/cases/{case.pk}/links",
        {"kind": "order", "reference": "1042"},
    )
    again = send(
        client,
        "post",
        f"/api/v1/care/cases/{case.pk}/links",
        {"kind": "order", "reference": "1042"},
    )

    assert first.status_code == again.status_code == 201
    assert (first.json()["kind"], first.json()["reference"]) == ("order", "1042")
    assert CaseLink.objects.filter(case=case).count() == 1


def test_escalating_raises_the_priority_and_moves_the_case(cast: Cast) -> None:
    case = receive("m-1").case
    Department.objects.create(name="Logistique", slug="logistique")

    response = send(
        api_client(cast.agent),
        "post",
        f"/api/v1/care/cases/{case.pk}/escalate",
        {"department": "logistique", "reason": "Colis perdu chez le transporteur"},
    )

    assert response.status_code == 200
    assert (response.json()["priority"], response.json()["department"]) == ("high", "logistique")
    case.refresh_from_db()
    assert (case.priority, case.department.slug) == ("high", "logistique")


# GET /api/v1/care/attachments/{id}


def test_a_file_is_always_downloaded_never_rendered(cast: Cast) -> None:
    files = [{"name": "facture.pdf", "content_base64": base64.b64encode(PDF).decode()}]
    client = api_client(cast.agent)
    send(client, "post", "/api/v1/care/messages", inbound(attachments=files))
    attachment = MessageAttachment.objects.get()

    response = client.get(reverse("api:care_attachments_download", args=[attachment.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="facture.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
