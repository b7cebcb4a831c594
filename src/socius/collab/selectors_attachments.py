"""Reads of attachments: a file is served only to those who may read its post."""

from __future__ import annotations

from django.db.models import QuerySet

from socius.accounts.models import User
from socius.collab.models import Attachment, Post
from socius.collab.selectors import spaces_readable_by
from socius.core.errors import NotFound


def attachment_get_for_user(*, user: User, attachment_id: int) -> Attachment:
    """The attachment, if the user may read its post; otherwise "not found", whatever exists."""
    attachment = (
        Attachment.objects.filter(pk=attachment_id, post__space__in=spaces_readable_by(user))
        .select_related("post")
        .first()
    )
    if attachment is None:
        raise NotFound()
    return attachment


def attachments_of(*, post: Post) -> QuerySet[Attachment]:
    """A post's files and its comments' files, oldest first (the post already checked)."""
    return Attachment.objects.filter(post=post).order_by("pk")
