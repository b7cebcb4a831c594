from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "socius.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from socius.accounts import tasks  # noqa: F401 - registers the periodic jobs
        from socius.people.references import register_person_reference

        # An employee's login follows their person through a merge.
        register_person_reference(name="employee", model_label="accounts.User", field="person")
