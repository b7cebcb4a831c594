"""A private space's post leaves no trace for a non-member, on every path that shows content.

Alice writes in a private space everything that could travel: words found nowhere else, a
mention of the outsider and of the outsider's department, a topic, a comment, a reaction
and a file. The outsider follows Alice, asked for every email at once, and then walks every
page and endpoint that shows posts: none answers anything about it, and nothing was sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from socius.accounts.services import token_create
from socius.collab.models import Attachment, Notification, NotificationPreference, Post, Space
from socius.collab.services import (
    attachments_add,
    comment_create,
    follow_create,
    notification_preferences_set,
    post_create,
    reaction_add,
    space_create,
    space_member_add,
)
from socius.collab.services.follows import FollowTarget
from socius.collab.tasks import (
    notification_digest_daily,
    notification_digest_hourly,
    notification_emails_send_immediate,
)
from socius.collab.tests.test_attachments import png
from socius.conftest import Cast, signed_in_client
from socius.core.live import LiveEvent, channel_allowed
from socius.core.selectors import activity_recent_for_department

pytestmark = pytest.mark.django_db

SECRET_WORD = "zorglubonium"  # what the outsider searches for and types in addresses
HIDDEN_WORD = "quetzalite"  # written beside it, never typed by the outsider: must never show


@pytest.fixture(autouse=True)
def _media_and_tasks(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


class Recorder:
    """A live broker that keeps what it is asked to publish."""

    def __init__(self) -> None:
        self.events: list[LiveEvent] = []

    def publish(self, event: LiveEvent) -> None:
        self.events.append(event)


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder()
    monkeypatch.setattr("socius.core.live.get_broker", lambda: recorder)
    return recorder


@pytest.fixture
def private_post(cast: Cast, django_capture_on_commit_callbacks: Any, published: Recorder) -> Post:
    kinds = [kind for kind, _label in Notification.Kind.choices]
    notification_preferences_set(actor=cast.outsider, choices=dict.fromkeys(kinds, "immediate"))
    follow_create(actor=cast.outsider, target=FollowTarget(user=cast.agent))
    with django_capture_on_commit_callbacks(execute=True):
        space = space_create(actor=cast.agent, name="Projet Lumière", visibility="private")
        space_member_add(actor=cast.agent, space=space, user=cast.colleague)
        post = post_create(
            actor=cast.agent,
            space=space,
            body=f"Le {SECRET_WORD} {HIDDEN_WORD} arrive. @chloe.roux @exploitation #{SECRET_WORD}",
        )
        attachments_add(
            actor=cast.agent,
            post=post,
            uploads=[SimpleUploadedFile(f"{HIDDEN_WORD}.png", png(), content_type="image/png")],
        )
        comment_create(
            actor=cast.colleague, post=post, body=f"Le {SECRET_WORD} {HIDDEN_WORD}, enfin !"
        )
        reaction_add(actor=cast.colleague, post=post, kind="like")
    return post


def api(user: Any) -> Client:
    secret = token_create(user=user, name="walk", scopes=["collab:read", "collab:write"]).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def no_trace(response: Any) -> None:
    text = response.content.decode()
    assert HIDDEN_WORD not in text, response.request["PATH_INFO"]


def test_the_members_see_it_so_the_walk_below_tests_something(
    cast: Cast, private_post: Post
) -> None:
    member = api(cast.colleague)

    assert HIDDEN_WORD in member.get(f"/api/v1/collab/posts/{private_post.pk}").content.decode()
    found = member.get(f"/api/v1/collab/search?q={SECRET_WORD}").content.decode()
    assert HIDDEN_WORD in found
    feed = member.get("/api/v1/collab/feed").json()
    assert private_post.pk in [item["id"] for item in feed["items"]]
    assert Notification.objects.filter(recipient=cast.agent, post=private_post).exists()
    attachment = Attachment.objects.get(post=private_post)
    assert member.get(f"/api/v1/collab/attachments/{attachment.pk}").status_code == 200


def test_a_non_member_finds_no_trace_of_it_through_the_api(cast: Cast, private_post: Post) -> None:
    outsider = api(cast.outsider)
    attachment = Attachment.objects.get(post=private_post)
    comment = private_post.comments.get()
    space_id = private_post.space_id
    post_id = private_post.pk
    missing: list[Callable[[], Any]] = [
        lambda: outsider.get(f"/api/v1/collab/posts/{post_id}"),
        lambda: outsider.get(f"/api/v1/collab/posts/{post_id}/revisions"),
        lambda: outsider.get(f"/api/v1/collab/posts/{post_id}/reads"),
        lambda: outsider.get(f"/api/v1/collab/posts/{post_id}/attachments"),
        lambda: outsider.get(f"/api/v1/collab/attachments/{attachment.pk}"),
        lambda: outsider.get(f"/api/v1/collab/topics/{SECRET_WORD}/posts"),
        lambda: outsider.get(f"/api/v1/collab/mentions?q=b&space={space_id}"),
        lambda: outsider.post(
            f"/api/v1/collab/posts/{post_id}/comments",
            json.dumps({"body": "?"}),
            content_type="application/json",
        ),
        lambda: outsider.post(
            f"/api/v1/collab/posts/{post_id}/reactions",
            json.dumps({"kind": "like"}),
            content_type="application/json",
        ),
        lambda: outsider.patch(
            f"/api/v1/collab/comments/{comment.pk}",
            json.dumps({"body": "?"}),
            content_type="application/json",
        ),
        lambda: outsider.post(f"/api/v1/collab/posts/{post_id}/mute"),
    ]
    for call in missing:
        response = call()
        assert response.status_code == 404, response.request["PATH_INFO"]
        no_trace(response)
    shown = [
        outsider.get("/api/v1/collab/feed"),
        outsider.get(f"/api/v1/collab/search?q={SECRET_WORD}"),
        outsider.get(f"/api/v1/collab/search?q={SECRET_WORD}&kind=comments"),
        outsider.get("/api/v1/collab/notifications"),
        outsider.get(f"/api/v1/collab/people/{cast.agent.pk}"),
        outsider.get("/api/v1/collab/mentions?q=bruno"),
    ]
    for response in shown:
        assert response.status_code == 200, response.request["PATH_INFO"]
        no_trace(response)
    assert private_post.pk not in [item["id"] for item in shown[0].json()["items"]]
    assert private_post.comments.count() == 1
    assert private_post.reactions.count() == 1


def test_a_non_member_finds_no_trace_of_it_in_the_pages(cast: Cast, private_post: Post) -> None:
    browser = signed_in_client(cast.outsider)
    attachment = Attachment.objects.get(post=private_post)
    for url in (
        f"/collab/posts/{private_post.pk}/",
        f"/collab/attachments/{attachment.pk}/",
        f"/collab/attachments/{attachment.pk}/?inline=1",
        f"/collab/topics/{SECRET_WORD}/",
        f"/collab/mentions/suggest?q=b&space={private_post.space_id}",
    ):
        response = browser.get(url)
        assert response.status_code == 404, url
        no_trace(response)
    for url in (
        "/collab/feed/",
        f"/collab/search/?q={SECRET_WORD}",
        "/collab/notifications/",
        f"/collab/people/{cast.agent.pk}/",
        f"/collab/spaces/{private_post.space_id}/",
        "/collab/spaces/",
    ):
        response = browser.get(url)
        assert response.status_code == 200, url
        no_trace(response)


def test_nothing_about_it_reaches_a_non_member(cast: Cast, private_post: Post) -> None:
    assert not Notification.objects.filter(recipient=cast.outsider).exists()
    assert NotificationPreference.objects.filter(user=cast.outsider).exists()

    notification_emails_send_immediate.call(cast.outsider.pk)
    notification_digest_hourly.call()
    notification_digest_daily.call()

    to_outsider = [message for message in mail.outbox if cast.outsider.email in message.to]
    assert to_outsider == []
    assert any(HIDDEN_WORD in message.body for message in mail.outbox)  # members were told
    assert not channel_allowed(cast.outsider, f"post:{private_post.pk}")
    assert not channel_allowed(cast.outsider, f"space:{private_post.space_id}")
    assert channel_allowed(cast.colleague, f"post:{private_post.pk}")


def test_no_panel_nor_live_event_of_others_shows_it(
    cast: Cast, private_post: Post, published: Recorder
) -> None:
    members = {f"user:{cast.agent.pk}", f"user:{cast.colleague.pk}"}
    shared = [event for event in published.events if not event.channel.startswith("user:")]
    assert {event.channel for event in shared} <= {
        f"space:{private_post.space_id}",
        f"post:{private_post.pk}",
    }
    assert {e.channel for e in published.events if e.channel.startswith("user:")} <= members
    assert any(e.channel == f"user:{cast.colleague.pk}" for e in published.events)
    for department_id in (cast.agent.department_id, cast.colleague.department_id, None):
        shown = activity_recent_for_department(department_id=department_id, limit=50)
        assert [a.verb for a in shown if a.payload.get("space") == private_post.space_id] == []


def test_a_secret_space_does_not_exist_for_a_non_member(cast: Cast) -> None:
    space = space_create(
        actor=cast.agent, name=f"Cellule {SECRET_WORD} {HIDDEN_WORD}", visibility="secret"
    )
    post_create(actor=cast.agent, space=space, body=f"Rien sur {SECRET_WORD} {HIDDEN_WORD}")
    browser, outsider = signed_in_client(cast.outsider), api(cast.outsider)

    assert browser.get(f"/collab/spaces/{space.pk}/").status_code == 404
    assert outsider.get(f"/api/v1/collab/spaces/{space.pk}").status_code == 404
    for response in (
        browser.get("/collab/spaces/"),
        outsider.get("/api/v1/collab/spaces"),
        outsider.get(f"/api/v1/collab/search?q={SECRET_WORD}"),
        outsider.get(f"/api/v1/collab/search?q={SECRET_WORD}&kind=spaces"),
        browser.get(f"/collab/people/{cast.agent.pk}/"),
    ):
        assert response.status_code == 200
        no_trace(response)
    assert Space.objects.filter(pk=space.pk).exists()
