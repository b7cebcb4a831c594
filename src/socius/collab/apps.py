from __future__ import annotations

from django.apps import AppConfig


class CollabConfig(AppConfig):
    name = "socius.collab"
    label = "collab"
    verbose_name = "Collaboration"
