"""The search page: one box, results grouped by kind, clear refusals, pinned queries."""

from __future__ import annotations

from typing import Any

import pytest

from socius.collab.services import post_create, space_create, space_member_add
from socius.conftest import Cast, signed_in_client

pytestmark = pytest.mark.django_db

PAGE_QUERIES = 7


@pytest.fixture
def spaces(cast: Cast) -> dict[str, Any]:
    lobby = space_create(actor=cast.agent, name="Hall", visibility="public")
    board = space_create(actor=cast.agent, name="Direction", visibility="private")
    space_member_add(actor=cast.agent, space=board, user=cast.colleague)
    return {"lobby": lobby, "board": board}


def test_the_page_shows_hits_grouped_by_kind(cast: Cast, spaces: dict[str, Any]) -> None:
    post = post_create(actor=cast.agent, space=spaces["lobby"], body="Réunion d'équipe")

    response = signed_in_client(cast.outsider).get("/collab/search/", {"q": "reunion"})

    assert response.status_code == 200
    html = response.content.decode()
    for kind in ("posts", "comments", "people", "spaces"):
        assert f'data-testid="search-group-{kind}"' in html
    assert f'data-kind="posts" data-id="{post.pk}"' in html
    assert "<mark>Réunion</mark>" in html


def test_a_non_member_sees_no_trace_of_a_private_post(cast: Cast, spaces: dict[str, Any]) -> None:
    post_create(actor=cast.agent, space=spaces["board"], body="Fusion avec Tartempion")

    member = signed_in_client(cast.colleague).get("/collab/search/", {"q": "tartempion"})
    outsider = signed_in_client(cast.outsider).get("/collab/search/", {"q": "tartempion"})

    assert "Tartempion</mark>" in member.content.decode()
    assert "Tartempion" not in outsider.content.decode().replace('value="tartempion"', "")
    assert 'data-testid="search-hit"' not in outsider.content.decode()


@pytest.mark.parametrize("query", ["a", '"*"', "( - )"])
def test_a_query_without_words_shows_a_message_not_an_error(cast: Cast, query: str) -> None:
    response = signed_in_client(cast.agent).get("/collab/search/", {"q": query})

    assert response.status_code == 200
    assert 'data-testid="search-error"' in response.content.decode()


def test_an_empty_box_shows_only_the_form(cast: Cast) -> None:
    response = signed_in_client(cast.agent).get("/collab/search/")

    html = response.content.decode()
    assert 'data-testid="search-form"' in html
    assert "search-group-" not in html
    assert "search-error" not in html


def test_a_forged_cursor_is_a_message(cast: Cast) -> None:
    response = signed_in_client(cast.agent).get(
        "/collab/search/", {"q": "budget", "kind": "posts", "cursor": "xx"}
    )

    assert response.status_code == 200
    assert 'data-testid="search-error"' in response.content.decode()


def test_the_page_needs_a_signed_in_employee(db: None) -> None:
    from django.test import Client

    response = Client().get("/collab/search/", {"q": "budget"})

    assert response.status_code == 302
    assert "/accounts/sign-in" in response["Location"]


def test_the_page_costs_the_same_queries_whatever_the_data(
    cast: Cast, spaces: dict[str, Any], django_assert_num_queries: Any
) -> None:
    client = signed_in_client(cast.agent)
    post_create(actor=cast.agent, space=spaces["lobby"], body="Budget")
    # The session and the user; two queries for posts (ranking, rows), one for each kind
    # without hits (its ranking).
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get("/collab/search/", {"q": "budget"}).status_code == 200

    for number in range(12):
        post_create(actor=cast.agent, space=spaces["lobby"], body=f"Budget {number}")
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get("/collab/search/", {"q": "budget"}).status_code == 200
