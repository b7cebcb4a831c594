from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "socius.portal"
    label = "portal"
    verbose_name = "Customer portal"

    def ready(self) -> None:
        from socius.portal import tasks  # noqa: F401 - registers the periodic jobs
