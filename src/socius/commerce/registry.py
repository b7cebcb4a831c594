"""What group buying registers with the rest of Socius when the app is ready."""

from __future__ import annotations


def register_commerce() -> None:
    from socius.people.references import register_person_reference

    register_person_reference(
        name="commerce_groups", model_label="commerce.GroupOrder", field="organiser"
    )
    register_person_reference(
        name="commerce_participants", model_label="commerce.Participant", field="person"
    )
    register_person_reference(
        name="commerce_tickets", model_label="commerce.Ticket", field="holder"
    )
