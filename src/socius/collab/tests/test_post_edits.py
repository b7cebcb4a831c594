"""Editing posts and comments: only their author, the history kept and shown."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from socius.collab.models import Comment, Post, PostRevision
from socius.collab.services import comment_create, post_create, space_create, space_member_add
from socius.conftest import Cast, signed_in_client
from socius.core.models import Activity

from .test_spaces_api import client_of

pytestmark = pytest.mark.django_db


def patch(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.patch(f"/api/v1/collab{url}", json.dumps(data), content_type="application/json")


@pytest.fixture
def written(cast: Cast) -> Post:
    space = space_create(actor=cast.agent, name="Saison", visibility="public")
    space_member_add(actor=cast.colleague, space=space, user=cast.colleague)
    return post_create(actor=cast.colleague, space=space, body="Première version")


def test_the_author_edits_a_post_and_the_old_text_is_kept(cast: Cast, written: Post) -> None:
    bruno = client_of(cast.colleague)

    first = patch(bruno, f"/posts/{written.pk}", {"body": "Deuxième version"})
    second = patch(bruno, f"/posts/{written.pk}", {"body": "Troisième version"})

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["body"] == "Troisième version"
    assert second.json()["edited_at"] is not None
    history = bruno.get(f"/api/v1/collab/posts/{written.pk}/revisions").json()
    assert [revision["body"] for revision in history] == ["Première version", "Deuxième version"]
    assert {revision["edited_by"] for revision in history} == {"Bruno Petit"}
    assert Activity.objects.filter(verb="collab.post_edited").count() == 2


def test_an_unchanged_text_makes_no_revision(cast: Cast, written: Post) -> None:
    response = patch(
        client_of(cast.colleague), f"/posts/{written.pk}", {"body": "Première version"}
    )

    assert response.status_code == 200
    assert response.json()["edited_at"] is None
    assert not PostRevision.objects.exists()


def test_a_space_owner_may_not_rewrite_a_members_post(cast: Cast, written: Post) -> None:
    refused = patch(client_of(cast.agent), f"/posts/{written.pk}", {"body": "Censuré"})

    assert (refused.status_code, refused.json()["code"]) == (403, "not_the_author")
    written.refresh_from_db()
    assert (written.body, written.edited_at) == ("Première version", None)
    assert not PostRevision.objects.exists()
    assert not Activity.objects.filter(verb="collab.post_edited").exists()


def test_an_empty_edit_is_refused_and_loses_nothing(cast: Cast, written: Post) -> None:
    refused = patch(client_of(cast.colleague), f"/posts/{written.pk}", {"body": "  "})

    assert refused.status_code == 422
    written.refresh_from_db()
    assert written.body == "Première version"


def test_a_non_reader_cannot_edit_or_see_the_history(cast: Cast) -> None:
    space = space_create(actor=cast.agent, name="RH", visibility="private")
    post = post_create(actor=cast.agent, space=space, body="Confidentiel")
    chloe = client_of(cast.outsider)

    assert patch(chloe, f"/posts/{post.pk}", {"body": "x"}).status_code == 404
    assert chloe.get(f"/api/v1/collab/posts/{post.pk}/revisions").status_code == 404
    post.refresh_from_db()
    assert post.body == "Confidentiel"


def test_the_author_edits_a_comment_which_shows_as_edited(cast: Cast, written: Post) -> None:
    comment = comment_create(actor=cast.outsider, post=written, body="Bravo")

    refused = patch(client_of(cast.colleague), f"/comments/{comment.pk}", {"body": "Nul"})
    edited = patch(client_of(cast.outsider), f"/comments/{comment.pk}", {"body": "Bravo à tous"})

    assert (refused.status_code, refused.json()["code"]) == (403, "not_the_author")
    assert edited.status_code == 200
    assert (edited.json()["body"], edited.json()["edited_at"] is not None) == ("Bravo à tous", True)
    assert Comment.objects.get().body == "Bravo à tous"
    assert Activity.objects.filter(verb="collab.comment_edited").count() == 1


def test_the_edit_pages_save_and_the_history_shows_on_the_post(cast: Cast, written: Post) -> None:
    comment = comment_create(actor=cast.colleague, post=written, body="Un détail")
    bruno = signed_in_client(cast.colleague)

    form = bruno.get(reverse("collab:post-edit", args=[written.pk]))
    saved = bruno.post(reverse("collab:post-edit", args=[written.pk]), {"body": "Version **2**"})
    bruno.post(reverse("collab:comment-edit", args=[comment.pk]), {"body": "Un autre détail"})
    page = bruno.get(reverse("collab:post-detail", args=[written.pk])).content.decode()

    assert form.status_code == 200
    assert "Première version" in form.content.decode()
    assert saved.status_code == 302
    assert "Version <strong>2</strong>" in page
    assert 'data-testid="post-revisions"' in page
    assert "Première version" in page
    assert 'data-testid="post-edited"' in page
    assert 'data-testid="comment-edited"' in page
    assert Comment.objects.get().body == "Un autre détail"


def test_the_edit_page_refuses_another_author_and_keeps_the_text(cast: Cast, written: Post) -> None:
    alice = signed_in_client(cast.agent)

    response = alice.post(reverse("collab:post-edit", args=[written.pk]), {"body": "Autre"})

    assert response.status_code == 200
    assert "Autre" in response.content.decode()  # the attempt is shown back, not lost
    written.refresh_from_db()
    assert written.body == "Première version"


def test_an_archived_space_keeps_its_posts_as_they_are(cast: Cast, written: Post) -> None:
    from socius.collab.models import Reaction, Space

    Space.objects.filter(pk=written.space_id).update(archived_at="2026-11-01T00:00:00Z")
    bruno = client_of(cast.colleague)

    edit = patch(bruno, f"/posts/{written.pk}", {"body": "Trop tard"})
    react = bruno.post(
        f"/api/v1/collab/posts/{written.pk}/reactions",
        json.dumps({"kind": "like"}),
        content_type="application/json",
    )

    assert (edit.status_code, edit.json()["code"]) == (403, "space_archived")
    assert (react.status_code, react.json()["code"]) == (403, "space_archived")
    written.refresh_from_db()
    assert written.body == "Première version"
    assert not Reaction.objects.exists()
