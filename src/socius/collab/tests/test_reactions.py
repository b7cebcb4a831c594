"""Reactions on posts and comments: toggled, counted per kind, one notification per post."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from socius.collab.models import Notification, Post, Reaction
from socius.collab.services import comment_create, post_create, space_create
from socius.collab.services.reactions import reaction_add, reaction_toggle
from socius.conftest import Cast, make_employee, signed_in_client
from socius.core.models import Activity

from .test_spaces_api import client_of

pytestmark = pytest.mark.django_db


def call(client: Client, method: str, url: str, data: dict[str, Any]) -> Any:
    return getattr(client, method)(
        f"/api/v1/collab{url}", json.dumps(data), content_type="application/json"
    )


@pytest.fixture
def post(cast: Cast) -> Post:
    space = space_create(actor=cast.agent, name="Saison", visibility="public")
    return post_create(actor=cast.agent, space=space, body="Le planning est prêt")


def test_reacting_again_takes_the_reaction_back(cast: Cast, post: Post) -> None:
    assert reaction_toggle(actor=cast.colleague, post=post, kind="like") is True
    assert reaction_toggle(actor=cast.colleague, post=post, kind="celebrate") is True
    post.refresh_from_db()
    assert post.reaction_count == 2

    assert reaction_toggle(actor=cast.colleague, post=post, kind="like") is False
    post.refresh_from_db()
    assert post.reaction_count == 1
    assert list(Reaction.objects.values_list("kind", flat=True)) == ["celebrate"]
    assert Activity.objects.filter(verb="collab.reaction_added").count() == 2
    assert Activity.objects.filter(verb="collab.reaction_removed").count() == 1


def test_the_api_adds_and_removes_idempotently(cast: Cast, post: Post) -> None:
    bruno = client_of(cast.colleague)
    url = f"/posts/{post.pk}/reactions"

    added = call(bruno, "post", url, {"kind": "insightful"})
    again = call(bruno, "post", url, {"kind": "insightful"})
    read = bruno.get(f"/api/v1/collab/posts/{post.pk}").json()
    removed = call(bruno, "delete", url, {"kind": "insightful"})
    gone = call(bruno, "delete", url, {"kind": "insightful"})

    assert (added.json()["reacted"], added.json()["changed"]) == (True, True)
    assert again.json()["changed"] is False
    assert read["reactions"] == {
        "like": 0,
        "celebrate": 0,
        "support": 0,
        "insightful": 1,
        "curious": 0,
    }
    assert read["reaction_count"] == 1
    assert (removed.json()["reacted"], removed.json()["changed"]) == (False, True)
    assert gone.json()["changed"] is False
    post.refresh_from_db()
    assert post.reaction_count == 0
    assert call(bruno, "post", url, {"kind": "angry"}).status_code == 422


def test_a_comment_takes_reactions_without_counting_on_the_post(cast: Cast, post: Post) -> None:
    comment = comment_create(actor=cast.colleague, post=post, body="Merci")

    response = call(
        client_of(cast.agent), "post", f"/posts/{post.pk}/reactions", {"comment": comment.pk}
    )

    assert (response.status_code, response.json()["comment_id"]) == (200, comment.pk)
    reaction = Reaction.objects.get()
    assert (reaction.comment_id, reaction.kind) == (comment.pk, "like")
    post.refresh_from_db()
    assert post.reaction_count == 0
    notice = Notification.objects.get(kind="reaction")
    assert (notice.recipient, notice.thread) == (cast.colleague, f"post:{post.pk}")


def test_a_comment_of_another_post_is_not_found(cast: Cast, post: Post) -> None:
    other = post_create(actor=cast.agent, space=post.space, body="Autre")
    comment = comment_create(actor=cast.agent, post=other, body="Ailleurs")

    response = call(
        client_of(cast.colleague), "post", f"/posts/{post.pk}/reactions", {"comment": comment.pk}
    )

    assert response.status_code == 404
    assert not Reaction.objects.exists()


def test_ten_reactions_make_one_notification_for_the_author(cast: Cast, post: Post) -> None:
    colleagues = [
        make_employee(f"collegue{n}@example.com", f"Collègue {n}", "marketing") for n in range(10)
    ]
    for colleague in colleagues:
        reaction_add(actor=colleague, post=post, kind="like")
    reaction_add(actor=cast.agent, post=post, kind="like")  # one's own reaction tells nobody

    notice = Notification.objects.get()
    assert (notice.recipient, notice.kind, notice.thread) == (
        cast.agent,
        "reaction",
        f"post:{post.pk}",
    )
    assert notice.event_count == 10


def test_a_non_member_cannot_react_in_a_private_space(cast: Cast) -> None:
    space = space_create(actor=cast.agent, name="RH", visibility="private")
    hidden = post_create(actor=cast.agent, space=space, body="Salaires")

    response = call(
        client_of(cast.outsider), "post", f"/posts/{hidden.pk}/reactions", {"kind": "like"}
    )
    page = signed_in_client(cast.outsider).post(
        reverse("collab:post-react", args=[hidden.pk]), {"kind": "like"}
    )

    assert (response.status_code, page.status_code) == (404, 404)
    assert not Reaction.objects.exists()
    assert not Notification.objects.exists()


def test_the_post_page_toggles_and_counts_per_kind(cast: Cast, post: Post) -> None:
    bruno = signed_in_client(cast.colleague)
    react = reverse("collab:post-react", args=[post.pk])

    bruno.post(react, {"kind": "support"})
    signed_in_client(cast.outsider).post(react, {"kind": "support"})
    page = bruno.get(reverse("collab:post-detail", args=[post.pk])).content.decode()

    assert '<span data-testid="reaction-count-support">2</span>' in page
    assert '<span data-testid="reaction-count-like">0</span>' in page
    bruno.post(react, {"kind": "support"})
    page = bruno.get(reverse("collab:post-detail", args=[post.pk])).content.decode()
    assert '<span data-testid="reaction-count-support">1</span>' in page


def test_the_reaction_form_needs_a_csrf_token(cast: Cast, post: Post) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.colleague)

    response = client.post(reverse("collab:post-react", args=[post.pk]), {"kind": "like"})

    assert response.status_code == 403
    assert not Reaction.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_reactions_at_the_same_moment_keep_the_count_exact(cast: Cast) -> None:
    space = space_create(actor=cast.agent, name="Saison", visibility="public")
    post = post_create(actor=cast.agent, space=space, body="Le planning")
    # The same colleague twice (a double click), and others at once.
    actors = [cast.colleague, cast.colleague, cast.outsider, cast.admin] + [
        make_employee(f"vite{n}@example.com", f"Vite {n}", "marketing") for n in range(4)
    ]
    barrier = threading.Barrier(len(actors))
    errors: list[BaseException] = []

    def react(actor: Any) -> None:
        try:
            barrier.wait()
            reaction_add(actor=actor, post=post, kind="like")
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=react, args=(actor,)) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    post.refresh_from_db()
    assert Reaction.objects.filter(post=post).count() == 7
    assert post.reaction_count == 7
    notice = Notification.objects.get(recipient=cast.agent, kind="reaction")
    assert notice.event_count == 7
