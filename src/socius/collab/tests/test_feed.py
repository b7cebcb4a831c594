"""The feed: my spaces and what I follow, newest first, only what I may read; unread markers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from socius.accounts.models import User
from socius.accounts.services import token_create
from socius.collab.models import FeedMarker, Post, Space
from socius.collab.selectors_feed import feed_page
from socius.collab.services import post_create, space_create, space_member_add
from socius.collab.services.follows import FollowTarget, follow_create
from socius.conftest import Cast, make_employee, signed_in_client

pytestmark = pytest.mark.django_db


def api(user: Any) -> Client:
    secret = token_create(user=user, name="tests", scopes=["collab:read", "collab:write"]).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def space_of(owner: User, name: str, visibility: str = "public", *members: User) -> Space:
    space = space_create(actor=owner, name=name, visibility=visibility)
    for member in members:
        space_member_add(actor=owner, space=space, user=member)
    return space


def ids(user: User, cursor: str | None = None, size: int = 20) -> list[int]:
    return [item.post.pk for item in feed_page(user=user, cursor=cursor, size=size).items]


@pytest.fixture
def reader(cast: Cast) -> User:
    # In a department of their own: their department's space brings nobody else's posts.
    return make_employee("rita.reader@example.com", "Rita Lecteur", "juridique")


def test_it_shows_my_spaces_and_what_i_follow_newest_first(cast: Cast, reader: User) -> None:
    mine = space_of(cast.colleague, "Équipe", "private", reader)
    followed = space_of(cast.colleague, "Club photo")
    elsewhere = space_of(cast.outsider, "Ailleurs")
    topical = space_of(cast.outsider, "Noël")
    in_mine = post_create(actor=cast.colleague, space=mine, body="Réunion")
    in_followed = post_create(actor=cast.colleague, space=followed, body="Expo")
    by_followed = post_create(actor=cast.outsider, space=elsewhere, body="Nouveau rôle")
    not_followed = post_create(actor=cast.outsider, space=topical, body="Rien")
    with_topic = post_create(actor=cast.outsider, space=topical, body="Sapin #noel")
    follow_create(actor=reader, target=FollowTarget(space=followed))
    follow_create(actor=reader, target=FollowTarget(user=cast.outsider))
    from socius.collab.selectors_feed import topic_get_for_user

    follow_create(
        actor=reader, target=FollowTarget(topic=topic_get_for_user(user=reader, key="noel"))
    )
    follow_create(actor=reader, target=FollowTarget(user=cast.colleague))  # twins removed

    assert ids(reader) == [
        with_topic.pk,
        not_followed.pk,  # the outsider is followed: all their readable posts come
        by_followed.pk,
        in_followed.pk,
        in_mine.pk,
    ]


@pytest.mark.parametrize("visibility", ["private", "secret"])
def test_a_closed_spaces_post_never_reaches_a_non_member(
    cast: Cast, reader: User, visibility: str
) -> None:
    closed = space_of(cast.colleague, "Fusion", visibility)
    hidden = post_create(actor=cast.colleague, space=closed, body="Confidentiel #noel")
    public = space_of(cast.colleague, "Parc")
    shown = post_create(actor=cast.colleague, space=public, body="Bonjour #noel")
    follow_create(actor=reader, target=FollowTarget(user=cast.colleague))
    from socius.collab.selectors_feed import topic_get_for_user

    follow_create(
        actor=reader, target=FollowTarget(topic=topic_get_for_user(user=reader, key="noel"))
    )

    assert ids(reader) == [shown.pk]
    body = api(reader).get("/api/v1/collab/feed").json()
    assert [item["id"] for item in body["items"]] == [shown.pk]
    page = signed_in_client(reader).get("/collab/feed/").content.decode()
    assert "Confidentiel" not in page
    assert f'data-post="{hidden.pk}"' not in page


def test_a_followed_space_left_brings_nothing_more(cast: Cast, reader: User) -> None:
    private = space_of(cast.colleague, "Budget", "private", reader)
    post_create(actor=cast.colleague, space=private, body="Chiffres")
    follow_create(actor=reader, target=FollowTarget(space=private))
    assert len(ids(reader)) == 1

    private.memberships.filter(user=reader).delete()

    assert ids(reader) == []


def test_it_pages_with_a_cursor_without_gaps_or_twins(cast: Cast, reader: User) -> None:
    spaces = [space_of(cast.colleague, f"Espace {n}", "public", reader) for n in range(3)]
    written = [
        post_create(actor=cast.colleague, space=spaces[n % 3], body=f"Post {n}").pk
        for n in range(11)
    ]

    first = feed_page(user=reader, cursor=None, size=4)
    second = feed_page(user=reader, cursor=first.next_cursor, size=4)
    third = feed_page(user=reader, cursor=second.next_cursor, size=4)

    seen = [item.post.pk for page in (first, second, third) for item in page.items]
    assert seen == sorted(written, reverse=True)
    assert third.next_cursor is None


def test_a_forged_cursor_is_refused(cast: Cast, reader: User) -> None:
    response = api(reader).get("/api/v1/collab/feed?cursor=not-a-cursor")
    assert (response.status_code, response.json()["code"]) == (422, "invalid_cursor")


def test_the_number_of_queries_does_not_grow_with_posts_or_sources(
    cast: Cast, reader: User, django_assert_num_queries: Any
) -> None:
    spaces = [space_of(cast.colleague, f"Espace {n}", "public", reader) for n in range(3)]
    for n in range(6):
        post_create(actor=cast.colleague, space=spaces[n % 3], body=f"Post {n}")
    follow_create(actor=reader, target=FollowTarget(user=cast.outsider))
    client = api(reader)
    client.get("/api/v1/collab/feed")  # the token's first use is recorded once
    # token (1), sources (2), ids (1), posts with spaces and authors (1), their topics and
    # mentions (2), marker (1)
    with django_assert_num_queries(8):
        small = client.get("/api/v1/collab/feed").json()
    more_spaces = [space_of(cast.outsider, f"Autre {n}", "public", reader) for n in range(4)]
    for n in range(30):
        post_create(actor=cast.outsider, space=more_spaces[n % 4], body=f"Encore {n}")
    follow_create(actor=reader, target=FollowTarget(user=cast.agent))
    with django_assert_num_queries(8):
        large = client.get(f"/api/v1/collab/feed?cursor={small['next_cursor'] or ''}").json()
    assert len(small["items"]) == 6
    assert len(large["items"]) == 20


def test_newer_posts_are_unread_until_the_feed_page_is_opened(cast: Cast, reader: User) -> None:
    space = space_of(cast.colleague, "Équipe", "public", reader)
    old = post_create(actor=cast.colleague, space=space, body="Ancien")
    client = signed_in_client(reader)

    first_visit = client.get("/collab/feed/").content.decode()
    new = post_create(actor=cast.colleague, space=space, body="Nouveau")
    own = post_create(actor=reader, space=space, body="Le mien")
    second_visit = client.get("/collab/feed/").content.decode()
    third_visit = client.get("/collab/feed/").content.decode()

    assert f'data-post="{old.pk}" data-unread="true"' in first_visit
    assert f'data-post="{new.pk}" data-unread="true"' in second_visit
    assert f'data-post="{old.pk}" data-unread="false"' in second_visit
    assert f'data-post="{own.pk}" data-unread="false"' in second_visit  # one's own post
    assert 'data-unread="true"' not in third_visit
    assert FeedMarker.objects.get(user=reader).seen_post_id == own.pk


def test_load_more_keeps_the_marker_the_page_opened_with(cast: Cast, reader: User) -> None:
    space = space_of(cast.colleague, "Équipe", "public", reader)
    posts = [post_create(actor=cast.colleague, space=space, body=f"P{n}") for n in range(25)]
    client = signed_in_client(reader)

    page = client.get("/collab/feed/").content.decode()
    more_url = page.split('data-testid="feed-more"')[0].rsplit('hx-get="', 1)[1].split('"')[0]
    more = client.get(more_url.replace("&amp;", "&"), HTTP_HX_REQUEST="true").content.decode()

    assert f'data-post="{posts[4].pk}" data-unread="true"' in more
    assert more.count('data-testid="feed-item"') == 5
    assert "<html" not in more


def test_the_api_reports_unread_and_marks_seen(cast: Cast, reader: User) -> None:
    space = space_of(cast.colleague, "Équipe", "public", reader)
    first = post_create(actor=cast.colleague, space=space, body="Un")
    second = post_create(actor=cast.colleague, space=space, body="Deux")
    client = api(reader)

    before = client.get("/api/v1/collab/feed").json()
    seen = client.post(
        "/api/v1/collab/feed/seen",
        json.dumps({"post_id": first.pk}),
        content_type="application/json",
    )
    after = client.get("/api/v1/collab/feed").json()
    client.post(
        "/api/v1/collab/feed/seen",
        json.dumps({"post_id": second.pk}),
        content_type="application/json",
    )
    backwards = client.post(
        "/api/v1/collab/feed/seen",
        json.dumps({"post_id": first.pk}),
        content_type="application/json",
    )

    assert [(i["id"], i["unread"]) for i in before["items"]] == [
        (second.pk, True),
        (first.pk, True),
    ]
    assert seen.json() == {"seen_post_id": first.pk}
    assert [(i["id"], i["unread"]) for i in after["items"]] == [
        (second.pk, True),
        (first.pk, False),
    ]
    assert backwards.json() == {"seen_post_id": second.pk}  # a marker never moves back
    assert FeedMarker.objects.get(user=reader).seen_post_id == second.pk


def test_marking_a_post_one_may_not_read_is_not_found(cast: Cast, reader: User) -> None:
    secret = space_of(cast.colleague, "Fusion", "secret")
    hidden = post_create(actor=cast.colleague, space=secret, body="Chut")

    response = api(reader).post(
        "/api/v1/collab/feed/seen",
        json.dumps({"post_id": hidden.pk}),
        content_type="application/json",
    )

    assert response.status_code == 404
    assert not FeedMarker.objects.filter(user=reader).exists()


def test_an_empty_feed_says_so(reader: User) -> None:
    page = signed_in_client(reader).get("/collab/feed/")
    assert page.status_code == 200
    assert 'data-testid="feed-empty"' in page.content.decode()
    assert not Post.objects.exists()


def test_the_feed_page_costs_the_same_queries_whatever_the_data(
    cast: Cast, reader: User, django_assert_num_queries: Any
) -> None:
    space = space_of(cast.colleague, "Équipe", "public", reader)
    post_create(actor=cast.colleague, space=space, body="Un")
    follow_create(actor=reader, target=FollowTarget(person=cast.customer))
    client = signed_in_client(reader)
    client.get("/collab/feed/")  # the marker exists from now on
    post_create(actor=cast.colleague, space=space, body="Deux")
    # session and user (2), sources (2), ids (1), posts (1) with topics and mentions (2),
    # marker (1), follows (1),
    # followed customers (1) and their entries (2), marker moved (2 in a savepoint)
    with django_assert_num_queries(17):
        client.get("/collab/feed/")
    others = [space_of(cast.outsider, f"Autre {n}", "public", reader) for n in range(3)]
    for n in range(30):
        post_create(actor=cast.outsider, space=others[n % 3], body=f"Encore {n}")
    follow_create(actor=reader, target=FollowTarget(person=cast.friend))
    follow_create(actor=reader, target=FollowTarget(user=cast.agent))
    with django_assert_num_queries(17):
        page = client.get("/collab/feed/").content.decode()
    assert page.count('data-testid="feed-item"') == 20
