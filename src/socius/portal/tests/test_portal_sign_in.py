from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client

from socius.conftest import Cast
from socius.core.models import Activity
from socius.people.models import Identifier, Person
from socius.portal.access import SESSION_KEY
from socius.portal.models import PortalLoginLink

pytestmark = pytest.mark.django_db


def request_link(client: Client, email: str, django_capture_on_commit_callbacks) -> str:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/portal/sign-in", {"email": email})
    assert response.status_code == 200
    match = re.search(r"http://127.0.0.1:8000(/portal/sign-in/\S+)", mail.outbox[-1].body)
    assert match is not None
    return match.group(1)


def test_a_known_customer_signs_in_with_the_emailed_link(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    path = request_link(client, "Claire.Dupont@example.org", django_capture_on_commit_callbacks)

    confirm = client.get(path)
    signed_in = client.post(path)

    assert confirm.status_code == 200
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/portal/"
    assert client.session[SESSION_KEY] == cast.customer.pk
    page = client.get("/portal/my-data")
    assert page.status_code == 200
    assert "claire.dupont@example.org" in page.content.decode()
    assert "+33612345678" in page.content.decode()
    assert Activity.objects.filter(verb="portal.signed_in", person=cast.customer).count() == 1


def test_the_link_is_not_spent_by_a_mail_scanner_opening_it(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    path = request_link(Client(), "claire.dupont@example.org", django_capture_on_commit_callbacks)

    Client().get(path)
    Client().get(path)

    assert PortalLoginLink.objects.get().used_at is None


def test_the_link_works_only_once(cast: Cast, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    path = request_link(Client(), "claire.dupont@example.org", django_capture_on_commit_callbacks)
    Client().post(path)

    second = Client()
    response = second.post(path)

    assert response.status_code == 422
    assert SESSION_KEY not in second.session


def test_the_link_expires(cast: Cast, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    start = dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        path = request_link(
            Client(), "claire.dupont@example.org", django_capture_on_commit_callbacks
        )
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        response = Client().post(path)

    assert response.status_code == 422
    assert PortalLoginLink.objects.get().used_at is None


def test_a_new_customer_becomes_a_person_only_once_the_link_is_used(
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    path = request_link(client, "new.customer@example.net", django_capture_on_commit_callbacks)
    assert Person.objects.count() == 0

    client.post(path)

    identifier = Identifier.objects.get(value="new.customer@example.net")
    assert client.session[SESSION_KEY] == identifier.person_id


def test_it_rotates_the_session_at_sign_in(cast: Cast, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    path = request_link(client, "claire.dupont@example.org", django_capture_on_commit_callbacks)
    before = client.session.session_key

    client.post(path)

    assert client.session.session_key != before


def test_it_limits_how_many_links_one_address_may_ask_for(cast: Cast) -> None:
    client = Client()
    for _ in range(5):
        client.post("/portal/sign-in", {"email": "claire.dupont@example.org"})

    response = client.post("/portal/sign-in", {"email": "claire.dupont@example.org"})

    assert response.status_code == 429
    assert PortalLoginLink.objects.count() == 5


def test_a_malformed_email_is_refused_with_a_message(cast: Cast) -> None:
    response = Client().post("/portal/sign-in", {"email": "not an email"})

    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert PortalLoginLink.objects.count() == 0


def test_portal_pages_need_a_signed_in_customer(cast: Cast) -> None:
    for path in ("/portal/", "/portal/group-orders", "/portal/my-data"):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"] == "/portal/sign-in"


def test_an_employee_session_does_not_open_the_portal(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.agent)

    assert client.get("/portal/my-data").status_code == 302


def test_a_customer_session_does_not_open_employee_pages(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    path = request_link(client, "claire.dupont@example.org", django_capture_on_commit_callbacks)
    client.post(path)

    assert client.get("/").status_code == 302
    assert client.get("/accounts/tokens").status_code == 302


def test_a_session_follows_a_merge_to_the_surviving_record(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    path = request_link(client, "hugo.bernard@example.net", django_capture_on_commit_callbacks)
    client.post(path)
    Person.objects.filter(pk=cast.friend.pk).update(merged_into=cast.customer)

    response = client.get("/portal/my-data")

    assert response.status_code == 200
    assert response.context["person"].pk == cast.customer.pk
    # The session keeps who signed in, so undoing the merge gives them their own record.
    assert client.session[SESSION_KEY] == cast.friend.pk


def test_signing_out_ends_the_portal_session(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    path = request_link(client, "claire.dupont@example.org", django_capture_on_commit_callbacks)
    client.post(path)

    client.post("/portal/sign-out")

    assert SESSION_KEY not in client.session
    assert client.get("/portal/my-data").status_code == 302
