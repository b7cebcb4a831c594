"""Every write of the social network, each atomic and appending its Activity."""

from socius.collab.services.common import NotASpaceMember, NotASpaceOwner, SpaceArchived
from socius.collab.services.posts import comment_create, post_create
from socius.collab.services.spaces import space_create, space_member_add

__all__ = [
    "NotASpaceMember",
    "NotASpaceOwner",
    "SpaceArchived",
    "comment_create",
    "post_create",
    "space_create",
    "space_member_add",
]
