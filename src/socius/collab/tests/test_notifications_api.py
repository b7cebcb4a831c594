"""Notifications through the API: the list, reading, email choices and muting."""

from __future__ import annotations

from typing import Any

import pytest

from socius.collab.models import Notification, NotificationPreference, ThreadMute
from socius.collab.tests.notifying import (
    api,
    api_client,
    colleagues,
    post_in,
    react,
    space_with,
)
from socius.conftest import Cast

pytestmark = pytest.mark.django_db


def test_it_lists_notifications_newest_first_with_a_cursor(cast: Cast) -> None:
    space = space_with(cast.agent)
    posts = [post_in(space, cast.agent, f"Sujet {n}") for n in range(3)]
    for post in posts:
        react(post, colleagues(2, prefix=f"p{post.pk}-"))
    client = api_client(cast.agent)

    first = client.get("/api/v1/collab/notifications", {"size": 2}).json()
    second = client.get(
        "/api/v1/collab/notifications", {"size": 2, "cursor": first["next_cursor"]}
    ).json()

    items = first["items"] + second["items"]
    assert [item["post_id"] for item in items] == [p.pk for p in reversed(posts)]
    assert second["next_cursor"] is None
    assert first["unread_count"] == 3
    item = items[0]
    assert (item["kind"], item["thread"], item["event_count"], item["unread"]) == (
        "reaction",
        f"post:{posts[2].pk}",
        2,
        True,
    )
    assert item["summary"] == "Sujet 2"
    assert item["url"].endswith(f"/collab/posts/{posts[2].pk}/")
    assert item["url"].startswith("http")


def test_the_list_costs_the_same_queries_whatever_the_number_of_rows(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    space = space_with(cast.agent)
    client = api_client(cast.agent)
    actors = colleagues(2)
    client.get("/api/v1/collab/notifications")  # records the token's use (once a minute)

    def count_queries(posts: int) -> None:
        for _ in range(posts):
            react(post_in(space, cast.agent), actors)
        # the token with its user, the page, the unread count
        with django_assert_num_queries(3):
            assert client.get("/api/v1/collab/notifications").status_code == 200

    count_queries(2)
    count_queries(20)


def test_a_forged_cursor_is_refused(cast: Cast) -> None:
    response = api_client(cast.agent).get("/api/v1/collab/notifications", {"cursor": "e30"})

    assert response.status_code == 422


def test_it_marks_one_then_all_as_read(cast: Cast) -> None:
    space = space_with(cast.agent)
    for n in range(3):
        react(post_in(space, cast.agent, f"Sujet {n}"), [cast.colleague])
    first = Notification.objects.order_by("pk").first()
    assert first is not None
    client = api_client(cast.agent)

    read = api(client, "post", f"/notifications/{first.pk}/read")
    assert read.status_code == 200
    assert read.json()["unread"] is False

    everything = api(client, "post", "/notifications/read-all")
    assert everything.json() == {"marked": 2}
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_another_colleagues_notification_answers_404_and_nothing_changes(cast: Cast) -> None:
    react(post_in(space_with(cast.agent), cast.agent), [cast.colleague])
    notification = Notification.objects.get()
    intruder = api_client(cast.outsider)

    response = api(intruder, "post", f"/notifications/{notification.pk}/read")
    everything = api(intruder, "post", "/notifications/read-all")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert everything.json() == {"marked": 0}
    assert Notification.objects.get().read_at is None
    assert intruder.get("/api/v1/collab/notifications").json()["items"] == []


def test_preferences_show_the_defaults_and_change_kind_by_kind(cast: Cast) -> None:
    client = api_client(cast.agent)

    defaults = client.get("/api/v1/collab/notifications/preferences").json()["preferences"]
    assert defaults == {
        "mention": "immediate",
        "comment": "hourly",
        "reply": "immediate",
        "reaction": "off",
        "answer_accepted": "immediate",
        "announcement": "daily",
        "followed_post": "off",
        "customer_activity": "off",
        "join_request": "immediate",
        "join_decided": "immediate",
        "case_note": "immediate",
        "case_assigned": "hourly",
        "case_escalated": "immediate",
        "sla_warning": "immediate",
    }

    changed = api(
        client, "put", "/notifications/preferences", {"preferences": {"mention": "daily"}}
    )

    assert changed.status_code == 200
    assert changed.json()["preferences"]["mention"] == "daily"
    assert NotificationPreference.objects.get(user=cast.agent).email == "daily"


def test_a_wrong_preference_is_refused_and_nothing_changes(cast: Cast) -> None:
    client = api_client(cast.agent)

    response = api(
        client,
        "put",
        "/notifications/preferences",
        {"preferences": {"mention": "off", "reaction": "weekly", "gossip": "daily"}},
    )

    assert response.status_code == 422
    assert response.json()["details"]["invalid"] == ["gossip", "reaction"]
    assert not NotificationPreference.objects.exists()


def test_it_mutes_and_unmutes_a_post(cast: Cast) -> None:
    post = post_in(space_with(cast.agent), cast.agent)
    client = api_client(cast.colleague)

    muted = api(client, "post", f"/posts/{post.pk}/mute")
    again = api(client, "post", f"/posts/{post.pk}/mute")
    assert (muted.json(), again.status_code) == ({"post_id": post.pk, "muted": True}, 200)
    assert ThreadMute.objects.filter(user=cast.colleague).count() == 1

    unmuted = api(client, "delete", f"/posts/{post.pk}/mute")

    assert unmuted.json() == {"post_id": post.pk, "muted": False}
    assert not ThreadMute.objects.exists()


def test_a_post_the_caller_may_not_read_cannot_be_muted(cast: Cast) -> None:
    post = post_in(space_with(cast.agent, visibility="private"), cast.agent)

    response = api(api_client(cast.outsider), "post", f"/posts/{post.pk}/mute")

    assert response.status_code == 404
    assert not ThreadMute.objects.exists()


def test_reading_needs_the_write_scope(cast: Cast) -> None:
    from django.test import Client

    from socius.accounts.services import token_create

    react(post_in(space_with(cast.agent), cast.agent), [cast.colleague])
    secret = token_create(user=cast.agent, name="ro", scopes=["collab:read"]).secret
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert client.get("/api/v1/collab/notifications").status_code == 200
    assert api(client, "post", "/notifications/read-all").status_code == 403
    assert Notification.objects.get().read_at is None
