"""The enterprise social network: spaces, their members, posts and comments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Space(models.Model):
    """Where colleagues post: a team, a project, a department, a topic."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public: every employee reads and may join")
        PRIVATE = "private", _("Private: listed, joined on request")
        SECRET = "secret", _("Secret: only its members know it exists")

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    description = models.TextField(blank=True)
    goal = models.CharField(max_length=300, blank=True)
    department = models.OneToOneField(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="space",
        help_text=_("The department this space belongs to, if it is a department's space."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MEMBER = "member", _("Member")

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="space_memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    from_department = models.BooleanField(
        default=False,
        help_text=_("Given by the member's department, and taken back when they leave it."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["space", "user"], name="membership_once")]
        indexes = [models.Index(fields=["user", "space"], name="membership_by_user")]


class Post(models.Model):
    """A post in a space, written in Markdown; rendered and sanitized when shown."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["space", "-id"], name="post_by_space")]


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

    class Meta:
        indexes = [models.Index(fields=["post", "id"], name="comment_by_post")]
