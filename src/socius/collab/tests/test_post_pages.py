"""The post page, the new-post page, pinned posts and a post in a list."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from socius.collab.models import Post, Space
from socius.collab.selectors_posts import space_posts
from socius.collab.services import comment_create, post_create, space_create, space_member_add
from socius.collab.services.posts import post_edit, post_pin
from socius.collab.services.reactions import reaction_add
from socius.conftest import Cast, make_employee, signed_in_client
from socius.core.models import Activity

from .test_spaces_api import client_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def space(cast: Cast) -> Space:
    space = space_create(actor=cast.agent, name="Saison", visibility="public")
    space_member_add(actor=cast.colleague, space=space, user=cast.colleague)
    return space


def _busy_post(cast: Cast, space: Space, size: int) -> Post:
    post = post_create(
        actor=cast.agent,
        space=space,
        body="Question #noel pour @bruno.petit et @marketing",
        kind="announcement",
    )
    for n in range(size):
        someone = make_employee(f"c{size}x{n}@example.com", f"C {n}", "marketing")
        comment = comment_create(actor=someone, post=post, body=f"Avis @bruno.petit {n}")
        comment_create(actor=cast.agent, post=post, body="Merci", parent=comment)
        reaction_add(actor=someone, post=post, kind="like")
        reaction_add(actor=cast.agent, post=post, kind="celebrate", comment=comment)
        post_edit(actor=cast.agent, post=post, body=f"Question #noel @marketing v{n}")
    return post


# Session, user, post, membership, mentions, reactions, comments, topics, revisions,
# own confirmation, the statistics' confirmations and members; attachments; thread mute.
POST_PAGE_QUERIES = 14


@pytest.mark.parametrize("size", [1, 5])
def test_the_post_page_costs_the_same_whatever_it_carries(
    cast: Cast, space: Space, size: int, django_assert_num_queries: Any
) -> None:
    post = _busy_post(cast, space, size)
    alice = signed_in_client(cast.agent)
    url = reverse("collab:post-detail", args=[post.pk])
    alice.get(url)

    with django_assert_num_queries(POST_PAGE_QUERIES):
        response = alice.get(url)

    html = response.content.decode()
    assert html.count('data-testid="comment-reactions"') == 2 * size
    assert f'<span data-testid="reaction-count-like">{size}</span>' in html


def test_the_new_post_page_writes_a_question(cast: Cast, space: Space) -> None:
    bruno = signed_in_client(cast.colleague)
    url = reverse("collab:post-create", args=[space.pk])

    form = bruno.get(url)
    written = bruno.post(url, {"kind": "question", "body": "Où est la salle B ?"})
    refused = bruno.post(url, {"kind": "announcement", "body": "Annonce"})

    assert form.status_code == 200
    assert 'name="kind"' in form.content.decode()
    post = Post.objects.get()
    assert written.status_code == 302
    assert (post.kind, post.author) == ("question", cast.colleague)
    assert refused.status_code == 200
    assert "Annonce" in refused.content.decode()
    assert Post.objects.count() == 1


def test_owners_pin_and_pinned_posts_come_first(cast: Cast, space: Space) -> None:
    older = post_create(actor=cast.agent, space=space, body="Ancien")
    newer = post_create(actor=cast.colleague, space=space, body="Récent")

    refused = client_of(cast.colleague).post(f"/api/v1/collab/posts/{older.pk}/pin")
    pinned = client_of(cast.agent).post(f"/api/v1/collab/posts/{older.pk}/pin")

    assert (refused.status_code, refused.json()["code"]) == (403, "not_a_space_owner")
    assert pinned.json()["pinned_at"] is not None
    assert [p.pk for p in space_posts(space=space, limit=10).items] == [older.pk, newer.pk]
    signed_in_client(cast.agent).post(reverse("collab:post-pin", args=[older.pk]))
    assert [p.pk for p in space_posts(space=space, limit=10).items] == [newer.pk, older.pk]
    assert (
        Activity.objects.filter(verb__in=["collab.post_pinned", "collab.post_unpinned"]).count()
        == 2
    )


def test_space_posts_pages_by_id_below_the_pinned_ones(
    cast: Cast, space: Space, django_assert_num_queries: Any
) -> None:
    ids = [
        post_create(actor=cast.agent, space=space, body=f"#n {n} @bruno.petit").pk for n in range(5)
    ]
    post_pin(actor=cast.agent, post=Post.objects.get(pk=ids[1]))

    with django_assert_num_queries(4):  # pinned, others, their topics, their mentions
        first = space_posts(space=space, limit=2)
    second = space_posts(space=space, before=first.next_before, limit=2)

    assert [p.pk for p in first.items] == [ids[1], ids[4], ids[3]]
    assert [p.pk for p in second.items] == [ids[2], ids[0]]
    assert second.next_before is None


def test_a_post_in_a_list_shows_its_marks(cast: Cast, space: Space) -> None:
    post = post_create(
        actor=cast.agent, space=space, body="Voir #noel avec @bruno.petit", kind="question"
    )
    post_pin(actor=cast.agent, post=post)
    comment_create(actor=cast.colleague, post=post, body="Oui")
    reaction_add(actor=cast.colleague, post=post, kind="like")
    item = space_posts(space=space, limit=5).items[0]
    request = RequestFactory().get("/")
    request.user = cast.agent

    html = render_to_string(
        "collab/includes/post_item.html", {"post": item, "unread": True}, request=request
    )

    assert 'data-testid="post-unread"' in html
    assert 'data-testid="post-pinned"' in html
    assert 'data-kind="question"' in html
    assert 'href="/collab/topics/noel/"' in html
    assert f'href="/collab/people/{cast.colleague.pk}/"' in html
    assert '<span data-testid="post-comment-count">1 ' in html
    assert '<span data-testid="post-reaction-count">1 ' in html
    quiet = render_to_string("collab/includes/post_item.html", {"post": item}, request=request)
    assert 'data-testid="post-unread"' not in quiet


def test_comments_and_replies_notify_the_authors(cast: Cast, space: Space) -> None:
    post = post_create(actor=cast.agent, space=space, body="Planning")
    alice: Client = client_of(cast.agent)

    comment = comment_create(actor=cast.colleague, post=post, body="Super")
    alice.post(
        f"/api/v1/collab/posts/{post.pk}/comments",
        json.dumps({"body": "Merci", "parent": comment.pk}),
        content_type="application/json",
    )
    comment_create(actor=cast.outsider, post=post, body="Moi aussi", parent=comment)

    from socius.collab.models import Notification

    rows = {(n.recipient_id, n.kind, n.thread, n.event_count) for n in Notification.objects.all()}
    assert rows == {
        (cast.agent.pk, "comment", f"post:{post.pk}", 2),
        (cast.colleague.pk, "reply", f"post:{post.pk}", 2),
    }
    post.refresh_from_db()
    assert post.comment_count == 3


def test_a_former_member_of_a_private_space_is_not_told(cast: Cast) -> None:
    from socius.collab.models import Membership, Notification

    private = space_create(actor=cast.agent, name="RH", visibility="private")
    space_member_add(actor=cast.agent, space=private, user=cast.colleague)
    post = post_create(actor=cast.colleague, space=private, body="Mon idée")
    Membership.objects.filter(space=private, user=cast.colleague).delete()

    comment_create(actor=cast.agent, post=post, body="Bonne idée")

    assert not Notification.objects.exists()


def test_publishing_tells_the_live_and_follow_machinery(
    cast: Cast, space: Space, monkeypatch: Any
) -> None:
    seen: list[object] = []
    monkeypatch.setattr("socius.collab.events.post_published", seen.append)
    monkeypatch.setattr("socius.collab.events.comment_published", seen.append)

    post = post_create(actor=cast.agent, space=space, body="Planning")
    comment = comment_create(actor=cast.colleague, post=post, body="Super")

    assert seen == [post, comment]
