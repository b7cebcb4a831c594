from __future__ import annotations

from django.db import models


class PortalLoginLink(models.Model):
    """A one-time sign-in link emailed to a customer; only its digest is stored."""

    email = models.EmailField()
    digest = models.CharField(max_length=64, unique=True)
    requested_from = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["email", "created_at"], name="portallink_email_time")]

    def __str__(self) -> str:
        return f"link for {self.email}"
