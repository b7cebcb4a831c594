from __future__ import annotations

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "socius.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        import socius.people.panels  # noqa: F401 - registers the page's panels and live channel
        from socius.people import tasks  # noqa: F401 - registers the periodic jobs
        from socius.people.reference_rules import (
            identifiers_already_on_survivor,
            inverse_relations_already_on_survivor,
            relations_already_on_survivor,
        )
        from socius.people.references import register_person_reference

        for name, model_label, field, keep in (
            ("activities", "core.Activity", "person", None),
            ("identifiers", "people.Identifier", "person", identifiers_already_on_survivor),
            ("interactions", "people.Interaction", "person", None),
            ("decisions", "people.ResolutionDecision", "person", None),
            ("relations", "people.Relation", "person", relations_already_on_survivor),
            (
                "inverse_relations",
                "people.Relation",
                "other",
                inverse_relations_already_on_survivor,
            ),
            ("consents", "people.ConsentEntry", "person", None),
            ("posts", "people.PersonPost", "person", None),
            ("privacy_requests", "people.PrivacyRequest", "person", None),
        ):
            register_person_reference(
                name=name, model_label=model_label, field=field, keep_on_absorbed=keep
            )
