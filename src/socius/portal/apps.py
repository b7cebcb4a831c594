from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "socius.portal"
    label = "portal"
    verbose_name = "Customer portal"

    def ready(self) -> None:
        # Imported for what they register: the person eraser and the periodic jobs.
        from socius.portal import privacy, tasks  # noqa: F401
