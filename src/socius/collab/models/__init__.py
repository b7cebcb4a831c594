"""The enterprise social network's tables, one module per concern."""

from socius.collab.models.directory import Profile
from socius.collab.models.follows import FeedMarker, Follow
from socius.collab.models.notifications import Notification, NotificationPreference, ThreadMute
from socius.collab.models.posts import (
    AnnouncementRead,
    Attachment,
    Comment,
    Mention,
    Post,
    PostRevision,
    Reaction,
    Topic,
)
from socius.collab.models.spaces import JoinRequest, Membership, Space

__all__ = [
    "AnnouncementRead",
    "Attachment",
    "Comment",
    "FeedMarker",
    "Follow",
    "JoinRequest",
    "Membership",
    "Mention",
    "Notification",
    "NotificationPreference",
    "Post",
    "PostRevision",
    "Profile",
    "Reaction",
    "Space",
    "ThreadMute",
    "Topic",
]
