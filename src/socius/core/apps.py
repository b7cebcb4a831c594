from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "socius.core"
    label = "core"
    verbose_name = "Socius core"

    def ready(self) -> None:
        # Periodic jobs register themselves when their tasks module is imported.
        from socius.core import tasks  # noqa: F401
