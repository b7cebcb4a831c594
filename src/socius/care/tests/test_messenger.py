"""The Messenger Platform channel, faked at Meta's HTTP edge with Meta's payload formats."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

import httpx
import pytest
from django.test import Client
from django.utils import timezone

from socius.care.channels import messenger
from socius.care.channels.outbound import deliver
from socius.care.models import Case, Message, Note
from socius.care.services.conversation import case_note_add, case_reply
from socius.conftest import Cast
from socius.core.models import Activity
from socius.people.models import Identifier, Person

URL = "/webhooks/messenger"
APP_SECRET = "c0ffee-app-secret"
VERIFY_TOKEN = "verify-4b1d"
PAGE_TOKEN = "EAAGpage-token"
API_URL = "https://graph.facebook.com/v21.0/me/messages"
PAGE_ID = "108234567890123"
PSID = "7345123456789012"
SENT_AT_MS = 1_764_000_000_000  # 2025-11-24T16:00:00Z


@pytest.fixture(autouse=True)
def _messenger_configured(settings: Any) -> None:
    settings.CARE_MESSENGER_APP_SECRET = APP_SECRET
    settings.CARE_MESSENGER_VERIFY_TOKEN = VERIFY_TOKEN
    settings.CARE_MESSENGER_PAGE_TOKEN = PAGE_TOKEN
    settings.CARE_MESSENGER_API_URL = API_URL


def text_event(mid: str, text: str, *, psid: str = PSID, at_ms: int = SENT_AT_MS) -> dict[str, Any]:
    return {
        "sender": {"id": psid},
        "recipient": {"id": PAGE_ID},
        "timestamp": at_ms,
        "message": {"mid": mid, "text": text},
    }


def delivery(*events: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "page",
        "entry": [{"id": PAGE_ID, "time": SENT_AT_MS + 500, "messaging": list(events)}],
    }


def signature(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed_post(client: Client, payload: dict[str, Any], secret: str = APP_SECRET) -> Any:
    body = json.dumps(payload).encode()
    return client.post(
        URL,
        data=body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature(body, secret)},
    )


def rows() -> dict[str, int]:
    return {
        "persons": Person.objects.count(),
        "identifiers": Identifier.objects.count(),
        "cases": Case.objects.count(),
        "messages": Message.objects.count(),
        "activities": Activity.objects.count(),
    }


NOTHING = {"persons": 0, "identifiers": 0, "cases": 0, "messages": 0, "activities": 0}


@pytest.fixture
def graph(monkeypatch: pytest.MonkeyPatch) -> list[httpx.Request]:
    """The Send API, answering every request as Meta does when it accepts a message."""
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"recipient_id": PSID, "message_id": f"m_out{len(sent)}"})

    monkeypatch.setattr(messenger, "transport", httpx.MockTransport(answer))
    return sent


# The subscription handshake


@pytest.mark.django_db
def test_it_answers_meta_subscription_with_the_challenge() -> None:
    response = Client().get(
        URL,
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"},
    )

    assert response.status_code == 200
    assert response.content == b"1158201444"
    assert response["Content-Type"] == "text/plain; charset=utf-8"


@pytest.mark.django_db
def test_it_refuses_a_subscription_with_another_verify_token() -> None:
    response = Client().get(
        URL, {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"}
    )

    assert response.status_code == 403
    assert b"1158201444" not in response.content


@pytest.mark.django_db
def test_it_refuses_a_subscription_in_another_mode() -> None:
    response = Client().get(
        URL, {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"}
    )

    assert response.status_code == 403


@pytest.mark.django_db
def test_it_refuses_every_subscription_while_no_verify_token_is_set(settings: Any) -> None:
    settings.CARE_MESSENGER_VERIFY_TOKEN = ""

    response = Client().get(
        URL, {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1158201444"}
    )

    assert response.status_code == 403


@pytest.mark.django_db
def test_it_allows_only_get_and_post() -> None:
    assert Client().put(URL, data=b"{}", content_type="application/json").status_code == 405


# Signed deliveries


@pytest.mark.django_db
def test_a_signed_message_opens_a_case_for_a_new_person() -> None:
    response = signed_post(
        Client(), delivery(text_event("m_AbC1", "Ma commande n'est pas arrivée"))
    )

    assert response.status_code == 200
    assert response.content == b"EVENT_RECEIVED"
    identifier = Identifier.objects.get()
    assert (identifier.kind, identifier.value) == ("external", f"care.messenger:{PSID}")
    assert identifier.source == "care.messenger"
    case = Case.objects.get()
    assert case.person_id == identifier.person_id
    assert (case.channel, case.status, case.message_count) == ("messenger", "new", 1)
    sent_at = dt.datetime(2025, 11, 24, 16, 0, tzinfo=dt.UTC)
    assert case.last_message_at == sent_at
    message = Message.objects.get()
    assert message.case_id == case.pk
    assert message.person_id == identifier.person_id
    assert (message.direction, message.channel, message.delivery) == ("in", "messenger", "received")
    assert (message.address, message.external_id) == (PSID, "m_AbC1")
    assert message.body == "Ma commande n'est pas arrivée"


@pytest.mark.django_db
def test_the_next_message_of_the_customer_lands_on_the_same_case() -> None:
    client = Client()
    signed_post(client, delivery(text_event("m_1", "Bonjour")))

    response = signed_post(client, delivery(text_event("m_2", "Vous êtes là ?")))

    assert response.status_code == 200
    case = Case.objects.get()
    assert case.message_count == 2
    assert list(case.messages.values_list("external_id", flat=True)) == ["m_1", "m_2"]
    assert Person.objects.count() == 1


@pytest.mark.django_db
def test_attachments_are_kept_as_their_addresses_without_fetching_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("an attachment was fetched")

    monkeypatch.setattr(httpx.Client, "send", no_network)
    event = text_event("m_att", "Voici le colis")
    event["message"]["attachments"] = [
        {"type": "image", "payload": {"url": "https://scontent.xx.fbcdn.net/v/colis.jpg"}},
        {"type": "file", "payload": {"url": "https://cdn.fbsbx.com/v/facture.pdf"}},
        {"type": "fallback", "title": "Suivi", "url": "https://suivi.example/123", "payload": None},
    ]

    response = signed_post(Client(), delivery(event))

    assert response.status_code == 200
    assert Message.objects.get().body == (
        "Voici le colis\n"
        "[image] https://scontent.xx.fbcdn.net/v/colis.jpg\n"
        "[file] https://cdn.fbsbx.com/v/facture.pdf\n"
        "[fallback] https://suivi.example/123"
    )


@pytest.mark.django_db
def test_an_image_without_text_is_a_message_too() -> None:
    event = text_event("m_img", "")
    del event["message"]["text"]
    event["message"]["attachments"] = [
        {"type": "image", "payload": {"url": "https://scontent.xx.fbcdn.net/v/photo.jpg"}}
    ]

    signed_post(Client(), delivery(event))

    message = Message.objects.get()
    assert message.body == "[image] https://scontent.xx.fbcdn.net/v/photo.jpg"
    assert message.case.subject == "[image] https://scontent.xx.fbcdn.net/v/photo.jpg"


@pytest.mark.django_db
def test_a_replayed_delivery_changes_nothing() -> None:
    client = Client()
    payload = delivery(text_event("m_once", "Bonjour"))
    signed_post(client, payload)
    before = rows()

    response = signed_post(client, payload)

    assert response.status_code == 200
    assert rows() == before
    assert before["messages"] == 1
    assert Case.objects.get().message_count == 1


@pytest.mark.django_db
def test_a_delivery_signed_with_another_secret_is_refused_and_writes_nothing() -> None:
    response = signed_post(Client(), delivery(text_event("m_x", "Bonjour")), secret="not-ours")

    assert response.status_code == 403
    assert rows() == NOTHING


@pytest.mark.django_db
def test_a_body_changed_after_signing_is_refused_and_writes_nothing() -> None:
    signed = json.dumps(delivery(text_event("m_x", "Bonjour"))).encode()
    changed = signed.replace(b"Bonjour", b"Bonsoir")

    response = Client().post(
        URL,
        data=changed,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature(signed)},
    )

    assert response.status_code == 403
    assert rows() == NOTHING


@pytest.mark.django_db
def test_an_unsigned_delivery_is_refused_and_writes_nothing() -> None:
    body = json.dumps(delivery(text_event("m_x", "Bonjour")))

    response = Client().post(URL, data=body, content_type="application/json")

    assert response.status_code == 403
    assert rows() == NOTHING


@pytest.mark.django_db
def test_no_delivery_is_accepted_while_no_app_secret_is_set(settings: Any) -> None:
    settings.CARE_MESSENGER_APP_SECRET = ""

    response = signed_post(Client(), delivery(text_event("m_x", "Bonjour")), secret="")

    assert response.status_code == 403
    assert rows() == NOTHING


@pytest.mark.django_db
def test_a_body_over_one_megabyte_is_refused_before_anything_else() -> None:
    payload = delivery(text_event("m_big", "x" * (1024 * 1024)))

    response = signed_post(Client(), payload)

    assert response.status_code == 413
    assert rows() == NOTHING


@pytest.mark.django_db
def test_a_signed_delivery_of_another_object_is_not_found() -> None:
    payload = {**delivery(text_event("m_x", "Bonjour")), "object": "user"}

    response = signed_post(Client(), payload)

    assert response.status_code == 404
    assert rows() == NOTHING


@pytest.mark.django_db
def test_echoes_deliveries_and_reads_are_not_customer_messages() -> None:
    echo = text_event("m_echo", "Notre réponse", psid=PAGE_ID)
    echo["recipient"] = {"id": PSID}
    echo["message"]["is_echo"] = True
    echo["message"]["app_id"] = 1517776481860111
    delivered = {
        "sender": {"id": PSID},
        "recipient": {"id": PAGE_ID},
        "delivery": {"mids": ["m_out1"], "watermark": SENT_AT_MS},
    }
    read = {
        "sender": {"id": PSID},
        "recipient": {"id": PAGE_ID},
        "timestamp": SENT_AT_MS,
        "read": {"watermark": SENT_AT_MS},
    }

    response = signed_post(Client(), delivery(echo, delivered, read))

    assert response.status_code == 200
    assert rows() == NOTHING


@pytest.mark.django_db
def test_a_malformed_event_is_left_out_and_the_others_of_the_delivery_are_kept() -> None:
    no_sender = text_event("m_bad", "Sans expéditeur")
    del no_sender["sender"]
    bad_time = text_event("m_bad_time", "Heure illisible")
    bad_time["timestamp"] = "hier"
    empty = text_event("m_empty", "   ")

    response = signed_post(
        Client(), delivery(no_sender, bad_time, empty, text_event("m_good", "Bonjour"))
    )

    assert response.status_code == 200
    assert list(Message.objects.values_list("external_id", flat=True)) == ["m_good"]


@pytest.mark.django_db
def test_a_timestamp_ahead_of_our_clock_counts_as_now() -> None:
    ahead = int((timezone.now() + dt.timedelta(days=1)).timestamp() * 1000)

    signed_post(Client(), delivery(text_event("m_future", "Bonjour", at_ms=ahead)))

    assert Case.objects.get().last_message_at <= timezone.now()


# Replies through the Send API


def messenger_case(client: Client | None = None) -> Case:
    signed_post(client or Client(), delivery(text_event("m_in", "Où est mon colis ?")))
    return Case.objects.get(channel="messenger")


@pytest.mark.django_db
def test_a_reply_goes_to_the_customer_psid_in_the_send_api_format(
    cast: Cast, graph: list[httpx.Request]
) -> None:
    case = messenger_case()
    case_note_add(actor=cast.agent, case=case, body="NOTE-ONLY-7f3a9 le client a déjà appelé")
    reply = case_reply(actor=cast.agent, case=case, body="Votre colis part demain.")

    assert deliver(reply.pk) == "sent"

    assert len(graph) == 1
    request = graph[0]
    assert request.method == "POST"
    assert str(request.url.copy_with(query=None)) == API_URL
    assert dict(request.url.params) == {"access_token": PAGE_TOKEN}
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {
        "recipient": {"id": PSID},
        "messaging_type": "RESPONSE",
        "message": {"text": "Votre colis part demain."},
    }
    assert Note.objects.filter(case=case).count() == 1
    assert b"NOTE-ONLY-7f3a9" not in request.content
    assert "NOTE-ONLY-7f3a9" not in str(request.url)
    reply.refresh_from_db()
    assert (reply.channel, reply.address, reply.delivery) == ("messenger", PSID, "sent")
    assert reply.sent_at is not None


@pytest.mark.django_db
def test_a_reply_is_sent_once_even_when_delivered_twice(
    cast: Cast, graph: list[httpx.Request]
) -> None:
    reply = case_reply(actor=cast.agent, case=messenger_case(), body="Bien reçu.")

    deliver(reply.pk)
    deliver(reply.pk)

    assert len(graph) == 1


@pytest.mark.django_db
def test_a_long_reply_goes_out_in_parts_meta_accepts(
    cast: Cast, graph: list[httpx.Request]
) -> None:
    first, second = "a" * 1500, "b" * 1500
    reply = case_reply(actor=cast.agent, case=messenger_case(), body=f"{first}\n{second}")

    assert deliver(reply.pk) == "sent"

    texts = [json.loads(request.content)["message"]["text"] for request in graph]
    assert texts == [first, second]


def test_text_parts_never_exceed_the_send_api_limit() -> None:
    words = " ".join(f"mot{n}" for n in range(1000))
    unbroken = "x" * 4500

    assert all(1 <= len(part) <= 2000 for part in messenger.text_parts(words))
    assert " ".join(messenger.text_parts(words)) == words
    assert messenger.text_parts(unbroken) == ["x" * 2000, "x" * 2000, "x" * 500]
    assert messenger.text_parts("Merci !") == ["Merci !"]


@pytest.mark.django_db
def test_a_reply_meta_refuses_is_marked_failed_with_meta_reason(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    refusal = {
        "error": {
            "message": "(#551) This person isn't available right now.",
            "type": "OAuthException",
            "code": 551,
            "error_subcode": 1545041,
            "fbtrace_id": "A1b2C3d4",
        }
    }
    monkeypatch.setattr(
        messenger,
        "transport",
        httpx.MockTransport(lambda request: httpx.Response(400, json=refusal)),
    )
    reply = case_reply(actor=cast.agent, case=messenger_case(), body="Bonjour")

    assert deliver(reply.pk) == "failed"

    reply.refresh_from_db()
    assert reply.delivery == "failed"
    assert "(#551) This person isn't available right now. (code 551)" in reply.delivery_error
    assert PAGE_TOKEN not in reply.delivery_error


@pytest.mark.django_db
def test_an_unreachable_send_api_marks_the_reply_failed_without_the_token(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot reach {request.url}", request=request)

    monkeypatch.setattr(messenger, "transport", httpx.MockTransport(unreachable))
    reply = case_reply(actor=cast.agent, case=messenger_case(), body="Bonjour")

    assert deliver(reply.pk) == "failed"

    reply.refresh_from_db()
    assert reply.delivery_error
    assert PAGE_TOKEN not in reply.delivery_error


@pytest.mark.django_db
def test_without_a_page_token_a_reply_fails_and_nothing_is_sent(
    cast: Cast, settings: Any, graph: list[httpx.Request]
) -> None:
    settings.CARE_MESSENGER_PAGE_TOKEN = ""
    reply = case_reply(actor=cast.agent, case=messenger_case(), body="Bonjour")

    assert deliver(reply.pk) == "failed"

    assert graph == []
    reply.refresh_from_db()
    assert reply.delivery == "failed"
    assert reply.delivery_error
