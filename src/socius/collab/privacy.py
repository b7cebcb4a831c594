"""The social network's part in a person's export and erasure: who follows them, and the
notifications their activity gave to colleagues."""

from __future__ import annotations

from typing import Any

from socius.collab.models import Follow, Notification
from socius.people.exporters import register_person_eraser, register_person_exporter
from socius.people.models import Person


def followers_export(person: Person) -> dict[str, Any]:
    """For an administrator's export only: which employees follow this customer."""
    followers = (
        Follow.objects.filter(person=person).select_related("follower").order_by("created_at", "id")
    )
    return {
        "followed_by": [
            {"employee": follow.follower.email, "since": follow.created_at.isoformat()}
            for follow in followers
        ],
        "notifications_about": Notification.objects.filter(person=person).count(),
    }


def followers_erase(person: Person) -> int:
    """Nobody follows an erased person, and the notifications that quoted their activity go."""
    notifications, _ = Notification.objects.filter(person=person).delete()
    follows, _ = Follow.objects.filter(person=person).delete()
    return notifications + follows


def register_collab_privacy() -> None:
    covers = ("collab.Follow", "collab.Notification")
    register_person_exporter("collab_followers", followers_export, covers=covers)
    register_person_eraser("collab_followers", followers_erase, covers=covers)
