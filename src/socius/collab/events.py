"""What follows a new post or comment: live updates and followers' notifications.

The posting services call these inside their transaction; everything they send goes out
after commit, so a rolled-back post is never announced. Every event names only ids, and
goes only to colleagues who may read the space: the ``user:<id>`` channel of each reader,
or a ``space:``/``post:`` channel whose listeners were checked when they subscribed.
"""

from __future__ import annotations

from django.utils.text import Truncator

from socius.collab.live import post_audience
from socius.collab.models import Comment, Notification, Post
from socius.collab.services.notifications import NotificationEvent, notify
from socius.core.live import LiveEvent, publish_many_on_commit

FEED_POST_EVENT = "feed_post"
SPACE_POST_EVENT = "post"
COMMENT_EVENT = "comment"


def post_published(post: Post) -> None:
    """A new post reached its space."""
    audience = post_audience(post)
    data = {"post": post.pk, "space": post.space_id}
    events = [LiveEvent(channel=f"space:{post.space_id}", name=SPACE_POST_EVENT, data=data)]
    events += [
        LiveEvent(channel=f"user:{user_id}", name=FEED_POST_EVENT, data=data)
        for user_id in sorted(audience.feed_reader_ids)
    ]
    publish_many_on_commit(events)
    if audience.follower_ids:
        notify(
            recipient_ids=audience.follower_ids,
            event=NotificationEvent(
                kind=Notification.Kind.FOLLOWED_POST,
                thread=f"post:{post.pk}",
                actor=post.author,
                post=post,
                space=post.space,
                summary=Truncator(post.body).chars(200),
            ),
        )


def comment_published(comment: Comment) -> None:
    """A new comment or reply reached its post."""
    data = {"comment": comment.pk, "post": comment.post_id, "parent": comment.parent_id}
    publish_many_on_commit(
        [LiveEvent(channel=f"post:{comment.post_id}", name=COMMENT_EVENT, data=data)]
    )
