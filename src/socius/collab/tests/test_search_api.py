"""Search through the API: grouped ranked hits, kinds, cursors, errors and privacy."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from socius.accounts.services import token_create
from socius.collab.services import comment_create, post_create, space_create, space_member_add
from socius.conftest import Cast

pytestmark = pytest.mark.django_db


def client_of(user: Any, scopes: tuple[str, ...] = ("collab:read",)) -> Client:
    secret = token_create(user=user, name="tests", scopes=list(scopes)).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def get(client: Client, **params: Any) -> Any:
    return client.get("/api/v1/collab/search", params)


@pytest.fixture
def posts(cast: Cast) -> dict[str, int]:
    lobby = space_create(actor=cast.agent, name="Hall", visibility="public")
    board = space_create(actor=cast.agent, name="Direction", visibility="private")
    space_member_add(actor=cast.agent, space=board, user=cast.colleague)
    public = post_create(actor=cast.agent, space=lobby, body="Réunion <b>plénière</b> jeudi")
    hidden = post_create(actor=cast.agent, space=board, body="Réunion du conseil, budget")
    comment = comment_create(actor=cast.colleague, post=hidden, body="Réunion reportée")
    return {"public": public.pk, "hidden": hidden.pk, "comment": comment.pk}


def test_it_answers_one_group_per_kind_with_ranked_hits(cast: Cast, posts: dict[str, int]) -> None:
    response = get(client_of(cast.colleague), q="reunion")

    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "reunion"
    groups = {group["kind"]: group for group in body["groups"]}
    assert list(groups) == ["posts", "comments", "people", "spaces"]
    assert {hit["id"] for hit in groups["posts"]["hits"]} == {posts["public"], posts["hidden"]}
    assert [hit["id"] for hit in groups["comments"]["hits"]] == [posts["comment"]]
    comment_hit = groups["comments"]["hits"][0]
    assert (comment_hit["post_id"], comment_hit["url"]) == (
        posts["hidden"],
        f"/collab/posts/{posts['hidden']}/#comment-{posts['comment']}",
    )


def test_a_non_member_gets_no_hit_and_no_count_of_a_private_space(
    cast: Cast, posts: dict[str, int]
) -> None:
    response = get(client_of(cast.outsider), q="réunion", kind="posts", limit=1)

    (group,) = response.json()["groups"]
    assert [hit["id"] for hit in group["hits"]] == [posts["public"]]
    assert group["next_cursor"] is None
    comments = get(client_of(cast.outsider), q="réunion", kind="comments").json()
    assert comments["groups"][0]["hits"] == []
    assert get(client_of(cast.outsider), q="conseil budget").json()["groups"][0]["hits"] == []


def test_the_snippet_is_escaped_with_the_words_marked(cast: Cast, posts: dict[str, int]) -> None:
    response = get(client_of(cast.outsider), q="pleniere", kind="posts")

    (hit,) = response.json()["groups"][0]["hits"]
    # Raw HTML in Markdown is shown as text to readers: here too, escaped.
    assert hit["snippet_html"] == "Réunion &lt;b&gt;<mark>plénière</mark>&lt;/b&gt; jeudi"


def test_a_cursor_pages_one_kind(cast: Cast, posts: dict[str, int]) -> None:
    client = client_of(cast.colleague)
    first = get(client, q="réunion", kind="posts", limit=1).json()["groups"][0]
    second = get(client, q="réunion", kind="posts", limit=1, cursor=first["next_cursor"])

    (page,) = second.json()["groups"]
    assert {first["hits"][0]["id"], page["hits"][0]["id"]} == {posts["public"], posts["hidden"]}
    assert page["next_cursor"] is None


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"q": ""}, "query_too_short"),
        ({"q": "a"}, "query_too_short"),
        ({"q": '"*()'}, "query_too_short"),
        ({"q": "réunion", "cursor": "bm9wZQ"}, "invalid_input"),
        ({"q": "réunion", "kind": "posts", "cursor": "bm9wZQ"}, "invalid_cursor"),
    ],
)
def test_a_bad_query_is_a_clear_error(cast: Cast, params: dict[str, str], code: str) -> None:
    response = get(client_of(cast.agent), **params)

    assert response.status_code == 422
    assert response.json()["code"] == code


def test_an_unknown_kind_is_refused(cast: Cast) -> None:
    response = get(client_of(cast.agent), q="réunion", kind="everything")

    assert response.status_code == 422


def test_it_needs_the_read_scope(cast: Cast, posts: dict[str, int]) -> None:
    response = get(client_of(cast.agent, scopes=("collab:write",)), q="réunion")

    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert Client().get("/api/v1/collab/search", {"q": "réunion"}).status_code == 401


def test_fts_syntax_in_the_api_query_never_fails(cast: Cast, posts: dict[str, int]) -> None:
    for query in ['"réunion', "réunion*", "-réunion", "(réunion))", "jeudi:réunion^"]:
        response = get(client_of(cast.outsider), q=query, kind="posts")
        assert response.status_code == 200, query
        assert [hit["id"] for hit in response.json()["groups"][0]["hits"]] == [posts["public"]]
