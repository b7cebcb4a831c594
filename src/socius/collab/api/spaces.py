"""Spaces and their members through the API."""

from __future__ import annotations

from typing import Any

from ninja import Router, Status

from socius.accounts.api_auth import api_user
from socius.accounts.models import User
from socius.collab.api.auth import WRITE
from socius.collab.schemas import MemberIn, MemberOut, SpaceIn, SpaceOut
from socius.collab.selectors import space_get_for_user
from socius.collab.services import space_create, space_member_add
from socius.core.errors import InvalidInput

router = Router(tags=["collab"])


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


@router.post("/spaces/{space_id}/members", response={201: MemberOut}, auth=WRITE)
def spaces_member_add(request: Any, space_id: int, data: MemberIn) -> Status[dict[str, Any]]:
    actor = api_user(request)
    space = space_get_for_user(user=actor, space_id=space_id)
    user = User.objects.filter(email__iexact=data.user, is_active=True).first()
    if user is None:
        raise InvalidInput(details={"field": "user", "reason": "no_such_colleague"})
    membership = space_member_add(actor=actor, space=space, user=user)
    return Status(201, {"space_id": space.pk, "user": user.email, "role": membership.role})
