"""The maturity assessment: campaigns, who was invited, and anonymous answers.

Anonymity is structural: nothing links a ``Response`` to a user. An ``Invitation`` only
says whether someone answered; responses carry random ids and no date at all, since even a
day could be lined up with who was present that day.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    name = models.CharField(max_length=200)
    label = models.CharField(max_length=20, help_text=_("T0, T1…"))
    questionnaire_version = models.CharField(max_length=32)
    include_green = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    opened_on = models.DateField(null=True, blank=True)
    closes_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    departments = models.ManyToManyField("accounts.Department", blank=True, related_name="+")
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="followers"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.label} {self.name}"


class Invitation(models.Model):
    """Who was asked, and whether they answered: the only per-person trace, and no time."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="maturity_invitations"
    )
    answered = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="maturity_invited_once")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.user_id}"


class Response(models.Model):
    class Group(models.TextChoices):
        MANAGEMENT = "management", _("Management")
        STAFF = "staff", _("Staff")
        UNKNOWN = "", _("Not recorded")

    # Random ids: a sequence would give the order of answering away.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    # Group and department are recorded only when at least 5 invitees share them, so that
    # no response narrows down to fewer than 5 people (see services._profile).
    group = models.CharField(max_length=16, choices=Group.choices, blank=True)
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["campaign", "department"])]

    def __str__(self) -> str:
        return str(self.id)


class Answer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.CharField(max_length=16)
    value = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Empty: don't know.")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="maturity_answer_once"),
            models.CheckConstraint(
                condition=models.Q(value__isnull=True) | models.Q(value__gte=1, value__lte=5),
                name="maturity_answer_on_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}={self.value}"
