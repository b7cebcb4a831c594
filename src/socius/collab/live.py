"""Who may listen to the collaboration's live channels, and who hears of a new post.

Channels: ``space:<id>`` (new posts of a space) and ``post:<id>`` (new comments on a post),
each open only to colleagues who may read the space; a private or secret space's channels
are refused to everyone else, exactly as its pages answer "not found". The feed needs no
channel of its own: a new post is announced on each reader's ``user:<id>`` channel, which
only that colleague hears.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from socius.collab.models import Follow, Membership, Post, Space
from socius.collab.selectors import spaces_readable_by
from socius.core.ids import parse_id
from socius.core.live import register_channel_authorizer


def _may_listen_to_space(user: Any, suffix: str) -> bool:
    space_id = parse_id(suffix)
    return space_id is not None and spaces_readable_by(user).filter(pk=space_id).exists()


def _may_listen_to_post(user: Any, suffix: str) -> bool:
    post_id = parse_id(suffix)
    if post_id is None:
        return False
    return Post.objects.filter(pk=post_id, space__in=spaces_readable_by(user)).exists()


register_channel_authorizer("space", _may_listen_to_space)
register_channel_authorizer("post", _may_listen_to_post)


@dataclass(frozen=True)
class PostAudience:
    """Who learns of a new post: the space's members, and the followers who may read it."""

    member_ids: frozenset[int]
    follower_ids: frozenset[int]
    """Followers of the author, the space or a topic, who may read the post and are not
    members (members see it already: telling them twice is how floods start)."""

    @property
    def feed_reader_ids(self) -> frozenset[int]:
        return self.member_ids | self.follower_ids


def post_audience(post: Post) -> PostAudience:
    """Two queries whatever the number of followers and topics."""
    members = frozenset(
        Membership.objects.filter(space_id=post.space_id, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )
    if post.space.visibility != Space.Visibility.PUBLIC:
        # Only members may read it, and they already see it: nobody else hears of it.
        return PostAudience(member_ids=members, follower_ids=frozenset())
    followed = Q(space_id=post.space_id) | Q(topic__posts=post)
    if post.author_id is not None:
        followed |= Q(user_id=post.author_id)
    followers = frozenset(
        Follow.objects.filter(followed, follower__is_active=True).values_list(
            "follower_id", flat=True
        )
    )
    return PostAudience(member_ids=members, follower_ids=followers - members)
