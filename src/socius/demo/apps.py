from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "socius.demo"
    label = "demo"
    verbose_name = "Demo data"

    def ready(self) -> None:
        from socius.demo import verbs  # noqa: F401 - registers the labels of the demo's verbs
