"""The language an employee picks is the language of the pages and of their emails."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from socius.accounts.models import User
from socius.conftest import Cast, signed_in_client

pytestmark = pytest.mark.django_db

LANGUAGE = "/accounts/language"


def test_a_signed_in_employee_who_switches_language_keeps_it_for_emails(cast: Cast) -> None:
    client = signed_in_client(cast.agent)

    response = client.post(LANGUAGE, {"language": "en", "next": "/collab/spaces/"})

    assert response.status_code == 302
    assert response["Location"] == "/collab/spaces/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert User.objects.get(pk=cast.agent.pk).language == "en"


def test_an_unknown_language_changes_nothing(cast: Cast) -> None:
    client = signed_in_client(cast.agent)

    client.post(LANGUAGE, {"language": "xx", "next": "/"})

    assert User.objects.get(pk=cast.agent.pk).language == ""


def test_a_visitor_switches_the_page_language_only(cast: Cast) -> None:
    response = Client().post(LANGUAGE, {"language": "en", "next": "/"})

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert set(User.objects.values_list("language", flat=True)) == {""}


def test_the_switch_refuses_a_request_without_its_csrf_token(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.agent)

    response = client.post(LANGUAGE, {"language": "en", "next": "/"})

    assert response.status_code == 403
    assert User.objects.get(pk=cast.agent.pk).language == ""
