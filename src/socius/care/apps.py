from __future__ import annotations

from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "socius.care"
    label = "care"
    verbose_name = "Customer care"

    def ready(self) -> None:
        from socius.care.registry import register_care

        register_care()
