from __future__ import annotations

from django.apps import AppConfig


class CollabConfig(AppConfig):
    name = "socius.collab"
    label = "collab"
    verbose_name = "Collaboration"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from socius.collab.departments import on_department_saved, on_user_saved
        from socius.collab.references import register_collab_person_references

        register_collab_person_references()

        post_save.connect(on_department_saved, sender="accounts.Department", weak=False)
        post_save.connect(on_user_saved, sender="accounts.User", weak=False)
