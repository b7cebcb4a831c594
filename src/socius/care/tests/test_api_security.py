"""Who may use the customer-care API, what it refuses, and what it never lets out."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from socius.accounts.errors import ScopeNotAllowed
from socius.accounts.models import User
from socius.accounts.services import token_create
from socius.care.models import Case, Message, MessageAttachment, Note
from socius.care.services.conversation import case_note_add
from socius.conftest import Cast
from socius.core.models import Activity
from socius.core.pagination import encode_cursor

from .test_api import PDF, api_client, inbound, receive, second_agent, send

pytestmark = pytest.mark.django_db

SECRET_NOTE = "Entre nous : ce client a déjà eu trois remboursements."
ODD_IDS = ("abc", "%C2%B2", "0", "-1", "1.5", "9" * 30, "999999")


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def writes(case_id: Any) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("post", f"/api/v1/care/cases/{case_id}/replies", {"body": "Bonjour"}),
        ("post", f"/api/v1/care/cases/{case_id}/notes", {"body": "Pour info"}),
        ("patch", f"/api/v1/care/cases/{case_id}", {"status": "open"}),
        ("post", f"/api/v1/care/cases/{case_id}/merge", {"absorbed": 1}),
        ("post", f"/api/v1/care/cases/{case_id}/links", {"kind": "order", "reference": "1"}),
        ("post", f"/api/v1/care/cases/{case_id}/escalate", {}),
    ]


def state() -> tuple[Any, ...]:
    """Everything a refused request must leave as it was."""
    return (
        list(Case.objects.order_by("pk").values()),
        Message.objects.count(),
        Note.objects.count(),
        MessageAttachment.objects.count(),
        Activity.objects.count(),
    )


def demoted(user: User) -> Client:
    """A token made while its owner worked cases, kept after their role was lowered."""
    client = api_client(user)
    user.role = "employee"
    user.save(update_fields=["role"])
    return client


# Authentication and scopes


def test_every_endpoint_needs_a_token(cast: Cast) -> None:
    case = receive("m-1").case
    before = state()
    calls = [
        ("get", "/api/v1/care/cases", None),
        ("get", f"/api/v1/care/cases/{case.pk}", None),
        ("get", "/api/v1/care/attachments/1", None),
        ("post", "/api/v1/care/messages", inbound()),
        *writes(case.pk),
    ]

    for method, path, data in calls:
        response = Client().get(path) if data is None else send(Client(), method, path, data)
        assert response.status_code == 401, path
        assert response.json()["code"] == "unauthenticated"
    assert state() == before


def test_a_read_token_cannot_write(cast: Cast) -> None:
    case = receive("m-1").case
    reader = api_client(cast.agent, "care:read")
    before = state()

    for method, path, data in [("post", "/api/v1/care/messages", inbound()), *writes(case.pk)]:
        response = send(reader, method, path, data)
        assert response.status_code == 403, path
        assert response.json()["code"] == "insufficient_scope"
        assert response.json()["details"] == {"missing": ["care:write"]}
    assert state() == before


def test_a_write_token_cannot_read(cast: Cast) -> None:
    case = receive("m-1").case
    writer = api_client(cast.agent, "care:write")

    for path in ("/api/v1/care/cases", f"/api/v1/care/cases/{case.pk}"):
        response = writer.get(path)
        assert response.status_code == 403
        assert response.json()["details"] == {"missing": ["care:read"]}


def test_employees_who_do_not_work_cases_get_no_care_token(cast: Cast) -> None:
    with pytest.raises(ScopeNotAllowed):
        token_create(user=cast.colleague, name="CRM", scopes=["care:read", "care:write"])


def test_a_token_loses_care_when_its_owner_no_longer_works_cases(cast: Cast) -> None:
    case = receive("m-1").case
    client = demoted(second_agent())
    before = state()

    reads = [client.get("/api/v1/care/cases"), client.get(f"/api/v1/care/cases/{case.pk}")]
    for response in reads + [send(client, *call) for call in writes(case.pk)]:
        assert response.status_code == 403
        assert response.json()["code"] == "insufficient_scope"
    assert state() == before


# Ids that name nothing


def test_unknown_and_garbage_ids_answer_not_found(cast: Cast) -> None:
    receive("m-1")
    client = api_client(cast.agent)
    before = state()

    for odd in ODD_IDS:
        for path in (f"/api/v1/care/cases/{odd}", f"/api/v1/care/attachments/{odd}"):
            response = client.get(path)
            assert response.status_code == 404, path
            assert response.json()["code"] == "not_found"
        for method, path, data in writes(odd):
            response = send(client, method, path, data)
            assert response.status_code == 404, path
            assert response.json()["code"] == "not_found"
    assert state() == before


def test_ids_in_bodies_are_checked_before_anything_is_read(cast: Cast) -> None:
    case = receive("m-1").case
    client = api_client(cast.agent)
    before = state()

    unknown = send(client, "post", f"/api/v1/care/cases/{case.pk}/merge", {"absorbed": 999999})
    assert unknown.status_code == 404
    for odd in ("abc", "²", 10**30, 0, -1, True):
        merge = send(client, "post", f"/api/v1/care/cases/{case.pk}/merge", {"absorbed": odd})
        patch = send(client, "patch", f"/api/v1/care/cases/{case.pk}", {"assignee": odd})
        reply = send(
            client,
            "post",
            f"/api/v1/care/cases/{case.pk}/replies",
            {"body": "Bonjour", "seen_message_id": odd},
        )
        for response in (merge, patch, reply):
            assert response.status_code == 422, odd
            assert response.json()["code"] == "invalid_input"
    assert state() == before


def test_forged_cursors_and_unknown_views_are_refused(cast: Cast) -> None:
    client = api_client(cast.agent)

    for values in (["abc", 1], [None, None], [{"dt": "yesterday"}, 1], ["²"]):
        response = client.get(f"/api/v1/care/cases?cursor={encode_cursor(values)}")
        assert response.status_code == 422, values
        assert response.json()["code"] == "invalid_cursor"
    assert client.get("/api/v1/care/cases?cursor=%%%").json()["code"] == "invalid_cursor"
    assert client.get("/api/v1/care/cases?view=everything").status_code == 422


# PATCH: a refused change changes nothing


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"status": "open", "assignee": 999999}, "assignee"),
        ({"priority": "high", "department": "no-such-department"}, "department"),
    ],
)
def test_a_patch_naming_an_unknown_reference_changes_nothing(
    cast: Cast, changes: dict[str, Any], field: str
) -> None:
    case = receive("m-1").case
    client = api_client(cast.agent)
    before = state()

    response = send(client, "patch", f"/api/v1/care/cases/{case.pk}", changes)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["details"] == {"field": field}
    assert state() == before


@pytest.mark.parametrize(
    "changes",
    [
        {"status": "new"},
        {"status": None},
        {"priority": "whenever"},
        {"tags": "livraison"},
        {"tags": [f"tag-{index}" for index in range(21)]},
        {"colour": "red"},
    ],
)
def test_a_patch_of_the_wrong_shape_changes_nothing(cast: Cast, changes: dict[str, Any]) -> None:
    case = receive("m-1").case
    client = api_client(cast.agent)
    before = state()

    response = send(client, "patch", f"/api/v1/care/cases/{case.pk}", changes)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert state() == before


def test_a_change_the_rules_refuse_undoes_the_others_of_the_same_patch(cast: Cast) -> None:
    case = receive("m-1").case
    client = api_client(cast.agent)
    before = state()

    # The colleague exists but does not work cases: refused after the priority was set.
    response = send(
        client,
        "patch",
        f"/api/v1/care/cases/{case.pk}",
        {"priority": "urgent", "assignee": cast.colleague.pk, "status": "open"},
    )

    assert response.status_code == 422
    assert response.json()["code"] == "not_assignable"
    assert state() == before


def test_a_merged_case_is_not_worked_any_more(cast: Cast) -> None:
    absorbed = receive("m-1").case
    survivor = receive("m-2", new_case=True).case
    client = api_client(cast.agent)
    send(client, "post", f"/api/v1/care/cases/{survivor.pk}/merge", {"absorbed": absorbed.pk})
    before = state()

    reply = send(client, "post", f"/api/v1/care/cases/{absorbed.pk}/replies", {"body": "Bonjour"})
    patch = send(client, "patch", f"/api/v1/care/cases/{absorbed.pk}", {"priority": "high"})

    for response in (reply, patch):
        assert response.status_code == 422
        assert response.json()["code"] == "case_merged"
    assert state() == before


# Inbound messages: refused whole, never half stored


def test_another_channel_is_refused_with_a_clear_error(cast: Cast) -> None:
    for channel in ("email", "messenger", "portal", "fax"):
        response = send(
            api_client(cast.agent), "post", "/api/v1/care/messages", inbound(channel=channel)
        )

        assert response.status_code == 422
        assert response.json()["code"] == "channel_not_accepted"
        assert response.json()["details"] == {"field": "channel", "allowed": ["api"]}
    assert (Case.objects.count(), Message.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("files", "code", "field"),
    [
        (
            [{"name": "a.pdf", "content_base64": "not base64!"}],
            "invalid_base64",
            "attachments.0.content_base64",
        ),
        (
            [
                {"name": "a.pdf", "content_base64": base64.b64encode(PDF).decode()},
                {"name": "b.pdf", "content_base64": "QUJ*"},
            ],
            "invalid_base64",
            "attachments.1.content_base64",
        ),
    ],
)
def test_a_file_that_is_not_base64_refuses_the_message(
    cast: Cast, files: list[dict[str, str]], code: str, field: str
) -> None:
    response = send(
        api_client(cast.agent), "post", "/api/v1/care/messages", inbound(attachments=files)
    )

    assert response.status_code == 422
    assert response.json()["code"] == code
    assert response.json()["details"] == {"field": field}
    assert (Case.objects.count(), Message.objects.count()) == (0, 0)


def test_a_file_that_is_not_what_its_name_says_refuses_the_message(cast: Cast) -> None:
    script = b"<!doctype html><script>alert(document.cookie)</script>"
    files = [{"name": "photo.png", "content_base64": base64.b64encode(script).decode()}]

    response = send(
        api_client(cast.agent), "post", "/api/v1/care/messages", inbound(attachments=files)
    )

    assert response.status_code == 422
    assert response.json()["code"] == "attachment_content_mismatch"
    assert (Case.objects.count(), Message.objects.count(), MessageAttachment.objects.count()) == (
        0,
        0,
        0,
    )


def test_a_file_too_large_is_refused_before_it_is_decoded(cast: Cast, settings: Any) -> None:
    settings.COLLAB_ATTACHMENT_MAX_BYTES = 1024
    files = [{"name": "a.txt", "content_base64": base64.b64encode(b"a" * 1025).decode()}]

    response = send(
        api_client(cast.agent), "post", "/api/v1/care/messages", inbound(attachments=files)
    )

    assert response.status_code == 413
    assert response.json()["code"] == "attachment_too_large"
    assert Message.objects.count() == 0


def test_a_message_naming_nobody_is_refused(cast: Cast) -> None:
    for identifiers in ([], [{"kind": "email", "value": "not an address"}]):
        response = send(
            api_client(cast.agent),
            "post",
            "/api/v1/care/messages",
            inbound(identifiers=identifiers),
        )

        assert response.status_code == 422
    assert (Case.objects.count(), Message.objects.count()) == (0, 0)


# Notes never reach the customer


def test_no_answer_that_may_reach_the_customer_carries_a_note(cast: Cast) -> None:
    receipt = receive("m-1")
    case_note_add(actor=cast.colleague, case=receipt.case, body=SECRET_NOTE)
    client = api_client(cast.agent)

    again = send(
        client,
        "post",
        "/api/v1/care/messages",
        inbound(
            identifiers=[{"kind": "email", "value": "claire.dupont@example.org"}],
            profile=None,
            external_id="crm-2",
        ),
    )
    reply = send(
        client,
        "post",
        f"/api/v1/care/cases/{receipt.case.pk}/replies",
        {"body": "Nous vous remboursons."},
    )

    assert again.status_code == reply.status_code == 201
    assert again.json()["case_id"] == receipt.case.pk
    for response in (again, reply):
        assert SECRET_NOTE not in response.content.decode()
        assert "note" not in json.dumps(response.json())
    assert reply.json()["channel"] == "api"
    assert not Message.objects.filter(body__contains="remboursements").exists()
    # Colleagues do see it, on the case itself.
    case_page = client.get(f"/api/v1/care/cases/{receipt.case.pk}").json()
    assert [e["body"] for e in case_page["messages"] if e["type"] == "note"] == [SECRET_NOTE]


def test_a_file_answers_only_as_a_download_that_no_browser_runs(cast: Cast) -> None:
    files = [{"name": "notes.txt", "content_base64": base64.b64encode(b"bonjour").decode()}]
    client = api_client(cast.agent)
    send(client, "post", "/api/v1/care/messages", inbound(attachments=files))
    attachment = MessageAttachment.objects.get()

    response = client.get(f"/api/v1/care/attachments/{attachment.pk}")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["Cache-Control"] == "private, no-cache"


def test_resolving_through_the_api_sends_a_survey_without_any_note(
    cast: Cast, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    receipt = receive("m-1")
    case_note_add(actor=cast.colleague, case=receipt.case, body=SECRET_NOTE)
    client = api_client(cast.agent)

    with django_capture_on_commit_callbacks(execute=True):
        response = send(
            client, "patch", f"/api/v1/care/cases/{receipt.case.pk}", {"status": "resolved"}
        )

    assert response.status_code == 200
    assert response.json()["status"] == "resolved"
    assert [mail.to for mail in mailoutbox] == [["claire.dupont@example.org"]]
    assert SECRET_NOTE not in mailoutbox[0].body + mailoutbox[0].subject


def test_a_body_larger_than_allowed_gets_413_not_500(cast: Cast, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    response = send(
        api_client(cast.agent), "post", "/api/v1/care/messages", inbound(body="x" * 4000)
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert not Message.objects.exists()
