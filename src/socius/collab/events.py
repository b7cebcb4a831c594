"""What follows a new post or comment: live updates and followers' notifications.

The posting services call these inside their transaction; everything they send goes out
after commit.
"""

from __future__ import annotations

from socius.collab.models import Comment, Post


def post_published(post: Post) -> None:
    """A new post reached its space."""


def comment_published(comment: Comment) -> None:
    """A new comment or reply reached its post."""
