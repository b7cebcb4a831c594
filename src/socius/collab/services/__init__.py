"""Every write of the social network, each atomic and appending its Activity."""

from socius.collab.services.announcements import announcement_read_confirm
from socius.collab.services.attachments import attachments_add, post_create_with_attachments
from socius.collab.services.common import NotASpaceMember, NotASpaceOwner, SpaceArchived
from socius.collab.services.follows import feed_mark_seen, follow_create, follow_delete
from socius.collab.services.join_requests import (
    join_request_accept,
    join_request_decline,
    space_join_request,
)
from socius.collab.services.notifications import (
    notification_mark_read,
    notification_preferences_set,
    notifications_mark_all_read,
    notify,
    thread_mute,
    thread_unmute,
)
from socius.collab.services.posts import (
    answer_accept,
    comment_create,
    comment_edit,
    post_create,
    post_edit,
    post_pin,
)
from socius.collab.services.profiles import profile_update
from socius.collab.services.reactions import reaction_add, reaction_remove, reaction_toggle
from socius.collab.services.spaces import (
    space_archive,
    space_create,
    space_member_add,
    space_member_remove,
    space_member_role_set,
    space_unarchive,
    space_update,
)

__all__ = [
    "NotASpaceMember",
    "NotASpaceOwner",
    "SpaceArchived",
    "announcement_read_confirm",
    "answer_accept",
    "attachments_add",
    "comment_create",
    "comment_edit",
    "feed_mark_seen",
    "follow_create",
    "follow_delete",
    "join_request_accept",
    "join_request_decline",
    "notification_mark_read",
    "notification_preferences_set",
    "notifications_mark_all_read",
    "notify",
    "post_create",
    "post_create_with_attachments",
    "post_edit",
    "post_pin",
    "profile_update",
    "reaction_add",
    "reaction_remove",
    "reaction_toggle",
    "space_archive",
    "space_create",
    "space_join_request",
    "space_member_add",
    "space_member_remove",
    "space_member_role_set",
    "space_unarchive",
    "space_update",
    "thread_mute",
    "thread_unmute",
]
