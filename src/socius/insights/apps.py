from __future__ import annotations

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "socius.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        # Periodic jobs register themselves when their tasks module is imported.
        from socius.core.guards import register_public_speech_guard
        from socius.insights import presence, tasks  # noqa: F401  (signal, periodic jobs)
        from socius.insights.selectors import charter_speech_guard

        register_public_speech_guard("charter", charter_speech_guard)
