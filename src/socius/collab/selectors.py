"""Reads of the social network, each answering only what the asking employee may see.

A secret space, and everything in it, does not exist for a non-member: every read goes
through ``spaces_visible_to`` and an id the user may not see answers "not found".
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from socius.accounts.models import User
from socius.collab.models import Membership, Post, Space
from socius.core.errors import NotFound


def _own_space_ids(user: User) -> QuerySet[Membership, Any]:
    # A subquery on the user's memberships (index membership_by_user): joining memberships
    # instead would read one row per member of every public space, then deduplicate.
    return Membership.objects.filter(user=user).values("space_id")


def spaces_visible_to(user: User) -> QuerySet[Space]:
    """Public and private spaces (listed), and the secret ones the user belongs to."""
    return Space.objects.filter(
        ~Q(visibility=Space.Visibility.SECRET) | Q(pk__in=_own_space_ids(user))
    )


def spaces_readable_by(user: User) -> QuerySet[Space]:
    """Spaces whose posts the user may read: public ones, and those they belong to."""
    return Space.objects.filter(
        Q(visibility=Space.Visibility.PUBLIC) | Q(pk__in=_own_space_ids(user))
    )


def space_is_readable_by(*, user: User, space: Space) -> bool:
    """The rule of ``spaces_readable_by`` for one space already at hand."""
    return (
        space.visibility == Space.Visibility.PUBLIC
        or membership_of(user=user, space=space) is not None
    )


def is_space_owner(*, user: User, space: Space) -> bool:
    return Membership.objects.filter(space=space, user=user, role=Membership.Role.OWNER).exists()


def space_get_for_user(*, user: User, space_id: int) -> Space:
    space = spaces_visible_to(user).filter(pk=space_id).first()
    if space is None:
        raise NotFound()
    return space


def membership_of(*, user: User, space: Space) -> Membership | None:
    return Membership.objects.filter(space=space, user=user).first()


def post_get_for_user(*, user: User, post_id: int) -> Post:
    """The post, if the user may read its space; otherwise "not found", whatever exists."""
    post = (
        Post.objects.filter(pk=post_id, space__in=spaces_readable_by(user))
        .select_related("space", "author")
        .first()
    )
    if post is None:
        raise NotFound()
    return post
