"""What a colleague tells the others about themselves in the directory."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    title = models.CharField(max_length=120, blank=True)
    skills = models.CharField(max_length=500, blank=True)
    ask_me_about = models.CharField(max_length=500, blank=True)
    about = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
