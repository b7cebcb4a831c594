from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory

from socius.accounts.api_auth import InsufficientScope, TokenAuth
from socius.accounts.errors import ScopeNotAllowed, UnknownScope
from socius.accounts.models import ApiToken
from socius.accounts.services import token_create, token_digest, token_revoke
from socius.conftest import Cast, signed_in_client


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_it_stores_only_a_digest_of_the_secret(cast: Cast) -> None:
    created = token_create(
        user=cast.agent, name="Shop sync", scopes=["people:write", "people:read"]
    )

    token = ApiToken.objects.get()
    assert created.secret.startswith("soc_")
    assert token.digest == token_digest(created.secret)
    assert created.secret not in {token.digest, token.prefix, token.name}
    assert token.prefix == created.secret[:10]
    assert token.scopes == ["people:read", "people:write"]


def test_it_refuses_scopes_the_role_does_not_allow(cast: Cast) -> None:
    with pytest.raises(ScopeNotAllowed) as raised:
        token_create(user=cast.colleague, name="Too much", scopes=["people:read", "accounts:admin"])

    assert raised.value.details["refused"] == ["accounts:admin"]
    assert ApiToken.objects.count() == 0


def test_it_refuses_unknown_scopes(cast: Cast) -> None:
    with pytest.raises(UnknownScope):
        token_create(user=cast.agent, name="Typo", scopes=["people:reed"])

    assert ApiToken.objects.count() == 0


def test_a_token_authenticates_api_calls_as_its_owner(cast: Cast) -> None:
    created = token_create(user=cast.agent, name="Me", scopes=["people:read"])

    response = Client().get("/api/v1/accounts/me", **bearer(created.secret))

    assert response.status_code == 200
    assert response.json() == {
        "id": cast.agent.pk,
        "email": "alice.martin@example.com",
        "full_name": "Alice Martin",
        "role": "agent",
        "department": {
            "id": cast.agent.department_id,
            "slug": "service-client",
            "name": "Service Client",
        },
        "person_id": cast.agent.person_id,
        "scopes": ["people:read"],
    }
    assert ApiToken.objects.get().last_used_at is not None


def test_a_missing_or_wrong_token_gets_401_in_the_error_format(cast: Cast) -> None:
    missing = Client().get("/api/v1/accounts/me")
    wrong = Client().get("/api/v1/accounts/me", **bearer("soc_not-a-real-token"))

    for response in (missing, wrong):
        assert response.status_code == 401
        assert response.json() == {
            "code": "unauthenticated",
            "message": "A valid bearer token is required.",
            "details": {},
        }


def test_a_revoked_token_no_longer_works(cast: Cast) -> None:
    created = token_create(user=cast.agent, name="Old", scopes=["people:read"])
    token_revoke(token=created.token, actor=cast.agent)

    response = Client().get("/api/v1/accounts/me", **bearer(created.secret))

    assert response.status_code == 401


def test_a_token_of_a_deactivated_employee_no_longer_works(cast: Cast) -> None:
    created = token_create(user=cast.agent, name="Old", scopes=["people:read"])
    cast.agent.is_active = False
    cast.agent.save(update_fields=["is_active"])

    response = Client().get("/api/v1/accounts/me", **bearer(created.secret))

    assert response.status_code == 401


def test_an_endpoint_refuses_a_token_without_its_scope(cast: Cast) -> None:
    created = token_create(user=cast.agent, name="Read only", scopes=["people:read"])

    response = Client().get("/api/v1/accounts/tokens", **bearer(created.secret))

    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert response.json()["details"] == {"missing": ["accounts:tokens"]}


def test_revoking_another_users_token_through_the_api_gives_404_and_changes_nothing(
    cast: Cast,
) -> None:
    theirs = token_create(user=cast.colleague, name="Theirs", scopes=["people:read"])
    mine = token_create(user=cast.agent, name="Mine", scopes=["accounts:tokens"])

    response = Client().post(
        f"/api/v1/accounts/tokens/{theirs.token.pk}/revoke", **bearer(mine.secret)
    )

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    theirs.token.refresh_from_db()
    assert theirs.token.revoked_at is None


def test_the_api_lists_and_revokes_the_owners_tokens(cast: Cast) -> None:
    mine = token_create(user=cast.agent, name="Mine", scopes=["accounts:tokens"])
    other = token_create(user=cast.agent, name="Other", scopes=["people:read"])
    token_create(user=cast.colleague, name="Theirs", scopes=["people:read"])

    listed = Client().get("/api/v1/accounts/tokens", **bearer(mine.secret))
    revoked = Client().post(
        f"/api/v1/accounts/tokens/{other.token.pk}/revoke", **bearer(mine.secret)
    )

    assert sorted(t["name"] for t in listed.json()) == ["Mine", "Other"]
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None


def test_revoking_another_users_token_in_the_ui_gives_404_and_changes_nothing(cast: Cast) -> None:
    theirs = token_create(user=cast.colleague, name="Theirs", scopes=["people:read"])

    response = signed_in_client(cast.outsider).post(f"/accounts/tokens/{theirs.token.pk}/revoke")

    assert response.status_code == 404
    theirs.token.refresh_from_db()
    assert theirs.token.revoked_at is None


def test_the_page_shows_a_new_token_once(cast: Cast) -> None:
    client = signed_in_client(cast.agent)

    created = client.post("/accounts/tokens", {"name": "CRM", "scopes": ["people:read"]})
    listed = client.get("/accounts/tokens")

    secret = created.context["created"].secret
    assert created.status_code == 201
    assert secret in created.content.decode()
    assert secret not in listed.content.decode()
    assert "CRM" in listed.content.decode()


def test_the_page_offers_only_the_scopes_of_the_role(cast: Cast) -> None:
    response = signed_in_client(cast.colleague).get("/accounts/tokens")

    choices = [value for value, _label in response.context["form"].fields["scopes"].choices]
    assert choices == [
        "people:read",
        "collab:read",
        "collab:write",
        "commerce:read",
        "commerce:checkin",
        "accounts:tokens",
    ]


def test_the_command_prints_the_token_alone_on_its_last_line(cast: Cast, capsys) -> None:  # type: ignore[no-untyped-def]
    call_command(
        "token_create", email="alice.martin@example.com", scopes="people:read,people:write"
    )

    last_line = capsys.readouterr().out.strip().splitlines()[-1]
    assert last_line.startswith("soc_")
    assert " " not in last_line
    assert ApiToken.objects.get().digest == token_digest(last_line)


def test_the_api_documents_itself_only_for_signed_in_callers(cast: Cast) -> None:
    created = token_create(user=cast.agent, name="Docs", scopes=["people:read"])

    anonymous = Client().get("/api/v1/openapi.json")
    with_token = Client().get("/api/v1/openapi.json", **bearer(created.secret))
    docs_anonymous = Client().get("/api/v1/docs")
    docs_signed_in = signed_in_client(cast.colleague).get("/api/v1/docs")

    assert anonymous.status_code == 401
    assert with_token.status_code == 200
    assert with_token.json()["info"]["title"] == "Socius API"
    assert docs_anonymous.status_code == 302
    assert docs_signed_in.status_code == 200


def test_a_token_loses_the_scopes_its_owners_new_role_no_longer_allows(cast: Cast) -> None:
    created = token_create(user=cast.agent, name="Care sync", scopes=["care:read", "people:read"])
    cast.agent.role = "employee"
    cast.agent.save(update_fields=["role"])

    response = Client().get("/api/v1/accounts/me", **bearer(created.secret))
    refused = TokenAuth("care:read")

    assert response.status_code == 200
    with pytest.raises(InsufficientScope):
        refused.authenticate(RequestFactory().get("/"), created.secret)
