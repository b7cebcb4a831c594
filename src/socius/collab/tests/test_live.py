"""Live events of new posts and comments, who may listen, and followers' notifications."""

from __future__ import annotations

from typing import Any

import pytest

from socius.accounts.models import User
from socius.collab.models import Notification, Space
from socius.collab.selectors_feed import topic_get_for_user
from socius.collab.services import comment_create, post_create, space_create, space_member_add
from socius.collab.services.follows import FollowTarget, follow_create
from socius.conftest import Cast, make_employee, signed_in_client
from socius.core.live import LiveEvent, channel_allowed

pytestmark = pytest.mark.django_db


class RecordingBroker:
    def __init__(self) -> None:
        self.events: list[LiveEvent] = []

    def publish(self, event: LiveEvent) -> None:
        self.events.append(event)

    def channels(self, name: str) -> list[str]:
        return [event.channel for event in self.events if event.name == name]


@pytest.fixture
def broker(monkeypatch: pytest.MonkeyPatch) -> RecordingBroker:
    recording = RecordingBroker()
    monkeypatch.setattr("socius.core.live.get_broker", lambda: recording)
    return recording


def space_of(owner: User, name: str, visibility: str = "public", *members: User) -> Space:
    space = space_create(actor=owner, name=name, visibility=visibility)
    for member in members:
        space_member_add(actor=owner, space=space, user=member)
    return space


@pytest.fixture
def follower(cast: Cast) -> User:
    return make_employee("fanny.suivi@example.com", "Fanny Suivi", "juridique")


def test_a_public_post_reaches_members_and_followers_feeds_after_commit(
    cast: Cast, follower: User, broker: RecordingBroker, django_capture_on_commit_callbacks: Any
) -> None:
    space = space_of(cast.colleague, "Parc", "public", cast.agent)
    follow_create(actor=follower, target=FollowTarget(user=cast.colleague))
    broker.events.clear()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post = post_create(actor=cast.colleague, space=space, body="Ouverture")
        assert broker.channels("feed_post") == []  # nothing before commit
    for callback in callbacks:
        callback()

    assert sorted(broker.channels("feed_post")) == sorted(
        f"user:{user.pk}" for user in (cast.colleague, cast.agent, follower)
    )
    assert broker.channels("post") == [f"space:{space.pk}"]
    assert all(event.data["post"] == post.pk for event in broker.events if event.name == "post")


@pytest.mark.parametrize("visibility", ["private", "secret"])
def test_a_closed_spaces_post_sends_nothing_to_non_members(
    cast: Cast,
    follower: User,
    broker: RecordingBroker,
    django_capture_on_commit_callbacks: Any,
    visibility: str,
) -> None:
    space = space_of(cast.colleague, "Fusion", visibility, cast.agent)
    public = space_of(cast.colleague, "Parc")
    post_create(actor=cast.colleague, space=public, body="#noel")
    follow_create(actor=follower, target=FollowTarget(user=cast.colleague))
    follow_create(
        actor=follower, target=FollowTarget(topic=topic_get_for_user(user=follower, key="noel"))
    )
    broker.events.clear()

    with django_capture_on_commit_callbacks(execute=True):
        post = post_create(actor=cast.colleague, space=space, body="Rachat #noel")
        comment_create(actor=cast.agent, post=post, body="Vu")

    members = {f"user:{cast.colleague.pk}", f"user:{cast.agent.pk}"}
    assert set(broker.channels("feed_post")) == members
    assert not [event for event in broker.events if event.channel == f"user:{follower.pk}"]
    # Whatever else went out names the post only on channels that check their listeners.
    naming_the_post = {e.channel for e in broker.events if e.data.get("post") == post.pk}
    assert naming_the_post == members | {f"space:{space.pk}", f"post:{post.pk}"}
    assert not Notification.objects.filter(recipient=follower).exists()
    assert not channel_allowed(follower, f"space:{space.pk}")
    assert not channel_allowed(follower, f"post:{post.pk}")
    assert channel_allowed(cast.agent, f"space:{space.pk}")
    assert channel_allowed(cast.agent, f"post:{post.pk}")


def test_followers_are_notified_once_per_post_but_members_are_not(
    cast: Cast, follower: User, django_capture_on_commit_callbacks: Any
) -> None:
    space = space_of(cast.colleague, "Parc", "public", cast.agent)
    post_create(actor=cast.colleague, space=space, body="#noel")
    follow_create(actor=follower, target=FollowTarget(user=cast.colleague))
    follow_create(actor=follower, target=FollowTarget(space=space))
    follow_create(
        actor=follower, target=FollowTarget(topic=topic_get_for_user(user=follower, key="noel"))
    )
    follow_create(actor=cast.agent, target=FollowTarget(user=cast.colleague))  # a member

    post = post_create(actor=cast.colleague, space=space, body="Sapin #noel")

    notifications = Notification.objects.filter(kind="followed_post")
    assert [(n.recipient_id, n.thread, n.event_count) for n in notifications] == [
        (follower.pk, f"post:{post.pk}", 1)
    ]


def test_a_comment_is_announced_on_its_posts_channel_only(
    cast: Cast, broker: RecordingBroker, django_capture_on_commit_callbacks: Any
) -> None:
    space = space_of(cast.colleague, "Parc")
    post = post_create(actor=cast.colleague, space=space, body="Bonjour")
    broker.events.clear()

    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_create(actor=cast.agent, post=post, body="Salut")

    comment_events = [event for event in broker.events if event.name == "comment"]
    assert [(e.channel, e.data) for e in comment_events] == [
        (f"post:{post.pk}", {"comment": comment.pk, "post": post.pk, "parent": None})
    ]


def test_channels_refuse_malformed_or_unknown_ids(cast: Cast) -> None:
    for channel in ("space:", "space:abc", "post:-1", "post:99999999999999999999", "post:12a"):
        assert not channel_allowed(cast.agent, channel)
    response = signed_in_client(cast.outsider).get("/live/events?channel=post:424242&once=1")
    assert response.status_code == 403


def test_new_comments_are_served_to_the_live_include_only_for_readers(cast: Cast) -> None:
    secret = space_of(cast.colleague, "Fusion", "secret", cast.agent)
    post = post_create(actor=cast.colleague, space=secret, body="Chut")
    first = comment_create(actor=cast.agent, post=post, body="Un")
    second = comment_create(actor=cast.colleague, post=post, body="Deux")

    member = signed_in_client(cast.agent).get(
        f"/collab/posts/{post.pk}/comments/new/?after={first.pk}"
    )
    outsider = signed_in_client(cast.outsider).get(f"/collab/posts/{post.pk}/comments/new/")

    html = member.content.decode()
    assert f'data-comment="{second.pk}"' in html
    assert f'data-comment="{first.pk}"' not in html
    assert f"after={second.pk}" in html
    assert outsider.status_code == 404


def test_the_live_feed_fetch_returns_only_newer_readable_posts(cast: Cast, follower: User) -> None:
    space = space_of(cast.colleague, "Parc", "public", follower)
    secret = space_of(cast.colleague, "Fusion", "secret")
    old = post_create(actor=cast.colleague, space=space, body="Ancien")
    new = post_create(actor=cast.colleague, space=space, body="Nouveau")
    post_create(actor=cast.colleague, space=secret, body="Caché")

    html = signed_in_client(follower).get(f"/collab/feed/new/?after={old.pk}").content.decode()

    assert f'data-post="{new.pk}" data-unread="true"' in html
    assert f'data-post="{old.pk}"' not in html
    assert "Caché" not in html
    assert f"after={new.pk}" in html


def test_the_includes_render_for_the_pages_that_place_them(cast: Cast) -> None:
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    space = space_of(cast.colleague, "Parc")
    post = post_create(actor=cast.colleague, space=space, body="Bonjour")
    request = RequestFactory().get(f"/collab/spaces/{space.pk}/")
    request.user = cast.agent

    live = render_to_string(
        "collab/includes/post_live.html", {"post": post, "newest": 41}, request=request
    )
    lazy = render_to_string(
        "collab/includes/follow_button.html", {"kind": "space", "target": space}, request=request
    )
    known = render_to_string(
        "collab/includes/follow_button.html",
        {"kind": "space", "target": space, "following": True},
        request=request,
    )

    assert f"channel=post:{post.pk}" in live
    assert "after=41" in live
    assert f"/collab/follows/button/?kind=space&amp;target={space.pk}" in lazy
    assert 'data-following="true"' in known
    assert 'name="csrfmiddlewaretoken"' in known
