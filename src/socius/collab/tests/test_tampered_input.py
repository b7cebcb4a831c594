"""Ids and cursors typed by hand answer "not found" or "invalid", never a server error."""

from __future__ import annotations

import json

import pytest

from socius.accounts.services import token_create
from socius.collab.services import space_create
from socius.conftest import Cast, signed_in_client
from socius.core.pagination import encode_cursor

pytestmark = pytest.mark.django_db


def test_odd_ids_in_pages_answer_not_found_or_the_first_page(cast: Cast) -> None:
    space = space_create(actor=cast.agent, name="Accueil", visibility="public")
    client = signed_in_client(cast.agent)

    assert client.get(f"/collab/spaces/{space.pk}/?before=%C2%B2").status_code == 200
    assert client.get("/collab/mentions/suggest?q=a&space=%C2%B2").status_code == 404
    for kind in ("user", "space", "topic", "person"):
        response = client.get(f"/collab/follows/button/?kind={kind}&target=%C2%B2")
        assert response.status_code == 404, kind


def test_forged_feed_cursors_are_refused_with_a_clear_error(cast: Cast) -> None:
    secret = token_create(user=cast.agent, name="t", scopes=["collab:read", "collab:write"])
    api = signed_in_client(cast.agent)
    api.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret.secret}"

    for values in (["abc"], [None], [True], [-4], ["²"]):
        response = api.get(f"/api/v1/collab/feed?cursor={encode_cursor(values)}")
        assert response.status_code == 422, values
        assert response.json()["code"] == "invalid_cursor"
    page = signed_in_client(cast.agent).get(f"/collab/feed/?cursor={encode_cursor(['abc'])}")
    assert page.status_code in (400, 422)
    followed = api.post(
        "/api/v1/collab/follows", json.dumps({"user": "²"}), content_type="application/json"
    )
    assert followed.status_code == 404
