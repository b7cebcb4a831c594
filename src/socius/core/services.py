"""Writes of the shared kernel: the Activity log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from django.db import transaction
from django.utils import timezone

from socius.core.bulk import bulk_insert, bulk_insert_values
from socius.core.live import LiveEvent, publish_many_on_commit, publish_on_commit
from socius.core.models import Activity, Visibility


@dataclass(frozen=True)
class ActivityObject:
    """What an activity is about, named without importing the owning context."""

    type: str
    id: str | int

    @classmethod
    def of(cls, instance: Any) -> ActivityObject:
        return cls(type=instance._meta.label_lower, id=instance.pk)


class ActivityRow(NamedTuple):
    """An entry as the plain values of its columns (attnames), ready to insert: what
    ``ActivityDraft.to_row`` gives and ``activity_append_rows`` writes."""

    verb: str
    actor_id: int | None
    person_id: int | None
    department_id: int | None
    object_type: str
    object_id: str
    channel: str
    visibility: str
    summary: str
    payload: dict[str, Any]
    occurred_at: datetime


_ROW_FIELDS = list(ActivityRow._fields)


@dataclass
class ActivityDraft:
    verb: str
    actor_id: int | None = None
    person_id: int | None = None
    department_id: int | None = None
    about: ActivityObject | None = None
    channel: str = ""
    visibility: str = Visibility.INTERNAL
    summary: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    occurred_at: datetime | None = None

    def to_model(self) -> Activity:
        return Activity(
            verb=self.verb,
            actor_id=self.actor_id,
            person_id=self.person_id,
            department_id=self.department_id,
            object_type=self.about.type if self.about else "",
            object_id=str(self.about.id) if self.about else "",
            channel=self.channel,
            visibility=self.visibility,
            summary=self.summary[:500],
            payload=self.payload,
            occurred_at=self.occurred_at or timezone.now(),
        )

    def to_row(self) -> ActivityRow:
        """The values ``to_model`` gives the entry, without building the model."""
        about = self.about
        return ActivityRow(
            self.verb,
            self.actor_id,
            self.person_id,
            self.department_id,
            about.type if about else "",
            str(about.id) if about else "",
            self.channel,
            # A choices member is stored as its value: the same text, as a plain str.
            str(self.visibility),
            self.summary[:500],
            self.payload,
            self.occurred_at or timezone.now(),
        )


def activity_append(draft: ActivityDraft) -> Activity:
    """Append one entry; must run inside the caller's transaction so both commit together."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("activity_append must run inside the transaction of the change.")
    activity = draft.to_model()
    activity.save()
    _publish_on_commit(activity)
    return activity


def activity_append_bulk(drafts: list[ActivityDraft]) -> list[Activity]:
    """Append many entries in one statement, with the live updates of ``activity_append``."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("activity_append_bulk must run inside the transaction of the change.")
    activities = [draft.to_model() for draft in drafts]
    bulk_insert(Activity, activities)
    # One event per channel, naming its latest entry: a page refreshes once per write.
    latest: dict[str, LiveEvent] = {}
    for activity in activities:
        for event in _live_events(activity):
            latest[event.channel] = event
    publish_many_on_commit(list(latest.values()))
    return activities


def activity_append_rows(rows: list[ActivityRow]) -> list[int]:
    """``activity_append_bulk`` from plain values (``ActivityDraft.to_row``): the same rows
    and live updates, without a model instance per entry, which costs more than writing
    it. Returns the new entries' ids, in order."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("activity_append_rows must run inside the transaction of the change.")
    ids = bulk_insert_values(Activity, _ROW_FIELDS, rows)
    latest: dict[str, LiveEvent] = {}
    for pk, row in zip(ids, rows, strict=True):
        events = _events(
            pk, row.verb, row.visibility, row.department_id, row.actor_id, row.person_id
        )
        for event in events:
            latest[event.channel] = event
    publish_many_on_commit(list(latest.values()))
    return ids


def _publish_on_commit(activity: Activity) -> None:
    for event in _live_events(activity):
        publish_on_commit(event)


def _live_events(activity: Activity) -> list[LiveEvent]:
    return _events(
        activity.pk,
        activity.verb,
        activity.visibility,
        activity.department_id,
        activity.actor_id,
        activity.person_id,
    )


def _events(
    pk: int,
    verb: str,
    visibility: str,
    department_id: int | None,
    actor_id: int | None,
    person_id: int | None,
) -> list[LiveEvent]:
    # Pages showing recent activity refresh their panels once the change is committed.
    data = {"id": pk, "verb": verb}
    events: list[LiveEvent] = []
    if visibility == Visibility.RESTRICTED:
        return events  # its context tells those taking part in its own channels
    if department_id is not None:
        channel = f"department:{department_id}"
        events.append(LiveEvent(channel=channel, name="activity", data=data))
    if actor_id is not None:
        events.append(LiveEvent(channel="company", name="activity", data=data))
    if person_id is not None:  # the person's page refreshes its timeline
        channel = f"person:{person_id}"
        events.append(LiveEvent(channel=channel, name="timeline", data=data))
    return events


def activity_append_many(drafts: list[ActivityDraft], *, batch_size: int = 2000) -> int:
    """Bulk append, for imports and demo data; same rule as ``activity_append``."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("activity_append_many must run inside the transaction of the change.")
    objects = [draft.to_model() for draft in drafts]
    for start in range(0, len(objects), batch_size):
        bulk_insert(Activity, objects[start : start + batch_size])
    return len(objects)


def activity_reassign_person(*, from_person_id: int, to_person_id: int) -> list[int]:
    """Re-point a person's entries to another person; returns the moved ids (for undo)."""
    moved = list(Activity.objects.filter(person_id=from_person_id).values_list("id", flat=True))
    Activity.objects.filter(id__in=moved).update(person_id=to_person_id)
    return moved


def activity_scrub_person(*, person_id: int) -> int:
    """Blank the summary and payload of every entry on a person's timeline (erasure).

    The entries stay (verbs, times and departments keep the company's statistics true);
    what they said about the human goes. Returns the number of entries scrubbed.
    """
    return Activity.objects.filter(person_id=person_id).update(summary="", payload={"erased": True})


def activity_scrub_about(*, object_type: str, object_ids: list[int]) -> int:
    """Scrub the entries about these rows on every timeline (erasure).

    A relation appears on both persons' timelines, naming the other person: erasing one of
    them scrubs the entries about their relations on the other's timeline too.
    """
    if not object_ids:
        return 0
    return Activity.objects.filter(
        object_type=object_type, object_id__in=[str(pk) for pk in object_ids]
    ).update(summary="", payload={"erased": True})
