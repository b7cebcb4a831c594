"""Spaces, their members and the requests to join them through the API."""

from __future__ import annotations

from typing import Any

from ninja import Router, Status

from socius.accounts.api_auth import api_user
from socius.accounts.models import User
from socius.collab.api.auth import READ, WRITE
from socius.collab.models import JoinRequest, Membership, Space
from socius.collab.schemas import MemberIn, MemberOut, SpaceIn, SpaceOut
from socius.collab.schemas_spaces import (
    JoinRequestIn,
    JoinRequestOut,
    MemberRoleIn,
    MembershipOut,
    SpaceDetailOut,
    SpaceUpdateIn,
)
from socius.collab.selectors import space_get_for_user
from socius.collab.selectors_spaces import (
    join_request_get,
    join_requests_pending,
    space_member_count,
    space_members_for,
    space_membership_get,
    space_roles_of,
    spaces_listed_for,
    spaces_requested_by,
)
from socius.collab.services.join_requests import (
    join_request_accept,
    join_request_decline,
    space_join_request,
)
from socius.collab.services.spaces import (
    ensure_owner,
    space_archive,
    space_create,
    space_member_add,
    space_member_remove,
    space_member_role_set,
    space_unarchive,
    space_update,
)
from socius.core.errors import InvalidInput

router = Router(tags=["collab"])


def _space(
    space: Space, *, roles: dict[int, str], requested: set[int], member_count: int | None = None
) -> dict[str, Any]:
    return {
        "id": space.pk,
        "name": space.name,
        "slug": space.slug,
        "visibility": space.visibility,
        "description": space.description,
        "goal": space.goal,
        "created_at": space.created_at,
        "archived_at": space.archived_at,
        "is_archived": space.archived_at is not None,
        "department": space.department.slug if space.department else None,
        "role": roles.get(space.pk),
        "join_request": JoinRequest.State.PENDING if space.pk in requested else None,
        "member_count": member_count,
    }


def _join_request(join_request: JoinRequest) -> dict[str, Any]:
    return {
        "id": join_request.pk,
        "space_id": join_request.space_id,
        "user_id": join_request.user_id,
        "user": join_request.user.email,
        "name": join_request.user.full_name,
        "message": join_request.message,
        "state": join_request.state,
        "created_at": join_request.created_at,
        "decided_at": join_request.decided_at,
    }


def _membership(membership: Membership) -> dict[str, Any]:
    return {
        "space_id": membership.space_id,
        "user_id": membership.user_id,
        "user": membership.user.email,
        "name": membership.user.full_name,
        "role": membership.role,
        "from_department": membership.from_department,
    }


def _detail(actor: User, space: Space) -> dict[str, Any]:
    return _space(
        space,
        roles=space_roles_of(user=actor),
        requested=spaces_requested_by(user=actor),
        member_count=space_member_count(actor=actor, space=space),
    )


@router.post("/spaces", response={201: SpaceOut}, auth=WRITE)
def spaces_create(request: Any, data: SpaceIn) -> Status[Any]:
    space = space_create(
        actor=api_user(request),
        name=data.name,
        visibility=data.visibility,
        description=data.description,
        goal=data.goal,
    )
    return Status(201, space)


@router.get("/spaces", response=list[SpaceDetailOut], auth=READ)
def spaces_list(request: Any, archived: bool = False) -> list[dict[str, Any]]:
    """The spaces the caller sees; archived ones only with ``archived=true``."""
    actor = api_user(request)
    spaces = spaces_listed_for(user=actor, include_archived=archived).select_related("department")
    roles, requested = space_roles_of(user=actor), spaces_requested_by(user=actor)
    return [_space(space, roles=roles, requested=requested) for space in spaces]


@router.get("/spaces/{space_id}", response=SpaceDetailOut, auth=READ)
def spaces_detail(request: Any, space_id: int) -> dict[str, Any]:
    actor = api_user(request)
    return _detail(actor, space_get_for_user(user=actor, space_id=space_id))


@router.patch("/spaces/{space_id}", response=SpaceDetailOut, auth=WRITE)
def spaces_update(request: Any, space_id: int, data: SpaceUpdateIn) -> dict[str, Any]:
    actor = api_user(request)
    space = space_get_for_user(user=actor, space_id=space_id)
    space = space_update(
        actor=actor, space=space, name=data.name, description=data.description, goal=data.goal
    )
    return _detail(actor, space)


@router.post("/spaces/{space_id}/archive", response=SpaceDetailOut, auth=WRITE)
def spaces_archive(request: Any, space_id: int) -> dict[str, Any]:
    actor = api_user(request)
    space = space_archive(actor=actor, space=space_get_for_user(user=actor, space_id=space_id))
    return _detail(actor, space)


@router.post("/spaces/{space_id}/unarchive", response=SpaceDetailOut, auth=WRITE)
def spaces_unarchive(request: Any, space_id: int) -> dict[str, Any]:
    actor = api_user(request)
    space = space_unarchive(actor=actor, space=space_get_for_user(user=actor, space_id=space_id))
    return _detail(actor, space)


@router.get("/spaces/{space_id}/members", response=list[MembershipOut], auth=READ)
def spaces_members(request: Any, space_id: int) -> list[dict[str, Any]]:
    actor = api_user(request)
    space = space_get_for_user(user=actor, space_id=space_id)
    return [_membership(m) for m in space_members_for(user=actor, space=space)]


@router.post("/spaces/{space_id}/members", response={201: MemberOut}, auth=WRITE)
def spaces_member_add(request: Any, space_id: int, data: MemberIn) -> Status[dict[str, Any]]:
    actor = api_user(request)
    space = space_get_for_user(user=actor, space_id=space_id)
    user = User.objects.filter(email__iexact=data.user, is_active=True).first()
    if user is None:
        raise InvalidInput(details={"field": "user", "reason": "no_such_colleague"})
    membership = space_member_add(actor=actor, space=space, user=user)
    return Status(201, {"space_id": space.pk, "user": user.email, "role": membership.role})


@router.delete("/spaces/{space_id}/members/{user_id}", response={204: None}, auth=WRITE)
def spaces_member_remove(request: Any, space_id: int, user_id: int) -> Status[None]:
    """An owner removes a member; a member removes themselves to leave."""
    actor = api_user(request)
    space = space_get_for_user(user=actor, space_id=space_id)
    space_member_remove(
        actor=actor, membership=space_membership_get(actor=actor, space=space, user_id=user_id)
    )
    return Status(204, None)


@router.post("/spaces/{space_id}/members/{user_id}/role", response=MembershipOut, auth=WRITE)
def spaces_member_role(
    request: Any, space_id: int, user_id: int, data: MemberRoleIn
) -> dict[str, Any]:
    actor = api_user(request)
    space = space_get_for_user(user=actor, space_id=space_id)
    membership = space_membership_get(actor=actor, space=space, user_id=user_id)
    return _membership(space_member_role_set(actor=actor, membership=membership, role=data.role))


@router.post("/spaces/{space_id}/join-requests", response={201: JoinRequestOut}, auth=WRITE)
def spaces_join_request(request: Any, space_id: int, data: JoinRequestIn) -> Status[dict[str, Any]]:
    actor = api_user(request)
    space = space_get_for_user(user=actor, space_id=space_id)
    join_request = space_join_request(actor=actor, space=space, message=data.message)
    return Status(201, _join_request(join_request))


@router.get("/spaces/{space_id}/join-requests", response=list[JoinRequestOut], auth=READ)
def spaces_join_requests(request: Any, space_id: int) -> list[dict[str, Any]]:
    """The pending requests, for the space's owners."""
    actor = api_user(request)
    space = space_get_for_user(user=actor, space_id=space_id)
    ensure_owner(actor=actor, space=space)
    return [_join_request(r) for r in join_requests_pending(space=space)]


@router.post(
    "/spaces/{space_id}/join-requests/{request_id}/accept", response=MembershipOut, auth=WRITE
)
def spaces_join_request_accept(request: Any, space_id: int, request_id: int) -> dict[str, Any]:
    actor = api_user(request)
    space = space_get_for_user(user=actor, space_id=space_id)
    join_request = join_request_get(actor=actor, space=space, request_id=request_id)
    return _membership(join_request_accept(actor=actor, join_request=join_request))


@router.post(
    "/spaces/{space_id}/join-requests/{request_id}/decline", response=JoinRequestOut, auth=WRITE
)
def spaces_join_request_decline(request: Any, space_id: int, request_id: int) -> dict[str, Any]:
    actor = api_user(request)
    space = space_get_for_user(user=actor, space_id=space_id)
    join_request = join_request_get(actor=actor, space=space, request_id=request_id)
    return _join_request(join_request_decline(actor=actor, join_request=join_request))
