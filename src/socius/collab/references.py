"""The collaboration rows that point to a person, moved by the person hub's merges."""

from __future__ import annotations

from django.db.models import Exists, Model, OuterRef, QuerySet

from socius.collab.models import Follow


def follows_already_on_survivor(rows: QuerySet[Model], survivor_id: int) -> QuerySet[Model]:
    twin = Follow.objects.filter(person_id=survivor_id, follower=OuterRef("follower"))
    return rows.filter(Exists(twin))


def register_collab_person_references() -> None:
    from socius.people.references import register_person_reference

    register_person_reference(
        name="collab_follows",
        model_label="collab.Follow",
        field="person",
        keep_on_absorbed=follows_already_on_survivor,
    )
    register_person_reference(
        name="collab_notifications", model_label="collab.Notification", field="person"
    )
