"""Spaces, members, posts and comments through the API; what a non-member never sees."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from socius.accounts.services import token_create
from socius.collab.models import Comment, Membership, Post, Space
from socius.conftest import Cast
from socius.core.models import Activity

pytestmark = pytest.mark.django_db


def client_of(user: Any) -> Client:
    secret = token_create(user=user, name="tests", scopes=["collab:read", "collab:write"]).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/collab{url}", json.dumps(data), content_type="application/json")


@pytest.fixture
def alice(cast: Cast) -> Client:
    return client_of(cast.agent)


@pytest.fixture
def bruno(cast: Cast) -> Client:
    return client_of(cast.colleague)


def space(client: Client, visibility: str, name: str = "Projet Lumières") -> int:
    response = post(client, "/spaces", {"name": name, "visibility": visibility, "goal": "Noël"})
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def test_a_space_is_created_with_its_creator_as_owner(alice: Client, cast: Cast) -> None:
    response = post(alice, "/spaces", {"name": "Accueil des groupes", "visibility": "private"})

    assert response.status_code == 201
    body = response.json()
    assert (body["slug"], body["visibility"]) == ("accueil-des-groupes", "private")
    membership = Membership.objects.get(space_id=body["id"])
    assert (membership.user, membership.role) == (cast.agent, "owner")
    created = Activity.objects.get(verb="collab.space_created")
    assert created.department_id == cast.agent.department_id


def test_members_post_and_colleagues_comment_and_reply(
    alice: Client, bruno: Client, cast: Cast
) -> None:
    space_id = space(alice, "public")
    written = post(alice, f"/spaces/{space_id}/posts", {"body": "**Bonjour** <script>x()</script>"})
    assert written.status_code == 201
    post_id = written.json()["id"]
    assert "<strong>Bonjour</strong>" in written.json()["body_html"]
    assert "<script>" not in written.json()["body_html"]

    comment = post(bruno, f"/posts/{post_id}/comments", {"body": "Merci !"})
    reply = post(
        alice,
        f"/posts/{post_id}/comments",
        {"body": "Avec plaisir", "parent": comment.json()["id"]},
    )
    deeper = post(bruno, f"/posts/{post_id}/comments", {"body": "…", "parent": reply.json()["id"]})

    assert (comment.status_code, reply.status_code) == (201, 201)
    assert deeper.status_code == 422
    assert deeper.json()["details"]["reason"] == "replies_take_no_replies"
    read = bruno.get(f"/api/v1/collab/posts/{post_id}").json()
    assert [c["body"] for c in read["comments"]] == ["Merci !", "Avec plaisir"]
    assert Activity.objects.filter(verb="collab.comment_created").count() == 2


def test_only_members_post(alice: Client, bruno: Client) -> None:
    space_id = space(alice, "public")

    refused = post(bruno, f"/spaces/{space_id}/posts", {"body": "Hello"})
    joined = post(bruno, f"/spaces/{space_id}/members", {"user": "bruno.petit@example.com"})
    accepted = post(bruno, f"/spaces/{space_id}/posts", {"body": "Hello"})

    assert refused.status_code == 403
    assert refused.json()["code"] == "not_a_space_member"
    assert (joined.status_code, accepted.status_code) == (201, 201)


@pytest.mark.parametrize("visibility", ["private", "secret"])
def test_a_non_member_finds_no_trace_of_a_closed_spaces_post(
    alice: Client, bruno: Client, visibility: str
) -> None:
    space_id = space(alice, visibility)
    post_id = post(alice, f"/spaces/{space_id}/posts", {"body": "Budget confidentiel"}).json()["id"]
    before = (Post.objects.count(), Comment.objects.count(), Membership.objects.count())

    assert bruno.get(f"/api/v1/collab/posts/{post_id}").status_code == 404
    assert bruno.get(f"/api/v1/collab/posts/{post_id + 1000}").status_code == 404
    assert post(bruno, f"/posts/{post_id}/comments", {"body": "?"}).status_code == 404
    self_join = post(bruno, f"/spaces/{space_id}/members", {"user": "bruno.petit@example.com"})
    assert self_join.status_code == (404 if visibility == "secret" else 403)
    posting = post(bruno, f"/spaces/{space_id}/posts", {"body": "?"})
    assert posting.status_code == (404 if visibility == "secret" else 403)
    assert (Post.objects.count(), Comment.objects.count(), Membership.objects.count()) == before
    assert not Activity.objects.filter(summary__icontains="confidentiel").exists()


def test_an_owner_adds_a_colleague_who_then_reads(alice: Client, bruno: Client) -> None:
    space_id = space(alice, "secret")
    post_id = post(alice, f"/spaces/{space_id}/posts", {"body": "Bienvenue"}).json()["id"]

    added = post(alice, f"/spaces/{space_id}/members", {"user": "bruno.petit@example.com"})
    again = post(alice, f"/spaces/{space_id}/members", {"user": "bruno.petit@example.com"})

    assert (added.status_code, added.json()["role"]) == (201, "member")
    assert again.status_code == 201
    assert Membership.objects.filter(space_id=space_id).count() == 2
    assert bruno.get(f"/api/v1/collab/posts/{post_id}").status_code == 200
    unknown = post(alice, f"/spaces/{space_id}/members", {"user": "nobody@example.com"})
    assert unknown.status_code == 422


def test_an_archived_space_is_read_not_changed(alice: Client) -> None:
    space_id = space(alice, "public")
    post_id = post(alice, f"/spaces/{space_id}/posts", {"body": "Avant"}).json()["id"]
    Space.objects.filter(pk=space_id).update(archived_at="2026-11-01T00:00:00Z")

    assert alice.get(f"/api/v1/collab/posts/{post_id}").status_code == 200
    refused = post(alice, f"/spaces/{space_id}/posts", {"body": "Après"})
    assert (refused.status_code, refused.json()["code"]) == (403, "space_archived")


def test_bad_input_is_refused_and_writes_nothing(alice: Client) -> None:
    assert post(alice, "/spaces", {"name": "", "visibility": "public"}).status_code == 422
    assert post(alice, "/spaces", {"name": "X", "visibility": "hidden"}).status_code == 422
    space_id = space(alice, "public")
    assert post(alice, f"/spaces/{space_id}/posts", {"body": ""}).status_code == 422
    assert Space.objects.filter(department__isnull=True).count() == 1  # departments' aside
    assert not Post.objects.exists()


def test_reading_needs_the_read_scope(cast: Cast, alice: Client) -> None:
    space_id = space(alice, "public")
    post_id = post(alice, f"/spaces/{space_id}/posts", {"body": "Bonjour"}).json()["id"]
    secret = token_create(user=cast.colleague, name="x", scopes=["people:read"]).secret
    other = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert other.get(f"/api/v1/collab/posts/{post_id}").status_code == 403
