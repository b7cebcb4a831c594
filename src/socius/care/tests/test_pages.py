"""The inbox, the case page and the portal's requests, in the browser's terms (HTTP)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from socius.care.models import Case, Message, Status
from socius.care.services.cases import case_status_set
from socius.care.services.conversation import case_note_add, case_reply
from socius.care.tests.factories import inbound_api, portal_request
from socius.conftest import signed_in_client
from socius.portal.access import SESSION_KEY

pytestmark = pytest.mark.django_db

SECRET = "NOTE-SECRET-7f3a"
# Session, user, case, conversation (messages, their files, notes), the person panel and the
# person hub's registered panels, the side panel's lists.
CASE_PAGE_QUERIES = 22


def portal_client(person) -> Client:
    client = Client()
    session = client.session
    session[SESSION_KEY] = person.pk
    session.save()
    return client


def test_the_inbox_lists_active_cases_per_view(cast, agent_client) -> None:
    mine = inbound_api(external_id="1").case
    case_reply(actor=cast.agent, case=mine, body="Bonjour")
    other = inbound_api("x@example.org", external_id="2").case
    response = agent_client.get(reverse("care:inbox") + "?view=mine")
    assert response.status_code == 200
    shown = [
        int(c)
        for c in response.content.decode().split('data-case="')[1:]
        for c in [c.split('"')[0]]
    ]
    assert shown == [mine.pk]
    unassigned = agent_client.get(reverse("care:inbox") + "?view=unassigned").content.decode()
    assert f'data-case="{other.pk}"' in unassigned
    assert f'data-case="{mine.pk}"' not in unassigned


def test_inbox_query_count_does_not_grow_with_cases(
    cast, agent_client, django_assert_num_queries
) -> None:
    for n in range(3):
        inbound_api(f"c{n}@example.org", external_id=f"a{n}")
    with django_assert_num_queries(6) as few:
        agent_client.get(reverse("care:inbox") + "?view=all")
    for n in range(3, 30):
        case = inbound_api(f"c{n}@example.org", external_id=f"a{n}").case
        case.tags.create(name=f"t{n}")
    with django_assert_num_queries(len(few.captured_queries)):
        agent_client.get(reverse("care:inbox") + "?view=all")


def test_case_page_query_count_does_not_grow_with_messages(
    cast, agent_client, django_assert_num_queries
) -> None:
    case = inbound_api(external_id="1").case
    url = reverse("care:case-detail", args=[case.pk])
    agent_client.get(url)  # warm caches (timeline facets)
    with django_assert_num_queries(CASE_PAGE_QUERIES):
        agent_client.get(url)
    for n in range(20):
        inbound_api(external_id=f"m{n}", body=f"message {n}")
        case_note_add(actor=cast.agent, case=case, body=f"note {n}")
        case_reply(actor=cast.agent, case=case, body=f"réponse {n}")
    with django_assert_num_queries(CASE_PAGE_QUERIES):
        agent_client.get(url)


def test_case_page_shows_notes_to_colleagues_and_404_for_unknown(cast, agent_client) -> None:
    case = inbound_api(external_id="1").case
    case_note_add(actor=cast.agent, case=case, body=SECRET)
    colleague = signed_in_client(cast.colleague)
    page = colleague.get(reverse("care:case-detail", args=[case.pk]))
    assert page.status_code == 200
    assert SECRET in page.content.decode()
    assert 'data-testid="reply-form"' not in page.content.decode()  # not an agent
    assert agent_client.get(reverse("care:case-detail", args=[case.pk + 999])).status_code == 404
    assert Client().get(reverse("care:case-detail", args=[case.pk])).status_code == 302


def test_reply_and_note_forms(cast, agent_client) -> None:
    case = inbound_api(external_id="1").case
    url = reverse("care:case-reply", args=[case.pk])
    response = agent_client.post(url, {"body": "Voici la réponse", "status": "resolved"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.RESOLVED
    assert agent_client.post(url, {"body": "", "status": "open"}).status_code == 422
    note = agent_client.post(reverse("care:case-note", args=[case.pk]), {"body": "interne"})
    assert note.status_code == 302
    assert case.notes.count() == 1
    # A colleague who is not an agent may write a note but not reply.
    colleague = signed_in_client(cast.colleague)
    refused = colleague.post(url, {"body": "Bonjour", "status": "open"})
    assert refused.status_code in (403, 409, 422)
    assert Message.objects.filter(author=cast.colleague).count() == 0


def test_side_panel_actions_and_a_bad_value_changes_nothing(cast, agent_client) -> None:
    case = inbound_api(external_id="1").case
    action = lambda name: reverse("care:case-action", args=[case.pk, name])  # noqa: E731
    agent_client.post(action("priority"), {"priority": "urgent"})
    agent_client.post(action("department"), {"department": "nope"})
    agent_client.post(action("assign"), {"assignee": cast.agent.pk})
    case.refresh_from_db()
    assert case.priority == "urgent"
    assert case.department_id is None
    assert case.assignee_id == cast.agent.pk
    assert agent_client.post(action("unknown"), {}).status_code == 404


def test_portal_shows_own_requests_never_notes_and_404_for_others(cast) -> None:
    case = portal_request(cast.customer, "Ma question")
    case_note_add(actor=cast.agent, case=case, body=SECRET)
    case_reply(actor=cast.agent, case=case, body="Notre réponse")
    client = portal_client(cast.customer)
    listing = client.get(reverse("portal:requests")).content.decode()
    assert f'data-case="{case.pk}"' in listing
    page = client.get(reverse("care-portal:request-detail", args=[case.pk])).content.decode()
    assert "Notre réponse" in page
    assert SECRET not in page
    other = portal_request(cast.friend, "Autre")
    assert client.get(reverse("care-portal:request-detail", args=[other.pk])).status_code == 404
    export = client.get(reverse("portal:my-data-export")).content.decode()
    assert "Notre réponse" in export
    assert SECRET not in export


def test_portal_new_request_and_reply_with_a_file(cast) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = portal_client(cast.customer)
    response = client.post(
        reverse("care-portal:request-new"),
        {
            "subject": "Facture",
            "body": "Voici ma facture",
            "attachments": SimpleUploadedFile("facture.txt", b"montant 42 EUR"),
        },
    )
    case = Case.objects.get(person=cast.customer)
    assert response.status_code == 302
    assert case.channel == "portal"
    attachment = case.messages.get().attachments.get()
    download = client.get(reverse("care-portal:attachment", args=[attachment.pk]))
    assert download.status_code == 200
    assert download["X-Content-Type-Options"] == "nosniff"
    # A disguised file refuses the reply with a reason, and writes nothing.
    bad = client.post(
        reverse("care-portal:request-detail", args=[case.pk]),
        {
            "body": "encore",
            "attachments": SimpleUploadedFile("photo.png", b"<html>not a png</html>"),
        },
    )
    assert bad.status_code == 422
    assert case.messages.count() == 1
    friend = portal_client(cast.friend)
    assert friend.get(reverse("care-portal:attachment", args=[attachment.pk])).status_code == 404


def test_a_resolved_request_offers_the_survey_in_the_portal(cast) -> None:
    case = portal_request(cast.customer)
    case_status_set(actor=cast.agent, case=case, status=Status.RESOLVED)
    page = portal_client(cast.customer).get(reverse("care-portal:request-detail", args=[case.pk]))
    assert 'data-testid="survey-link"' in page.content.decode()


def test_an_employee_without_department_sees_no_department_view(cast) -> None:
    from socius.care.selectors import inbox_counts, inbox_page
    from socius.conftest import make_employee

    inbound_api(external_id="1")
    loner = make_employee("sans.service@example.com", "Sans Service", "", "agent")
    assert inbox_page(user=loner, view="department").items == []
    assert inbox_counts(user=loner)["department"] == 0


def test_an_agent_pauses_new_assignments_and_sets_a_limit(cast, agent_client) -> None:
    from socius.care.models import AgentStatus

    response = agent_client.post(reverse("care:availability"), {"max_open_cases": "3"})
    assert response.status_code == 302
    status = AgentStatus.objects.get(user=cast.agent)
    assert (status.available, status.max_open_cases) == (False, 3)
    agent_client.post(reverse("care:availability"), {"available": "1", "max_open_cases": "0"})
    status.refresh_from_db()
    assert (status.available, status.max_open_cases) == (False, 3)  # refused: nothing changed
    refused = signed_in_client(cast.colleague).post(
        reverse("care:availability"), {"available": "1"}
    )
    assert refused.status_code == 302
    assert not AgentStatus.objects.filter(user=cast.colleague).exists()


def test_canned_reply_is_filled_for_the_case(cast, agent_client) -> None:
    from socius.care.models import CannedReply

    case = inbound_api(external_id="1").case
    reply = CannedReply.objects.create(title="Bonjour", body="Bonjour {{ customer.first_name }}")
    response = agent_client.get(reverse("care:case-canned", args=[case.pk, reply.pk]))
    assert response.status_code == 200
    assert response.content.decode() == "Bonjour Claire"
    missing = agent_client.get(reverse("care:case-canned", args=[case.pk, reply.pk + 99]))
    assert missing.status_code == 404


def test_two_agents_writing_a_reply_are_warned(cast, agent_client, make_agent) -> None:
    case = inbound_api(external_id="1").case
    other = signed_in_client(make_agent("eve.care@example.com"))
    url = reverse("care:case-typing", args=[case.pk])
    assert 'data-testid="typing-warning"' not in agent_client.post(url).content.decode()
    warned = other.post(url).content.decode()
    assert 'data-testid="typing-warning"' in warned
    assert "Alice Martin" in warned


def test_the_page_has_unique_field_ids(cast, agent_client) -> None:
    import re

    case = inbound_api(external_id="1").case
    html = agent_client.get(reverse("care:case-detail", args=[case.pk])).content.decode()
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_a_portal_customer_is_told_by_email_that_an_answer_waits(
    cast, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    case = portal_request(cast.customer, "Ma question")
    case_note_add(actor=cast.agent, case=case, body=SECRET)
    with django_capture_on_commit_callbacks(execute=True):
        case_reply(actor=cast.agent, case=case, body="La réponse détaillée")
    [notice] = mailoutbox
    assert notice.to == ["claire.dupont@example.org"]
    assert f"/portal/requests/{case.pk}" in notice.body
    assert "La réponse détaillée" not in notice.body  # the answer stays behind the sign-in
    assert SECRET not in notice.body
