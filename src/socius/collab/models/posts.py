"""Posts and what hangs on them: revisions, comments, reactions, mentions, topics, files."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from socius.collab.models.spaces import Space


class Topic(models.Model):
    """A ``#topic`` written in posts; colleagues follow topics across spaces."""

    name = models.CharField(max_length=64)
    slug = models.SlugField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"#{self.name}"


class Post(models.Model):
    """A post in a space, written in Markdown; rendered and sanitized when shown."""

    class Kind(models.TextChoices):
        POST = "post", _("Post")
        QUESTION = "question", _("Question")
        ANNOUNCEMENT = "announcement", _("Announcement")

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.POST)
    body = models.TextField()
    topics = models.ManyToManyField(Topic, blank=True, related_name="posts")
    pinned_at = models.DateTimeField(null=True, blank=True)
    accepted_comment = models.ForeignKey(
        "Comment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept by the services with F() so that lists never count rows per post.
    comment_count = models.PositiveIntegerField(default=0)
    reaction_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["space", "-id"], name="post_by_space"),
            models.Index(fields=["author", "-id"], name="post_by_author"),
        ]


class PostRevision(models.Model):
    """The text a post had before an edit: the edit history, oldest first."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)


class Comment(models.Model):
    """A comment on a post, or a reply to a comment (one level: replies take no replies)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["post", "id"], name="comment_by_post")]


class Reaction(models.Model):
    """One colleague's reaction of one kind on a post or on a comment."""

    class Kind(models.TextChoices):
        LIKE = "like", _("Like")
        CELEBRATE = "celebrate", _("Celebrate")
        SUPPORT = "support", _("Support")
        INSIGHTFUL = "insightful", _("Insightful")
        CURIOUS = "curious", _("Curious")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reactions"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.LIKE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "user", "kind"],
                condition=models.Q(comment__isnull=True),
                name="reaction_once_on_post",
            ),
            models.UniqueConstraint(
                fields=["comment", "user", "kind"],
                condition=models.Q(comment__isnull=False),
                name="reaction_once_on_comment",
            ),
        ]


class Mention(models.Model):
    """An ``@colleague`` or ``@department`` written in a post or a comment."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="mentions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, department__isnull=True)
                | models.Q(user__isnull=True, department__isnull=False),
                name="mention_names_one_target",
            )
        ]


class AnnouncementRead(models.Model):
    """A member confirms having read an announcement."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    confirmed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="announcement_read_once")
        ]


def _attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is random: the uploader's file name is metadata, never a path.
    return f"collab/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """An image or document attached to a post or a comment, served only to its readers."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    is_image = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
