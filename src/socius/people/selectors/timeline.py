"""The person's unified timeline: the Activity log read by target person.

One query per page whatever the timeline's length: keyset pagination walks the
``activity_person_timeline`` index (person, -occurred_at, -id) instead of counting offsets.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, F, Max, Min, OuterRef, Q, Subquery
from django.utils.http import urlencode

from socius.core.models import Activity
from socius.core.pagination import Page, keyset_page
from socius.core.verbs import verb_label
from socius.people.models import Merge, Person
from socius.people.selectors.card import DepartmentSeen

TIMELINE_ORDERING = ("-occurred_at", "-id")
TIMELINE_PAGE_SIZE = 25
FACETS_CACHE_SECONDS = 10 * 60


@dataclass(frozen=True)
class TimelineFilters:
    department: str | None = None
    channel: str | None = None
    kind: str | None = None

    @classmethod
    def clean(
        cls, *, department: str | None, channel: str | None, kind: str | None
    ) -> TimelineFilters:
        """Filters from raw query values: blanks mean "any"."""
        return cls(
            department=(department or "").strip() or None,
            channel=(channel or "").strip() or None,
            kind=(kind or "").strip() or None,
        )

    @property
    def is_active(self) -> bool:
        return any((self.department, self.channel, self.kind))

    def querystring(self, **extra: str) -> str:
        """The filters (and ``extra`` such as a cursor) as a URL query, empty values left out."""
        values = {"department": self.department, "channel": self.channel, "kind": self.kind}
        values.update(extra)
        return urlencode({key: value for key, value in values.items() if value})


def timeline_label(verb: str) -> str:
    """A verb's label; ingested interactions ("interaction.<kind>") are named by their kind."""
    label = verb_label(verb)
    prefix, _dot, kind = verb.partition(".")
    if label == verb and prefix == "interaction" and kind:
        return kind.replace("_", " ").capitalize()
    return label


@dataclass(frozen=True)
class TimelineEntry:
    activity: Activity
    label: str


def timeline_entries(page: Page[Activity]) -> list[TimelineEntry]:
    return [TimelineEntry(activity, timeline_label(activity.verb)) for activity in page.items]


@dataclass(frozen=True)
class FilterOption:
    value: str
    label: str


@dataclass(frozen=True)
class TimelineFacets:
    """What the timeline can be filtered on, and the departments strip, from one query."""

    departments: list[DepartmentSeen]
    channels: list[FilterOption]
    kinds: list[FilterOption]


def timeline_page(
    person: Person,
    cursor: str | None = None,
    *,
    department: str | None = None,
    channel: str | None = None,
    kind: str | None = None,
    size: int = TIMELINE_PAGE_SIZE,
) -> Page[Activity]:
    """The person's entries, newest first; raises InvalidCursor for a forged cursor."""
    activities = Activity.objects.filter(person_id=person.pk).select_related("actor", "department")
    if department:
        activities = activities.filter(department__slug=department)
    if channel:
        activities = activities.filter(channel=channel)
    if kind:
        activities = activities.filter(verb=kind)
    return keyset_page(activities, ordering=TIMELINE_ORDERING, cursor=cursor or None, size=size)


@dataclass
class _DepartmentTally:
    name: str
    first_at: dt.datetime
    last_at: dt.datetime
    count: int = 0

    def add(self, first_at: dt.datetime, last_at: dt.datetime, count: int) -> None:
        self.first_at = min(self.first_at, first_at)
        self.last_at = max(self.last_at, last_at)
        self.count += count


@dataclass(frozen=True)
class _FacetValues:
    """What the facets query found, without labels (they follow the reader's language)."""

    departments: list[DepartmentSeen]
    channels: list[str]
    verbs: list[str]


def timeline_facets(person: Person) -> TimelineFacets:
    """Departments (ordered by first contact), channels and kinds of the person's entries.

    Grouping a long timeline reads every entry, so the result is kept while the timeline
    stays the same, as told by one cheap query: the newest entry id (an append changes it)
    and the latest merge or undo naming the person (they move older entries in or out).
    An entry committed late, after a newer one (PostgreSQL only), shows when the kept
    result expires.
    """
    # The creation time tells apart two persons given the same id (after a rolled-back test).
    state = repr((person.pk, person.created_at, *_timeline_fingerprint(person)))
    key = f"people:timeline-facets:v1:{hashlib.sha256(state.encode()).hexdigest()}"
    values: _FacetValues | None = cache.get(key)
    if values is None:
        values = _facet_values(person)
        cache.set(key, values, FACETS_CACHE_SECONDS)
    return TimelineFacets(
        departments=values.departments,
        channels=[FilterOption(channel, channel) for channel in values.channels],
        kinds=sorted(
            (FilterOption(verb, timeline_label(verb)) for verb in values.verbs),
            key=lambda option: option.label,
        ),
    )


def _timeline_fingerprint(person: Person) -> tuple[object, ...]:
    entries = Activity.objects.filter(person_id=OuterRef("pk")).order_by("-id")
    merges = Merge.objects.filter(
        Q(survivor_id=OuterRef("pk")) | Q(absorbed_id=OuterRef("pk"))
    ).order_by()
    row = (
        Person.objects.filter(pk=person.pk)
        .annotate(
            newest=Subquery(entries.values("id")[:1]),
            merged=Subquery(merges.order_by("-id").values("id")[:1]),
            undone=Subquery(
                merges.order_by(F("undone_at").desc(nulls_last=True)).values("undone_at")[:1]
            ),
        )
        .values_list("newest", "merged", "undone")
        .first()
    )
    return tuple(row or ())


def _facet_values(person: Person) -> _FacetValues:
    rows = (
        Activity.objects.filter(person_id=person.pk)
        .values("department__slug", "department__name", "channel", "verb")
        .annotate(first_at=Min("occurred_at"), last_at=Max("occurred_at"), count=Count("id"))
        .order_by()
    )
    tallies: dict[str, _DepartmentTally] = {}
    channels: set[str] = set()
    verbs: set[str] = set()
    for row in rows:
        if row["channel"]:
            channels.add(row["channel"])
        verbs.add(row["verb"])
        slug = row["department__slug"]
        if slug is not None:
            tally = tallies.setdefault(
                slug, _DepartmentTally(row["department__name"], row["first_at"], row["last_at"])
            )
            tally.add(row["first_at"], row["last_at"], row["count"])
    departments = sorted(
        (
            DepartmentSeen(slug, tally.name, tally.first_at, tally.last_at, tally.count)
            for slug, tally in tallies.items()
        ),
        key=lambda seen: (seen.first_at, seen.name),
    )
    return _FacetValues(departments, sorted(channels), sorted(verbs))
