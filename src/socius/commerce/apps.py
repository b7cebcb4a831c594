from __future__ import annotations

from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "socius.commerce"
    label = "commerce"
    verbose_name = "Group buying and tickets"

    def ready(self) -> None:
        from socius.commerce.registry import register_commerce

        register_commerce()
