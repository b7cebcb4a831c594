"""The social-media charter: versions HR writes, and who acknowledged which exact text."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def body_digest(body: str) -> str:
    """The SHA-256 of the text as stored: the proof of what an employee was shown."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class CharterVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    number = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField(help_text=_("Markdown."))
    # A material version asks every employee to acknowledge again; a minor one does not.
    material = models.BooleanField(default=True)
    body_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
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
        ordering = ["-number"]
        indexes = [models.Index(fields=["status", "published_at"])]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class AppendOnly(Exception):
    pass


class Acknowledgment(models.Model):
    """One employee's acknowledgment of one version; never changed once written."""

    version = models.ForeignKey(
        CharterVersion, on_delete=models.PROTECT, related_name="acknowledgments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="charter_acknowledgments"
    )
    acknowledged_at = models.DateTimeField()
    # The hash of the text the page showed, kept even though it must equal the version's:
    # it is the record of what was read, not a reference to it.
    body_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["acknowledged_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="charter_ack_once_per_version")
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnly("An acknowledgment is never changed once written.")
        super().save(*args, **kwargs)


class CharterReminder(models.Model):
    """When an employee was last reminded, so that nobody is nagged more than weekly."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="charter_reminder"
    )
    reminded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id} {self.reminded_at:%Y-%m-%d}"
