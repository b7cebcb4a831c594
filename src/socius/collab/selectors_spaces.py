"""Reads about spaces' people: members, owners and requests to join.

Every function takes a space already fetched through ``selectors.space_get_for_user``, so
the caller has been checked to know that the space exists.
"""

from __future__ import annotations

from django.db.models import QuerySet

from socius.accounts.models import User
from socius.collab.models import JoinRequest, Membership, Space
from socius.collab.selectors import space_is_readable_by, spaces_visible_to
from socius.core.errors import NotFound


def spaces_listed_for(*, user: User, include_archived: bool = False) -> QuerySet[Space]:
    """The spaces a user sees in lists, archived ones only on demand (they stay reachable)."""
    spaces = spaces_visible_to(user)
    if not include_archived:
        spaces = spaces.filter(archived_at__isnull=True)
    return spaces.order_by("name", "pk")


def space_members(*, space: Space) -> QuerySet[Membership]:
    """Owners first, then members, by name."""
    return (
        Membership.objects.filter(space=space)
        .select_related("user", "user__department")
        # "owner" sorts after "member": descending puts the owners on top.
        .order_by("-role", "user__full_name", "pk")
    )


def space_owner_ids(*, space: Space) -> list[int]:
    return list(
        Membership.objects.filter(space=space, role=Membership.Role.OWNER).values_list(
            "user_id", flat=True
        )
    )


def space_membership_get(*, actor: User, space: Space, user_id: int) -> Membership:
    """The membership of this colleague in this space, or "not found"; asked by someone who
    may see the space's members (public space, or one of its members), else "not found"
    too, so that nobody learns who belongs to a closed space by trying ids."""
    if not space_is_readable_by(user=actor, space=space):
        raise NotFound()
    membership = Membership.objects.filter(space=space, user_id=user_id).select_related("user")
    found = membership.first()
    if found is None:
        raise NotFound()
    return found


def join_requests_pending(*, space: Space) -> QuerySet[JoinRequest]:
    return (
        JoinRequest.objects.filter(space=space, state=JoinRequest.State.PENDING)
        .select_related("user", "user__department")
        .order_by("created_at", "pk")
    )


def join_request_pending_of(*, space: Space, user: User) -> JoinRequest | None:
    return JoinRequest.objects.filter(
        space=space, user=user, state=JoinRequest.State.PENDING
    ).first()


def join_request_get(*, actor: User, space: Space, request_id: int) -> JoinRequest:
    """A request to join this space (whatever its state), for one of its owners; anyone
    else gets "not found"."""
    if not space.memberships.filter(user=actor, role=Membership.Role.OWNER).exists():
        raise NotFound()
    found = JoinRequest.objects.filter(space=space, pk=request_id).select_related("user").first()
    if found is None:
        raise NotFound()
    return found


def space_member_count(*, actor: User, space: Space) -> int | None:
    """How many active colleagues belong to it; how big a closed space is stays with its
    members (None for anyone else)."""
    if not space_is_readable_by(user=actor, space=space):
        return None
    return space.memberships.filter(user__is_active=True).count()


def space_members_for(*, user: User, space: Space) -> QuerySet[Membership]:
    """Who belongs to the space: anyone may see a public space's members, members the rest."""
    from socius.collab.services.common import NotASpaceMember

    if not space_is_readable_by(user=user, space=space):
        raise NotASpaceMember(details={"space": space.pk})
    return space_members(space=space)


def space_roles_of(*, user: User) -> dict[int, str]:
    """The user's role in each of their spaces, by space id (one query for any list)."""
    return dict(Membership.objects.filter(user=user).values_list("space_id", "role"))


def spaces_requested_by(*, user: User) -> set[int]:
    """The spaces the user asked to join and awaits an answer from."""
    return set(
        JoinRequest.objects.filter(user=user, state=JoinRequest.State.PENDING).values_list(
            "space_id", flat=True
        )
    )
