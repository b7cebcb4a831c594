"""Following colleagues, spaces, topics and customers, through the API and the browser."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from socius.accounts.roles import Role
from socius.accounts.services import token_create
from socius.collab.models import Follow
from socius.collab.services import post_create, space_create, space_member_add
from socius.conftest import Cast, make_employee, signed_in_client
from socius.core.models import Activity

pytestmark = pytest.mark.django_db


def api(user: Any) -> Client:
    secret = token_create(user=user, name="tests", scopes=["collab:read", "collab:write"]).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def call(client: Client, method: str, data: dict[str, Any]) -> Any:
    return getattr(client, method)(
        "/api/v1/collab/follows", json.dumps(data), content_type="application/json"
    )


def test_it_follows_a_colleague_once_and_unfollows(cast: Cast) -> None:
    alice = api(cast.agent)

    first = call(alice, "post", {"user": "bruno.petit@example.com"})
    again = call(alice, "post", {"user": cast.colleague.pk})

    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == {
        "target": "user",
        "target_id": cast.colleague.pk,
        "label": "Bruno Petit",
    }
    assert Follow.objects.filter(follower=cast.agent, user=cast.colleague).count() == 1
    assert Activity.objects.filter(verb="collab.followed", actor=cast.agent).count() == 1
    listed = alice.get("/api/v1/collab/follows").json()["items"]
    assert listed == [{"target": "user", "target_id": cast.colleague.pk, "label": "Bruno Petit"}]

    assert call(alice, "delete", {"user": cast.colleague.pk}).status_code == 204
    assert call(alice, "delete", {"user": cast.colleague.pk}).status_code == 204
    assert not Follow.objects.filter(follower=cast.agent).exists()
    assert Activity.objects.filter(verb="collab.unfollowed", actor=cast.agent).count() == 1


def test_it_refuses_to_follow_oneself_or_nobody(cast: Cast) -> None:
    alice = api(cast.agent)

    assert call(alice, "post", {"user": cast.agent.pk}).status_code == 422
    assert call(alice, "post", {"user": "nobody@example.com"}).status_code == 404
    assert call(alice, "post", {"user": 1, "space": 1}).status_code == 422
    assert call(alice, "post", {}).status_code == 422
    assert not Follow.objects.exists()


def test_it_follows_a_public_space_by_slug_but_not_a_closed_one(cast: Cast) -> None:
    public = space_create(actor=cast.colleague, name="Club photo", visibility="public")
    private = space_create(actor=cast.colleague, name="Budget", visibility="private")
    secret = space_create(actor=cast.colleague, name="Fusion", visibility="secret")
    alice = api(cast.agent)

    assert call(alice, "post", {"space": "club-photo"}).status_code == 201
    refused = call(alice, "post", {"space": private.pk})
    hidden = call(alice, "post", {"space": secret.pk})
    hidden_by_slug = call(alice, "post", {"space": "fusion"})

    assert (refused.status_code, refused.json()["code"]) == (403, "not_a_space_member")
    assert (hidden.status_code, hidden_by_slug.status_code) == (404, 404)
    assert list(Follow.objects.values_list("space_id", flat=True)) == [public.pk]
    space_member_add(actor=cast.colleague, space=private, user=cast.agent)
    assert call(alice, "post", {"space": private.pk}).status_code == 201


def test_it_follows_a_topic_only_seen_in_a_readable_post(cast: Cast) -> None:
    public = space_create(actor=cast.colleague, name="Parc", visibility="public")
    secret = space_create(actor=cast.colleague, name="Fusion", visibility="secret")
    post_create(actor=cast.colleague, space=public, body="Ouverture #noel")
    post_create(actor=cast.colleague, space=secret, body="Projet #rachat")
    alice = api(cast.agent)

    followed = call(alice, "post", {"topic": "#noel"})
    hidden = call(alice, "post", {"topic": "rachat"})

    assert (followed.status_code, followed.json()["target"]) == (201, "topic")
    assert hidden.status_code == 404
    assert Follow.objects.filter(follower=cast.agent, topic__isnull=False).count() == 1


def test_it_follows_a_customer_when_allowed_to_see_people(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = api(cast.agent)

    followed = call(alice, "post", {"person": cast.customer.pk})
    missing = call(alice, "post", {"person": cast.customer.pk + 999})

    assert followed.json() == {
        "target": "person",
        "target_id": cast.customer.pk,
        "label": "Claire Dupont",
    }
    assert missing.status_code == 404
    followed_activity = Activity.objects.get(verb="collab.followed")
    assert followed_activity.person_id is None  # not an event of the customer's timeline

    # An employee whose role does not see people gets "not found", and lists no customer.
    from socius.accounts import roles

    monkeypatch.setitem(
        roles.CAPABILITIES, Role.EMPLOYEE, frozenset({roles.Capability.COLLABORATE})
    )
    bruno = api(cast.colleague)
    assert call(bruno, "post", {"person": cast.customer.pk}).status_code == 404
    Follow.objects.create(follower=cast.colleague, person=cast.customer)  # from before
    assert bruno.get("/api/v1/collab/follows").json()["items"] == []
    assert Follow.objects.filter(person=cast.customer).count() == 2


def test_a_secret_space_left_is_no_longer_listed(cast: Cast) -> None:
    secret = space_create(actor=cast.colleague, name="Fusion", visibility="secret")
    space_member_add(actor=cast.colleague, space=secret, user=cast.agent)
    alice = api(cast.agent)
    assert call(alice, "post", {"space": secret.pk}).status_code == 201

    secret.memberships.filter(user=cast.agent).delete()

    assert alice.get("/api/v1/collab/follows").json()["items"] == []


def test_the_follow_button_toggles_in_the_browser(cast: Cast) -> None:
    client = signed_in_client(cast.agent)
    space = space_create(actor=cast.colleague, name="Club photo", visibility="public")

    button = client.get(f"/collab/follows/button/?kind=space&target={space.pk}")
    assert 'data-following="false"' in button.content.decode()
    followed = client.post(
        "/collab/follows/",
        {"kind": "space", "target": space.pk, "action": "follow"},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-following="true"' in followed.content.decode()
    assert Follow.objects.filter(follower=cast.agent, space=space).exists()
    feed = client.get("/collab/feed/").content.decode()
    assert f'data-kind="space" data-target="{space.pk}"' in feed

    back = client.post(
        "/collab/follows/",
        {"kind": "space", "target": space.pk, "action": "unfollow", "next": "/collab/feed/"},
    )
    assert (back.status_code, back["Location"]) == (302, "/collab/feed/")
    assert not Follow.objects.filter(follower=cast.agent, space=space).exists()


def test_the_follow_form_refuses_what_cannot_be_followed(cast: Cast) -> None:
    client = signed_in_client(cast.agent)
    private = space_create(actor=cast.colleague, name="Budget", visibility="private")

    refused = client.post(
        "/collab/follows/", {"kind": "space", "target": private.pk, "action": "follow"}
    )
    unknown = client.post("/collab/follows/", {"kind": "user", "target": "x@example.com"})
    no_kind = client.post("/collab/follows/", {"kind": "planet", "target": "1"})
    offsite = client.post(
        "/collab/follows/",
        {"kind": "user", "target": cast.colleague.email, "next": "https://evil.example/"},
    )

    assert refused.status_code == 302
    assert (unknown.status_code, no_kind.status_code) == (404, 404)
    assert offsite["Location"] == "/collab/feed/"
    assert list(Follow.objects.values_list("user_id", flat=True)) == [cast.colleague.pk]
    make_employee("x@example.com", "Xavier", "marketing")  # exists now: no longer unknown
    assert (
        client.post("/collab/follows/", {"kind": "user", "target": "x@example.com"}).status_code
        == 302
    )
