from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.test import Client, RequestFactory

from socius.accounts.models import ApiToken
from socius.accounts.services import token_create
from socius.api import on_domain_error, on_unexpected_error
from socius.conftest import Cast
from socius.core.errors import Conflict, DomainError, InvalidCursor, RateLimited

pytestmark = pytest.mark.django_db

ERROR_URLS = pytest.mark.urls("socius.core.tests.urls_for_errors")


def _template_names(response: Any) -> list[str]:
    return [template.name for template in response.templates]


@ERROR_URLS
def test_it_renders_a_domain_error_of_a_page_with_its_status_and_code() -> None:
    response = Client().get("/test-errors/conflict")

    assert response.status_code == 409
    assert _template_names(response)[0] == "errors/domain_error.html"
    assert '<p data-error-code="conflict">This case is already closed.</p>' in (
        response.content.decode()
    )
    assert "Retry-After" not in response.headers


@ERROR_URLS
def test_it_renders_a_not_found_domain_error_with_status_404() -> None:
    response = Client().get("/test-errors/not-found")

    assert response.status_code == 404
    assert 'data-error-code="not_found"' in response.content.decode()


@ERROR_URLS
def test_it_tells_a_rate_limited_page_visitor_when_to_retry() -> None:
    response = Client().get("/test-errors/rate-limited")

    assert response.status_code == 429
    assert response["Retry-After"] == "90"
    assert 'data-error-code="rate_limited"' in response.content.decode()


@ERROR_URLS
def test_it_renders_a_generic_page_for_an_unexpected_error() -> None:
    response = Client(raise_request_exception=False).get("/test-errors/crash")

    assert response.status_code == 500
    assert _template_names(response) == ["500.html"]
    body = response.content.decode()
    assert "SELECT secret" not in body
    assert "Traceback" not in body


@ERROR_URLS
def test_it_renders_an_unexpected_error_under_the_api_as_json() -> None:
    response = Client(raise_request_exception=False).get("/api/test-errors/crash")

    assert response.status_code == 500
    assert response.json() == {
        "code": "internal_error",
        "message": "An unexpected error occurred.",
        "details": {},
    }


def test_it_renders_a_domain_error_of_the_api_as_json() -> None:
    request = RequestFactory().get("/api/v1/anything")

    response = on_domain_error(request, Conflict("Already archived.", details={"id": 3}))

    assert response.status_code == 409
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "code": "conflict",
        "message": "Already archived.",
        "details": {"id": 3},
    }
    assert "Retry-After" not in response.headers


def test_it_tells_a_rate_limited_api_client_when_to_retry() -> None:
    request = RequestFactory().post("/api/v1/anything")

    response = on_domain_error(request, RateLimited("Slow down.", retry_after=42))

    assert response.status_code == 429
    assert response["Retry-After"] == "42"
    assert json.loads(response.content) == {
        "code": "rate_limited",
        "message": "Slow down.",
        "details": {"retry_after": 42},
    }


def test_it_renders_a_subclass_with_its_own_code() -> None:
    response = on_domain_error(RequestFactory().get("/api/v1/x"), InvalidCursor("Bad cursor."))

    assert response.status_code == 422
    assert json.loads(response.content) == {
        "code": "invalid_cursor",
        "message": "Bad cursor.",
        "details": {},
    }


def test_it_gives_every_domain_error_a_default_message() -> None:
    error = DomainError()

    assert error.as_dict() == {"code": "domain_error", "message": str(error), "details": {}}
    assert error.message != ""


def test_it_hides_an_unexpected_api_error_and_logs_it(caplog: pytest.LogCaptureFixture) -> None:
    request = RequestFactory().get("/api/v1/accounts/me")

    with caplog.at_level(logging.ERROR, logger="socius.api"):
        response = on_unexpected_error(request, RuntimeError("SELECT secret FROM vault"))

    assert response.status_code == 500
    assert json.loads(response.content) == {
        "code": "internal_error",
        "message": "An unexpected error occurred.",
        "details": {},
    }
    assert [record.getMessage() for record in caplog.records] == [
        "Unexpected API error on /api/v1/accounts/me"
    ]


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic abc"])
def test_it_answers_401_json_without_a_valid_token(authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}

    response = Client().get("/api/v1/accounts/me", headers=headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == {
        "code": "unauthenticated",
        "message": "A valid bearer token is required.",
        "details": {},
    }


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_it_answers_422_json_for_a_malformed_path_parameter(cast: Cast) -> None:
    created = token_create(user=cast.agent, name="CRM", scopes=["accounts:tokens"])

    response = Client().post("/api/v1/accounts/tokens/abc/revoke", headers=_bearer(created.secret))

    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["message"]) == ("invalid_input", "The request is not valid.")
    assert [(e["type"], e["loc"]) for e in body["details"]["errors"]] == [
        ("int_parsing", ["path", "token_id"])
    ]
    assert ApiToken.objects.get(pk=created.token.pk).revoked_at is None


def test_it_answers_403_json_for_a_token_without_the_scope(cast: Cast) -> None:
    created = token_create(user=cast.agent, name="CRM", scopes=["people:read"])

    response = Client().get("/api/v1/accounts/tokens", headers=_bearer(created.secret))

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "insufficient_scope"
    assert body["details"] == {"missing": ["accounts:tokens"]}


def test_it_answers_404_json_for_another_users_token(cast: Cast) -> None:
    mine = token_create(user=cast.agent, name="CRM", scopes=["accounts:tokens"])
    theirs = token_create(user=cast.colleague, name="Mailer", scopes=["accounts:tokens"])

    response = Client().post(
        f"/api/v1/accounts/tokens/{theirs.token.pk}/revoke", headers=_bearer(mine.secret)
    )

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Introuvable.", "details": {}}
    assert ApiToken.objects.get(pk=theirs.token.pk).revoked_at is None
