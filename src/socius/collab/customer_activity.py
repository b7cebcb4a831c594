"""A followed customer's new activities reach their followers, as folded notifications.

Core imports no context, so nothing in the people context may call into collab when an
entry is appended. Instead a periodic worker job reads the Activity log past a high-water
mark, finds the entries about followed persons (one index walk per followed person, on
``activity_person_newest``), and notifies each follower once per person and run; new runs
fold into the unread notification of thread ``person:<id>``.

The mark is itself an Activity entry (verb ``collab.customer_activity_relayed``), appended
in the same transaction as the notifications: a crashed run leaves neither, and the next
run starts again from the same mark. Entries younger than ``SETTLE`` are left for the next
run, so that a transaction still open with a lower id is not jumped over. A follower hears
only of entries recorded after they started following, so a first run (no mark yet) does
not replay anyone's history.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from socius.accounts.roles import Capability, role_has
from socius.collab.models import Follow, Notification
from socius.collab.services.notifications import NotificationEvent, notify
from socius.core.models import Activity, PeriodicJob
from socius.core.periodic import register_periodic
from socius.core.services import ActivityDraft, activity_append
from socius.core.verbs import register_verbs, verb_label

RELAY_VERB = "collab.customer_activity_relayed"
JOB_NAME = "collab.customer_activity_relay"
SETTLE = timedelta(seconds=20)
PERSONS_PER_QUERY = 500

register_verbs({RELAY_VERB: _("Customers' activity relayed to their followers")})


def relay_mark() -> int:
    """The highest Activity id already relayed (0 before the first run)."""
    payload = (
        Activity.objects.filter(verb=RELAY_VERB)
        .order_by("-occurred_at", "-id")
        .values_list("payload", flat=True)
        .first()
    )
    return int(payload.get("up_to", 0)) if isinstance(payload, dict) else 0


def _followers_by_person() -> dict[int, list[tuple[int, datetime]]]:
    """Active followers who may see people, with when they started following."""
    rows = Follow.objects.filter(person__isnull=False, follower__is_active=True).values_list(
        "person_id", "follower_id", "follower__role", "created_at"
    )
    followers: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    for person_id, follower_id, role, created_at in rows:
        if role_has(role, Capability.VIEW_PEOPLE):
            followers[person_id].append((follower_id, created_at))
    return followers


def _entries(person_ids: list[int], mark: int, upper: int) -> dict[int, list[Activity]]:
    entries: dict[int, list[Activity]] = defaultdict(list)
    for start in range(0, len(person_ids), PERSONS_PER_QUERY):
        chunk = person_ids[start : start + PERSONS_PER_QUERY]
        rows = Activity.objects.filter(person_id__in=chunk, id__gt=mark, id__lte=upper)
        for activity in rows.order_by("id").only(
            "id", "person_id", "actor_id", "verb", "summary", "recorded_at"
        ):
            entries[activity.person_id].append(activity)  # type: ignore[index]
    return entries


def _notify_followers(
    person_id: int, activities: list[Activity], followers: list[tuple[int, datetime]]
) -> int:
    # Each follower hears of the latest entry recorded since they followed, leaving out what
    # they did themselves; followers with the same latest entry share one call.
    by_latest: dict[int, list[int]] = defaultdict(list)
    latest: dict[int, Activity] = {}
    for follower_id, since in followers:
        newer = [
            activity
            for activity in activities
            if activity.recorded_at >= since and activity.actor_id != follower_id
        ]
        if newer:
            by_latest[newer[-1].pk].append(follower_id)
            latest[newer[-1].pk] = newer[-1]
    for activity_id, recipient_ids in by_latest.items():
        activity = latest[activity_id]
        label = verb_label(activity.verb)
        notify(
            recipient_ids=recipient_ids,
            event=NotificationEvent(
                kind=Notification.Kind.CUSTOMER_ACTIVITY,
                thread=f"person:{person_id}",
                actor=activity.actor,
                person_id=person_id,
                summary=f"{label} — {activity.summary}" if activity.summary else label,
            ),
        )
    return sum(len(ids) for ids in by_latest.values())


@transaction.atomic
def customer_activity_relay(*, now: datetime | None = None) -> int:
    """Notify followers of customers' entries past the mark; returns notifications sent."""
    cutoff = (now or timezone.now()) - SETTLE
    # Overlapping runs (a slow one still going when the next is due) take turns here on
    # PostgreSQL; on SQLite the second writer fails and rolls back whole.
    PeriodicJob.objects.select_for_update().filter(name=JOB_NAME).first()
    mark = relay_mark()
    # The relay's own entries are left out, or each run would find the previous one "new".
    settled = Activity.objects.filter(id__gt=mark, recorded_at__lt=cutoff).exclude(verb=RELAY_VERB)
    upper = settled.aggregate(upper=Max("id"))["upper"]
    if upper is None:
        return 0
    followers = _followers_by_person()
    entries = _entries(sorted(followers), mark, upper)
    sent = sum(
        _notify_followers(person_id, activities, followers[person_id])
        for person_id, activities in entries.items()
    )
    activity_append(ActivityDraft(verb=RELAY_VERB, payload={"up_to": upper, "notified": sent}))
    return sent


@task()
def collab_customer_activity_relay() -> int:
    return customer_activity_relay()


register_periodic(
    name=JOB_NAME,
    every=timedelta(minutes=1),
    task=collab_customer_activity_relay,
)
