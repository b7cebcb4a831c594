"""Announcements: posted by owners, confirmed by members, read statistics for the author."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from socius.collab.models import AnnouncementRead, Notification, Post, Space
from socius.collab.services import post_create, space_create, space_member_add
from socius.conftest import Cast, signed_in_client
from socius.core.models import Activity

from .test_spaces_api import client_of

pytestmark = pytest.mark.django_db


def post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(
        f"/api/v1/collab{url}", json.dumps(data or {}), content_type="application/json"
    )


@pytest.fixture
def space(cast: Cast) -> Space:
    space = space_create(actor=cast.agent, name="Direction", visibility="private")
    space_member_add(actor=cast.agent, space=space, user=cast.colleague)
    space_member_add(actor=cast.agent, space=space, user=cast.outsider)
    return space


def announce(cast: Cast, space: Space) -> Post:
    return post_create(
        actor=cast.agent, space=space, body="Fermeture le 24 décembre", kind="announcement"
    )


def test_an_owner_announces_and_every_member_is_told(cast: Cast, space: Space) -> None:
    response = post(
        client_of(cast.agent),
        f"/spaces/{space.pk}/posts",
        {"body": "Fermeture le 24", "kind": "announcement"},
    )

    assert (response.status_code, response.json()["kind"]) == (201, "announcement")
    notices = Notification.objects.filter(kind="announcement")
    assert set(notices.values_list("recipient", flat=True)) == {
        cast.colleague.pk,
        cast.outsider.pk,
    }
    assert {n.thread for n in notices} == {f"post:{response.json()['id']}"}


def test_a_member_who_is_not_an_owner_may_not_announce(cast: Cast, space: Space) -> None:
    refused = post(
        client_of(cast.colleague),
        f"/spaces/{space.pk}/posts",
        {"body": "Annonce", "kind": "announcement"},
    )

    assert (refused.status_code, refused.json()["code"]) == (403, "not_a_space_owner")
    assert not Post.objects.exists()
    assert not Notification.objects.exists()


def test_members_confirm_and_the_author_sees_who_has_read(cast: Cast, space: Space) -> None:
    announcement = announce(cast, space)

    first = post(client_of(cast.colleague), f"/posts/{announcement.pk}/read")
    again = post(client_of(cast.colleague), f"/posts/{announcement.pk}/read")
    reads = client_of(cast.agent).get(f"/api/v1/collab/posts/{announcement.pk}/reads").json()

    assert first.status_code == 200
    assert again.json()["confirmed_at"] == first.json()["confirmed_at"]
    assert (reads["read_count"], reads["member_count"]) == (1, 3)
    assert [reader["user_id"] for reader in reads["read"]] == [cast.colleague.pk]
    assert [reader["user_id"] for reader in reads["not_read"]] == [cast.agent.pk, cast.outsider.pk]
    assert Activity.objects.filter(verb="collab.announcement_read").count() == 1


def test_members_may_not_see_the_statistics(cast: Cast, space: Space) -> None:
    announcement = announce(cast, space)

    refused = client_of(cast.colleague).get(f"/api/v1/collab/posts/{announcement.pk}/reads")
    stranger = client_of(cast.admin).get(f"/api/v1/collab/posts/{announcement.pk}/reads")

    assert (refused.status_code, refused.json()["code"]) == (403, "reads_for_author_and_owners")
    assert stranger.status_code == 404


def test_only_an_announcement_is_confirmed_and_only_by_members(cast: Cast) -> None:
    public = space_create(actor=cast.agent, name="Saison", visibility="public")
    plain = post_create(actor=cast.agent, space=public, body="Info")
    announcement = post_create(actor=cast.agent, space=public, body="Annonce", kind="announcement")

    not_one = post(client_of(cast.agent), f"/posts/{plain.pk}/read")
    not_member = post(client_of(cast.outsider), f"/posts/{announcement.pk}/read")

    assert (not_one.status_code, not_one.json()["details"]["reason"]) == (
        422,
        "not_an_announcement",
    )
    assert (not_member.status_code, not_member.json()["code"]) == (403, "not_a_space_member")
    assert not AnnouncementRead.objects.exists()


def test_the_page_confirms_and_shows_the_statistics_to_the_author(cast: Cast, space: Space) -> None:
    announcement = announce(cast, space)
    bruno, alice = signed_in_client(cast.colleague), signed_in_client(cast.agent)
    url = reverse("collab:post-detail", args=[announcement.pk])

    before = bruno.get(url).content.decode()
    bruno.post(reverse("collab:post-read", args=[announcement.pk]))
    after = bruno.get(url).content.decode()
    stats = alice.get(url).content.decode()

    assert 'data-testid="announcement-confirm"' in before
    assert 'data-testid="announcement-read-done"' in after
    assert 'data-testid="announcement-stats"' not in after
    assert 'data-read="1" data-members="3"' in stats
    assert f'<li data-user="{cast.colleague.pk}">' in stats
