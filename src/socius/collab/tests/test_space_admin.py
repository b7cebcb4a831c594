"""Owners run their space: settings, archive, members and roles; members leave."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from socius.accounts.models import User
from socius.accounts.services import token_create
from socius.collab.models import Membership, Post, Space
from socius.collab.services import post_create, space_create, space_member_add
from socius.conftest import Cast, make_employee, signed_in_client
from socius.core.models import Activity

pytestmark = pytest.mark.django_db


def api(user: Any) -> Client:
    secret = token_create(user=user, name="tests", scopes=["collab:read", "collab:write"]).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def send(client: Client, method: str, url: str, data: dict[str, Any] | None = None) -> Any:
    call = getattr(client, method)
    return call(f"/api/v1/collab{url}", json.dumps(data or {}), content_type="application/json")


@pytest.fixture
def space(cast: Cast) -> Space:
    created = space_create(
        actor=cast.agent, name="Noël", visibility="private", goal="Préparer", description="Avant"
    )
    space_member_add(actor=cast.agent, space=created, user=cast.colleague)
    return created


def roles(space: Space) -> dict[str, str]:
    return dict(space.memberships.values_list("user__email", "role"))


def test_an_owner_edits_the_name_description_and_goal(cast: Cast, space: Space) -> None:
    changed = send(
        api(cast.agent),
        "patch",
        f"/spaces/{space.pk}",
        {"name": "Noël 2026", "goal": "Tout prêt", "description": "**Après**"},
    )
    refused = send(api(cast.colleague), "patch", f"/spaces/{space.pk}", {"name": "Pirate"})
    empty = send(api(cast.agent), "patch", f"/spaces/{space.pk}", {"name": ""})

    assert changed.status_code == 200
    body = changed.json()
    assert (body["name"], body["goal"], body["description"]) == (
        "Noël 2026",
        "Tout prêt",
        "**Après**",
    )
    assert (body["role"], body["member_count"]) == ("owner", 2)
    assert (refused.status_code, refused.json()["code"]) == (403, "not_a_space_owner")
    assert empty.status_code == 422
    space.refresh_from_db()
    assert space.name == "Noël 2026"
    assert Activity.objects.filter(verb="collab.space_updated").count() == 1


def test_an_archived_space_is_hidden_from_lists_but_reachable_and_read_only(
    cast: Cast, space: Space
) -> None:
    written = post_create(actor=cast.agent, space=space, body="Bilan")
    archived = send(api(cast.agent), "post", f"/spaces/{space.pk}/archive")

    listed = api(cast.colleague).get("/api/v1/collab/spaces").json()
    with_archived = api(cast.colleague).get("/api/v1/collab/spaces?archived=true").json()
    detail = api(cast.colleague).get(f"/api/v1/collab/spaces/{space.pk}")
    read = api(cast.colleague).get(f"/api/v1/collab/posts/{written.pk}")
    posting = send(api(cast.agent), "post", f"/spaces/{space.pk}/posts", {"body": "Encore"})
    editing = send(api(cast.agent), "patch", f"/spaces/{space.pk}", {"goal": "x"})
    promoting = send(
        api(cast.agent),
        "post",
        f"/spaces/{space.pk}/members/{cast.colleague.pk}/role",
        {"role": "owner"},
    )

    assert (archived.status_code, archived.json()["is_archived"]) == (200, True)
    assert space.pk not in [s["id"] for s in listed]
    assert [s["is_archived"] for s in with_archived if s["id"] == space.pk] == [True]
    assert (detail.status_code, read.status_code) == (200, 200)
    assert [r.json()["code"] for r in (posting, editing, promoting)] == ["space_archived"] * 3
    assert Post.objects.count() == 1
    assert roles(space)["bruno.petit@example.com"] == "member"

    restored = send(api(cast.agent), "post", f"/spaces/{space.pk}/unarchive")
    assert (restored.status_code, restored.json()["is_archived"]) == (200, False)
    verbs = list(
        Activity.objects.filter(verb__startswith="collab.space_").values_list("verb", flat=True)
    )
    assert verbs.count("collab.space_archived") == verbs.count("collab.space_unarchived") == 1


def test_only_owners_archive_and_only_admins_archive_a_departments_space(
    cast: Cast, space: Space
) -> None:
    department_space = Space.objects.get(department__slug="marketing")

    by_member = send(api(cast.colleague), "post", f"/spaces/{space.pk}/archive")
    by_department_member = send(
        api(cast.colleague), "post", f"/spaces/{department_space.pk}/archive"
    )
    by_admin = send(api(cast.admin), "post", f"/spaces/{department_space.pk}/archive")

    assert (by_member.status_code, by_member.json()["code"]) == (403, "not_a_space_owner")
    assert by_department_member.json()["code"] == "department_space_admin_only"
    assert by_admin.status_code == 200
    space.refresh_from_db()
    department_space.refresh_from_db()
    assert space.archived_at is None
    assert department_space.archived_at is not None


def test_a_departments_space_keeps_its_departments_name(cast: Cast) -> None:
    department_space = Space.objects.get(department__slug="marketing")
    by_member = send(api(cast.colleague), "patch", f"/spaces/{department_space.pk}", {"goal": "X"})
    # Nobody owns a department's space by office; an administrator may name an owner.
    Membership.objects.filter(space=department_space, user=cast.colleague).update(role="owner")

    renamed = send(api(cast.colleague), "patch", f"/spaces/{department_space.pk}", {"name": "X"})
    goal = send(api(cast.colleague), "patch", f"/spaces/{department_space.pk}", {"goal": "Vendre"})

    assert by_member.status_code == 403
    assert (renamed.status_code, renamed.json()["details"]["reason"]) == (
        422,
        "named_after_its_department",
    )
    assert goal.status_code == 200
    department_space.refresh_from_db()
    assert (department_space.name, department_space.goal) == ("Marketing", "Vendre")


def test_owners_promote_and_demote_but_never_leave_the_space_without_an_owner(
    cast: Cast, space: Space
) -> None:
    alice = api(cast.agent)
    url = f"/spaces/{space.pk}/members"

    last_demoted = send(alice, "post", f"{url}/{cast.agent.pk}/role", {"role": "member"})
    last_left = alice.delete(f"/api/v1/collab{url}/{cast.agent.pk}")
    assert [last_demoted.json()["code"], last_left.json()["code"]] == ["last_owner"] * 2
    promoted = send(alice, "post", f"{url}/{cast.colleague.pk}/role", {"role": "owner"})
    stepped_down = send(alice, "post", f"{url}/{cast.agent.pk}/role", {"role": "member"})
    bad_role = send(api(cast.colleague), "post", f"{url}/{cast.agent.pk}/role", {"role": "king"})

    assert (promoted.status_code, promoted.json()["role"]) == (200, "owner")
    assert stepped_down.status_code == 200
    assert bad_role.status_code == 422
    assert roles(space) == {
        "alice.martin@example.com": "member",
        "bruno.petit@example.com": "owner",
    }
    assert Activity.objects.filter(verb="collab.member_role_changed").count() == 2


def test_an_owner_removes_a_member_and_a_member_leaves(cast: Cast, space: Space) -> None:
    space_member_add(actor=cast.agent, space=space, user=cast.outsider)
    url = f"/api/v1/collab/spaces/{space.pk}/members"

    by_member = api(cast.colleague).delete(f"{url}/{cast.outsider.pk}")
    removed = api(cast.agent).delete(f"{url}/{cast.outsider.pk}")
    left = api(cast.colleague).delete(f"{url}/{cast.colleague.pk}")
    not_there = api(cast.agent).delete(f"{url}/{cast.outsider.pk}")

    assert (by_member.status_code, by_member.json()["code"]) == (403, "not_a_space_owner")
    assert (removed.status_code, left.status_code, not_there.status_code) == (204, 204, 404)
    assert roles(space) == {"alice.martin@example.com": "owner"}
    verbs = Activity.objects.values_list("verb", flat=True)
    assert ("collab.member_removed" in verbs, "collab.member_left" in verbs) == (True, True)


def test_an_employee_cannot_leave_their_departments_space(cast: Cast) -> None:
    department_space = Space.objects.get(department__slug="marketing")

    left = api(cast.colleague).delete(
        f"/api/v1/collab/spaces/{department_space.pk}/members/{cast.colleague.pk}"
    )
    space_member_add(actor=cast.agent, space=department_space, user=cast.agent)
    guest_left = api(cast.agent).delete(
        f"/api/v1/collab/spaces/{department_space.pk}/members/{cast.agent.pk}"
    )

    assert (left.status_code, left.json()["code"]) == (403, "department_membership")
    assert guest_left.status_code == 204  # joined by choice, left by choice
    assert Membership.objects.filter(space=department_space, user=cast.colleague).exists()


def test_a_secret_space_is_not_found_for_a_non_member_anywhere(cast: Cast) -> None:
    secret = space_create(actor=cast.agent, name="Projet X", visibility="secret")
    bruno = api(cast.colleague)

    answers = [
        bruno.get(f"/api/v1/collab/spaces/{secret.pk}").status_code,
        bruno.get(f"/api/v1/collab/spaces/{secret.pk}/members").status_code,
        send(bruno, "patch", f"/spaces/{secret.pk}", {"name": "Y"}).status_code,
        send(bruno, "post", f"/spaces/{secret.pk}/archive").status_code,
        bruno.delete(f"/api/v1/collab/spaces/{secret.pk}/members/{cast.agent.pk}").status_code,
    ]

    assert answers == [404] * 5
    assert "Projet X" not in bruno.get("/api/v1/collab/spaces?archived=true").content.decode()
    assert Space.objects.get(pk=secret.pk).name == "Projet X"


def test_a_private_spaces_members_are_for_its_members(cast: Cast, space: Space) -> None:
    outsider = api(cast.outsider).get(f"/api/v1/collab/spaces/{space.pk}/members")
    member = api(cast.colleague).get(f"/api/v1/collab/spaces/{space.pk}/members")

    assert outsider.status_code == 403
    assert [m["user"] for m in member.json()] == [
        "alice.martin@example.com",
        "bruno.petit@example.com",
    ]
    assert [m["role"] for m in member.json()] == ["owner", "member"]


def test_the_space_list_takes_the_same_queries_whatever_the_number_of_spaces(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    alice, client = signed_in_client(cast.agent), api(cast.agent)
    space_create(actor=cast.agent, name="Un", visibility="private")
    with django_assert_num_queries(5):
        alice.get(reverse("collab:space-list"))
    for number in range(5):
        space_create(actor=cast.agent, name=f"Espace {number}", visibility="public")
    with django_assert_num_queries(5):
        page = alice.get(reverse("collab:space-list"))
    with django_assert_num_queries(5):
        listed = client.get("/api/v1/collab/spaces")
    assert page.status_code == 200
    assert len(listed.json()) == Space.objects.count()


def test_the_members_page_takes_the_same_queries_whatever_the_number_of_members(
    cast: Cast, space: Space, django_assert_num_queries: Any
) -> None:
    alice = signed_in_client(cast.agent)
    url = reverse("collab:space-members", args=[space.pk])
    with django_assert_num_queries(6):
        alice.get(url)
    for number in range(4):
        hired = make_employee(f"e{number}@example.com", f"Employé {number}", "marketing")
        space_member_add(actor=cast.agent, space=space, user=hired)

    with django_assert_num_queries(6):
        page = alice.get(url).content.decode()

    assert page.count("data-member=") == 6
    assert page.count('data-testid="member-remove"') == 5
    assert page.count('data-role="owner"') == 1


def test_in_the_browser_an_owner_edits_archives_and_a_member_leaves(
    cast: Cast, space: Space
) -> None:
    alice, bruno = signed_in_client(cast.agent), signed_in_client(cast.colleague)
    settings_url = reverse("collab:space-settings", args=[space.pk])

    saved = alice.post(settings_url, {"name": "Noël 2026", "goal": "Prêts", "description": ""})
    forbidden = bruno.post(settings_url, {"name": "Pirate", "goal": "", "description": ""})
    bruno_page = bruno.get(settings_url)
    promoted = alice.post(
        reverse("collab:space-member-role", args=[space.pk, cast.colleague.pk]), {"role": "owner"}
    )
    alice.post(
        reverse("collab:space-member-role", args=[space.pk, cast.colleague.pk]), {"role": "member"}
    )
    left = bruno.post(reverse("collab:space-member-remove", args=[space.pk, cast.colleague.pk]))
    archived = alice.post(reverse("collab:space-archive", args=[space.pk]))
    detail = alice.get(reverse("collab:space-detail", args=[space.pk])).content.decode()
    listing = alice.get(reverse("collab:space-list")).content.decode()
    listing_all = alice.get(reverse("collab:space-list") + "?archived=1").content.decode()

    assert saved.status_code == 302
    assert (forbidden.status_code, bruno_page.status_code) == (403, 403)
    assert promoted.status_code == 302
    assert left["Location"] == reverse("collab:space-list")
    assert archived.status_code == 302
    space.refresh_from_db()
    assert (space.name, space.goal) == ("Noël 2026", "Prêts")
    assert space.archived_at is not None
    assert roles(space) == {"alice.martin@example.com": "owner"}
    assert 'data-testid="space-archived-notice"' in detail
    assert 'data-testid="post-create"' not in detail
    assert f'data-space="{space.pk}"' not in listing
    assert f'data-space="{space.pk}"' in listing_all


def test_the_owners_forms_need_a_csrf_token(cast: Cast, space: Space) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.agent)

    response = client.post(reverse("collab:space-archive", args=[space.pk]))

    assert response.status_code == 403
    space.refresh_from_db()
    assert space.archived_at is None


def test_a_deactivated_owner_does_not_count_as_the_owner_left(cast: Cast, space: Space) -> None:
    alice = api(cast.agent)
    url = f"/spaces/{space.pk}/members"
    send(alice, "post", f"{url}/{cast.colleague.pk}/role", {"role": "owner"})
    User.objects.filter(pk=cast.colleague.pk).update(is_active=False)

    left = alice.delete(f"/api/v1/collab{url}/{cast.agent.pk}")

    assert (left.status_code, left.json()["code"]) == (409, "last_owner")
    assert roles(space)["alice.martin@example.com"] == "owner"
