"""Posts and comments."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import User
from socius.collab.models import Comment, Post, Space
from socius.collab.selectors import membership_of
from socius.collab.services.common import (
    NotASpaceMember,
    append_activity,
    clean_body,
    ensure_writable,
)
from socius.core.errors import InvalidInput
from socius.core.verbs import register_verbs

register_verbs(
    {
        "collab.post_created": _("Post published"),
        "collab.comment_created": _("Comment written"),
    }
)


@transaction.atomic
def post_create(*, actor: User, space: Space, body: str) -> Post:
    """Members post; the Markdown is kept as written and sanitized when rendered."""
    ensure_writable(space)
    if membership_of(user=actor, space=space) is None:
        raise NotASpaceMember(details={"space": space.pk})
    post = Post.objects.create(space=space, author=actor, body=clean_body(body))
    append_activity(actor, "collab.post_created", post, space)
    return post


@transaction.atomic
def comment_create(*, actor: User, post: Post, body: str, parent: Comment | None = None) -> Comment:
    """Whoever may read the post comments on it; a reply answers a comment, not a reply."""
    ensure_writable(post.space)
    if (
        post.space.visibility != Space.Visibility.PUBLIC
        and membership_of(user=actor, space=post.space) is None
    ):
        raise NotASpaceMember(details={"space": post.space_id})
    if parent is not None:
        if parent.post_id != post.pk:
            raise InvalidInput(details={"field": "parent", "reason": "another_post"})
        if parent.parent_id is not None:
            raise InvalidInput(details={"field": "parent", "reason": "replies_take_no_replies"})
    comment = Comment.objects.create(post=post, author=actor, parent=parent, body=clean_body(body))
    append_activity(actor, "collab.comment_created", comment, post.space)
    return comment
