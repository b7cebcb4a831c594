"""#topics: set from the text, shared across spaces, listed only where the reader may read."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from socius.collab.models import Post, Topic
from socius.collab.services import comment_create, post_create, space_create
from socius.collab.services.posts import post_edit
from socius.collab.services.reactions import reaction_add
from socius.conftest import Cast, signed_in_client

from .test_spaces_api import client_of

pytestmark = pytest.mark.django_db

# Session, user, topic, posts, their topics, their mentions.
TOPIC_PAGE_QUERIES = 6


def slugs(post: Post) -> set[str]:
    return set(post.topics.values_list("slug", flat=True))


def test_topics_are_created_and_reused_from_the_text(cast: Cast) -> None:
    space = space_create(actor=cast.agent, name="Saison", visibility="public")

    first = post_create(actor=cast.agent, space=space, body="#Noël arrive, #marché_2026 aussi")
    second = post_create(actor=cast.agent, space=space, body="Encore #noel ! `#code` et #42")

    assert slugs(first) == {"noel", "marche_2026"}
    assert slugs(second) == {"noel"}
    assert Topic.objects.get(slug="noel").name == "Noël"
    assert Topic.objects.count() == 2


def test_an_edit_changes_the_topics(cast: Cast) -> None:
    space = space_create(actor=cast.agent, name="Saison", visibility="public")
    post = post_create(actor=cast.agent, space=space, body="#accueil des groupes")

    post_edit(actor=cast.agent, post=post, body="#billetterie des groupes")

    assert slugs(post) == {"billetterie"}


def test_the_topic_page_lists_only_posts_the_reader_may_read(cast: Cast) -> None:
    public = space_create(actor=cast.agent, name="Saison", visibility="public")
    private = space_create(actor=cast.agent, name="RH", visibility="private")
    shown = post_create(actor=cast.agent, space=public, body="Le #planning est en ligne")
    hidden = post_create(actor=cast.agent, space=private, body="Le #planning secret")

    page = signed_in_client(cast.outsider).get(reverse("collab:topic-detail", args=["planning"]))
    api = client_of(cast.outsider).get("/api/v1/collab/topics/planning/posts").json()

    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-post="{shown.pk}"' in html
    assert f'data-post="{hidden.pk}"' not in html
    assert 'href="/collab/topics/planning/"' in html
    assert [item["id"] for item in api["items"]] == [shown.pk]
    assert api["items"][0]["topics"] == [{"slug": "planning", "name": "planning"}]


def test_a_topic_used_only_in_a_closed_space_does_not_exist_for_others(cast: Cast) -> None:
    private = space_create(actor=cast.agent, name="RH", visibility="private")
    post_create(actor=cast.agent, space=private, body="#restructuration")

    outsider_page = signed_in_client(cast.outsider).get("/collab/topics/restructuration/")
    outsider_api = client_of(cast.outsider).get("/api/v1/collab/topics/restructuration/posts")
    member_page = signed_in_client(cast.agent).get("/collab/topics/restructuration/")

    assert (outsider_page.status_code, outsider_api.status_code) == (404, 404)
    assert member_page.status_code == 200
    assert signed_in_client(cast.agent).get("/collab/topics/inconnu/").status_code == 404


def test_the_topic_pages_follow_a_cursor(cast: Cast) -> None:
    space = space_create(actor=cast.agent, name="Saison", visibility="public")
    ids = [post_create(actor=cast.agent, space=space, body=f"#noel {n}").pk for n in range(25)]
    alice = client_of(cast.agent)

    first = alice.get("/api/v1/collab/topics/noel/posts").json()
    second = alice.get(f"/api/v1/collab/topics/noel/posts?cursor={first['next_cursor']}").json()
    forged = alice.get("/api/v1/collab/topics/noel/posts?cursor=xyz")

    assert [item["id"] for item in first["items"] + second["items"]] == ids[::-1]
    assert second["next_cursor"] is None
    assert (forged.status_code, forged.json()["code"]) == (422, "invalid_cursor")
    page = signed_in_client(cast.agent).get(
        "/collab/topics/noel/", {"cursor": first["next_cursor"]}
    )
    assert page.content.decode().count('data-testid="post-item"') == 5


def _busy_topic(cast: Cast, posts: int) -> None:
    space = space_create(actor=cast.agent, name=f"Saison {posts}", visibility="public")
    for n in range(posts):
        post = post_create(
            actor=cast.agent, space=space, body=f"#noel #fete @bruno.petit @marketing {n}"
        )
        comment_create(actor=cast.colleague, post=post, body="Oui")
        reaction_add(actor=cast.colleague, post=post, kind="like")


@pytest.mark.parametrize("posts", [1, 6])
def test_the_topic_page_costs_the_same_whatever_its_size(
    cast: Cast, posts: int, django_assert_num_queries: Any
) -> None:
    _busy_topic(cast, posts)
    client: Client = signed_in_client(cast.outsider)
    client.get("/collab/topics/noel/")  # the session is warm, as in real use

    with django_assert_num_queries(TOPIC_PAGE_QUERIES):
        response = client.get("/collab/topics/noel/")

    assert response.content.decode().count('data-testid="post-item"') == posts
    assert "/collab/people/" in response.content.decode()
