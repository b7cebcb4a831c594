from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory

from socius.accounts.models import LoginFailure
from socius.conftest import PASSWORD, Cast
from socius.core.views import csrf_failure

pytestmark = pytest.mark.django_db

SIGN_IN = "/accounts/sign-in"
SET_LANGUAGE = "/i18n/setlang/"


def _sign_in_data(cast: Cast) -> dict[str, str]:
    return {"username": cast.agent.email, "password": PASSWORD}


def test_it_refuses_a_sign_in_without_a_csrf_token_and_changes_nothing(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(SIGN_IN, _sign_in_data(cast))

    assert response.status_code == 403
    assert [template.name for template in response.templates][0] == "403_csrf.html"
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert Session.objects.count() == 0
    assert LoginFailure.objects.count() == 0
    cast.agent.refresh_from_db()
    assert cast.agent.last_login is None


def test_it_refuses_a_sign_in_with_a_token_that_does_not_match_the_cookie(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get(SIGN_IN)

    response = client.post(SIGN_IN, {**_sign_in_data(cast), "csrfmiddlewaretoken": "x" * 64})

    assert response.status_code == 403
    assert Session.objects.count() == 0


def test_it_signs_in_with_the_csrf_token_of_the_form(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    token = client.get(SIGN_IN).context["csrf_token"]

    response = client.post(SIGN_IN, {**_sign_in_data(cast), "csrfmiddlewaretoken": str(token)})

    assert (response.status_code, response["Location"]) == (302, "/")
    assert Session.objects.count() == 1


def test_it_refuses_a_language_change_without_a_csrf_token(db: None) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(SET_LANGUAGE, {"language": "en", "next": "/"})

    assert response.status_code == 403
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies


def test_it_changes_the_language_with_the_csrf_token(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    token = client.get(SIGN_IN).context["csrf_token"]

    response = client.post(
        SET_LANGUAGE, {"language": "en", "next": "/", "csrfmiddlewaretoken": str(token)}
    )

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_it_answers_a_csrf_failure_under_the_api_with_json() -> None:
    response = csrf_failure(RequestFactory().post("/api/v1/accounts/tokens/1/revoke"))

    assert response.status_code == 403
    assert json.loads(response.content) == {
        "code": "csrf_failed",
        "message": "CSRF verification failed.",
        "details": {},
    }
