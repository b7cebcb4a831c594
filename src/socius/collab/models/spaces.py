"""Spaces, their members and the requests to join a private one."""

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


class JoinRequest(models.Model):
    """A colleague asks to join a private space; one of its owners decides."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="space_join_requests"
    )
    message = models.CharField(max_length=500, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One open request per colleague and space; a declined one may be asked again.
            models.UniqueConstraint(
                fields=["space", "user"],
                condition=models.Q(state="pending"),
                name="join_request_one_pending",
            )
        ]
