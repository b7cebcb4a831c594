"""Private spaces joined on request: the owners are told, one decides, the colleague hears."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from socius.accounts.services import token_create
from socius.collab.models import JoinRequest, Membership, Notification, Space
from socius.collab.services import space_create, space_member_add
from socius.collab.services.join_requests import join_request_accept, space_join_request
from socius.collab.services.spaces import space_member_role_set
from socius.conftest import Cast, signed_in_client
from socius.core.models import Activity

pytestmark = pytest.mark.django_db


def api(user: Any) -> Client:
    secret = token_create(user=user, name="tests", scopes=["collab:read", "collab:write"]).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(
        f"/api/v1/collab{url}", json.dumps(data or {}), content_type="application/json"
    )


@pytest.fixture
def private(cast: Cast) -> Space:
    space = space_create(actor=cast.agent, name="RH confidentiel", visibility="private")
    space_member_add(actor=cast.agent, space=space, user=cast.admin)
    membership = Membership.objects.get(space=space, user=cast.admin)
    space_member_role_set(actor=cast.agent, membership=membership, role="owner")
    return space


def state() -> tuple[int, int, int]:
    return (
        JoinRequest.objects.count(),
        Membership.objects.count(),
        Notification.objects.count(),
    )


def test_a_colleague_asks_the_owners_are_told_and_one_accepts(cast: Cast, private: Space) -> None:
    bruno = api(cast.colleague)

    asked = post(bruno, f"/spaces/{private.pk}/join-requests", {"message": "Je remplace Léa"})
    request_id = asked.json()["id"]
    listed = api(cast.agent).get(f"/api/v1/collab/spaces/{private.pk}/join-requests")
    accepted = post(api(cast.agent), f"/spaces/{private.pk}/join-requests/{request_id}/accept")

    assert asked.status_code == 201
    assert (asked.json()["state"], asked.json()["message"]) == ("pending", "Je remplace Léa")
    told = Notification.objects.filter(kind="join_request").order_by("recipient_id")
    assert [n.recipient for n in told] == sorted([cast.agent, cast.admin], key=lambda u: u.pk)
    assert {n.thread for n in told} == {f"space:{private.pk}"}
    assert [r["user"] for r in listed.json()] == ["bruno.petit@example.com"]
    assert (accepted.status_code, accepted.json()["role"]) == (200, "member")
    assert Membership.objects.filter(space=private, user=cast.colleague, role="member").exists()
    answer = Notification.objects.get(kind="join_decided")
    assert (answer.recipient, answer.thread) == (cast.colleague, f"space:{private.pk}")
    decided = JoinRequest.objects.get()
    assert (decided.state, decided.decided_by) == ("accepted", cast.agent)
    verbs = set(Activity.objects.values_list("verb", flat=True))
    assert {"collab.join_requested", "collab.join_accepted"} <= verbs
    detail = bruno.get(f"/api/v1/collab/spaces/{private.pk}").json()
    assert detail["role"] == "member"


def test_an_owner_declines_and_the_colleague_may_ask_again(cast: Cast, private: Space) -> None:
    join_request = space_join_request(actor=cast.colleague, space=private)

    declined = post(
        api(cast.admin), f"/spaces/{private.pk}/join-requests/{join_request.pk}/decline"
    )
    again = post(api(cast.agent), f"/spaces/{private.pk}/join-requests/{join_request.pk}/accept")
    asked_again = post(api(cast.colleague), f"/spaces/{private.pk}/join-requests")

    assert (declined.status_code, declined.json()["state"]) == (200, "declined")
    assert (again.status_code, again.json()["code"]) == (409, "join_request_decided")
    assert not Membership.objects.filter(space=private, user=cast.colleague).exists()
    assert Notification.objects.get(kind="join_decided").recipient == cast.colleague
    assert asked_again.status_code == 201
    assert JoinRequest.objects.filter(state="pending").count() == 1


def test_asking_twice_makes_one_request_and_one_notification_each(
    cast: Cast, private: Space
) -> None:
    first = post(api(cast.colleague), f"/spaces/{private.pk}/join-requests")
    second = post(api(cast.colleague), f"/spaces/{private.pk}/join-requests")

    assert first.json()["id"] == second.json()["id"]
    assert JoinRequest.objects.count() == 1
    assert Notification.objects.filter(kind="join_request").count() == 2  # two owners
    assert set(Notification.objects.values_list("event_count", flat=True)) == {1}


def test_secret_public_and_own_spaces_take_no_request(cast: Cast, private: Space) -> None:
    secret = space_create(actor=cast.agent, name="Projet X", visibility="secret")
    public = space_create(actor=cast.agent, name="Accueil", visibility="public")
    before = state()

    to_secret = post(api(cast.colleague), f"/spaces/{secret.pk}/join-requests")
    to_public = post(api(cast.colleague), f"/spaces/{public.pk}/join-requests")
    to_own = post(api(cast.agent), f"/spaces/{private.pk}/join-requests")

    assert to_secret.status_code == 404
    assert (to_public.status_code, to_public.json()["code"]) == (409, "join_request_not_needed")
    assert (to_own.status_code, to_own.json()["code"]) == (409, "already_a_member")
    assert state() == before


def test_only_owners_see_and_answer_requests(cast: Cast, private: Space) -> None:
    join_request = space_join_request(actor=cast.colleague, space=private)
    space_member_add(actor=cast.agent, space=private, user=cast.outsider)  # a plain member
    before = state()

    listed = api(cast.outsider).get(f"/api/v1/collab/spaces/{private.pk}/join-requests")
    accepted = post(
        api(cast.outsider), f"/spaces/{private.pk}/join-requests/{join_request.pk}/accept"
    )
    self_accepted = post(
        api(cast.colleague), f"/spaces/{private.pk}/join-requests/{join_request.pk}/accept"
    )
    other_space = space_create(actor=cast.outsider, name="Autre", visibility="private")
    elsewhere = post(
        api(cast.outsider), f"/spaces/{other_space.pk}/join-requests/{join_request.pk}/accept"
    )

    assert (listed.status_code, listed.json()["code"]) == (403, "not_a_space_owner")
    # Only owners may even learn that a request id exists.
    assert (accepted.status_code, self_accepted.status_code) == (404, 404)
    assert elsewhere.status_code == 404
    assert JoinRequest.objects.get().state == "pending"
    assert state()[:2] == (before[0], before[1] + 1)  # only the new space's owner


def test_a_long_message_is_refused(cast: Cast, private: Space) -> None:
    response = post(
        api(cast.colleague), f"/spaces/{private.pk}/join-requests", {"message": "x" * 501}
    )

    assert response.status_code == 422
    assert not JoinRequest.objects.exists()


def test_an_archived_space_takes_no_request(cast: Cast, private: Space) -> None:
    Space.objects.filter(pk=private.pk).update(archived_at="2026-11-01T00:00:00Z")

    response = post(api(cast.colleague), f"/spaces/{private.pk}/join-requests")

    assert (response.status_code, response.json()["code"]) == (403, "space_archived")
    assert not JoinRequest.objects.exists()


def test_in_the_browser_a_colleague_asks_and_an_owner_accepts(
    cast: Cast, private: Space, django_assert_max_num_queries: Any
) -> None:
    bruno, alice = signed_in_client(cast.colleague), signed_in_client(cast.agent)

    page = bruno.get(reverse("collab:space-detail", args=[private.pk])).content.decode()
    assert 'data-testid="join-request-send"' in page
    bruno.post(reverse("collab:space-join-request", args=[private.pk]), {"message": "Bonjour"})
    page = bruno.get(reverse("collab:space-detail", args=[private.pk])).content.decode()
    assert 'data-testid="join-request-pending"' in page
    members = alice.get(reverse("collab:space-members", args=[private.pk])).content.decode()
    join_request = JoinRequest.objects.get()
    assert f'data-join-request="{join_request.pk}"' in members
    assert "Bonjour" in members

    accepted = alice.post(reverse("collab:join-request-accept", args=[private.pk, join_request.pk]))

    assert accepted.status_code == 302
    assert Membership.objects.filter(space=private, user=cast.colleague).exists()
    listing = bruno.get(reverse("collab:space-list")).content.decode()
    assert f'data-space="{private.pk}"' in listing


def test_a_browser_decline_by_a_non_owner_changes_nothing(cast: Cast, private: Space) -> None:
    join_request = space_join_request(actor=cast.colleague, space=private)

    response = signed_in_client(cast.colleague).post(
        reverse("collab:join-request-decline", args=[private.pk, join_request.pk])
    )

    assert response.status_code == 404
    assert JoinRequest.objects.get().state == "pending"
    join_request_accept(actor=cast.agent, join_request=join_request)
    assert JoinRequest.objects.get().state == "accepted"
