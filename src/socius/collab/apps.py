from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollabConfig(AppConfig):
    name = "socius.collab"
    label = "collab"
    verbose_name = "Collaboration"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        # Imported for what they register: the notification digests, the customer-activity
        # relay (worker jobs) and who may listen to the space: and post: live channels.
        from socius.collab import customer_activity, live, tasks  # noqa: F401
        from socius.collab.departments import on_department_saved, on_user_saved
        from socius.collab.privacy import register_collab_privacy
        from socius.collab.references import register_collab_person_references
        from socius.people.panels import register_person_panel

        register_collab_person_references()
        register_collab_privacy()
        register_person_panel(
            "collab_follow",
            title=_("Follow"),
            template="collab/includes/person_follow_panel.html",
            context=lambda person, user: {},
            order=200,
        )

        post_save.connect(on_department_saved, sender="accounts.Department", weak=False)
        post_save.connect(on_user_saved, sender="accounts.User", weak=False)
