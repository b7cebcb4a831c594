"""Reads of the charter: which version binds, who is pending, and rates per department.

No figure ever describes fewer than ``MIN_GROUP`` people: smaller departments are merged
into "Other departments", and that group is hidden when it is still too small.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from socius.accounts.models import User
from socius.accounts.roles import Capability
from socius.core.errors import NotFound
from socius.insights.models import Acknowledgment, CharterVersion

MIN_GROUP = 5
OTHER = "other"


def may_manage_charter(user: User) -> bool:
    return user.is_authenticated and user.can(Capability.MANAGE_CHARTER)


def _published() -> QuerySet[CharterVersion]:
    return CharterVersion.objects.filter(status=CharterVersion.Status.PUBLISHED).order_by(
        "-published_at", "-pk"
    )


def charter_current() -> CharterVersion | None:
    """The latest published version: the text every employee reads."""
    return _published().first()


def charter_binding_version() -> CharterVersion | None:
    """The latest published material version: the one employees must have acknowledged.
    A later minor version changes the wording, not what was agreed."""
    return _published().filter(material=True).first()


def charter_versions() -> list[CharterVersion]:
    return list(CharterVersion.objects.select_related("published_by").order_by("-number"))


def charter_version_get_for_manager(*, user: User, version_id: int) -> CharterVersion:
    """A version for someone who manages the charter; 404 for everyone else."""
    version = CharterVersion.objects.filter(pk=version_id).first()
    # Someone who may not manage the charter learns nothing, not even that the id exists.
    if version is None or not may_manage_charter(user):
        raise NotFound()
    return version


def in_good_standing(user: User, binding: CharterVersion) -> bool:
    """Acknowledging the binding version or any version published after it counts: a later
    text includes the material change."""
    assert binding.published_at is not None
    return Acknowledgment.objects.filter(
        user=user,
        version__status=CharterVersion.Status.PUBLISHED,
        version__published_at__gte=binding.published_at,
    ).exists()


def users_in_good_standing(binding: CharterVersion) -> set[int]:
    """The ids of ``in_good_standing`` employees, in one query."""
    return set(
        Acknowledgment.objects.filter(
            version__status=CharterVersion.Status.PUBLISHED,
            version__published_at__gte=_published_at(binding),
        ).values_list("user_id", flat=True)
    )


def charter_pending_for(user: User) -> bool:
    binding = charter_binding_version()
    return binding is not None and not in_good_standing(user, binding)


def charter_acknowledgment_of(*, user: User, version: CharterVersion) -> Acknowledgment | None:
    return Acknowledgment.objects.filter(user=user, version=version).first()


def may_post_publicly(user: User) -> bool:
    """Whether ``user`` may post in public spaces: reading stays open to everyone, posting
    waits for the binding charter to be acknowledged (when the gate is on)."""
    if not settings.CHARTER_GATE_POSTING:
        return True
    return not charter_pending_for(user)


def charter_speech_guard(user: User) -> None:
    """Asked by the social network before a post or comment in a public space."""
    from socius.insights.errors import CharterNotAcknowledged

    if not may_post_publicly(user):
        raise CharterNotAcknowledged()


@dataclass(frozen=True)
class _Member:
    user_id: int
    group: str  # the department slug, or "" for no department
    joined: datetime


def _members() -> tuple[list[_Member], dict[str, str]]:
    rows = User.objects.filter(is_active=True).values_list(
        "pk", "department__slug", "department__name", "date_joined"
    )
    members, names = [], {}
    for pk, slug, name, joined in rows:
        members.append(_Member(pk, slug or "", joined))
        names[slug or ""] = name or _("No department")
    return members, names


def _merge_small(members: list[_Member]) -> dict[int, str]:
    """Which reported group each employee counts in: departments under the threshold all go
    to "Other departments" (decided on today's sizes, so the groups stay the same over time)."""
    sizes: dict[str, int] = defaultdict(int)
    for member in members:
        sizes[member.group] += 1
    return {m.user_id: m.group if sizes[m.group] >= MIN_GROUP else OTHER for m in members}


def _group_name(group: str, names: dict[str, str]) -> str:
    return _("Other departments") if group == OTHER else names[group]


def _rate(acknowledged: int, employees: int) -> float:
    return round(100 * acknowledged / employees, 1) if employees else 0.0


def _acknowledgments() -> list[tuple[int, datetime, datetime]]:
    """(user, version published at, acknowledged at) of every acknowledgment."""
    rows = Acknowledgment.objects.filter(
        version__status=CharterVersion.Status.PUBLISHED, version__published_at__isnull=False
    ).values_list("user_id", "version__published_at", "acknowledged_at")
    return [(user_id, published_at, at) for user_id, published_at, at in rows if published_at]


def _published_at(version: CharterVersion) -> datetime:
    assert version.published_at is not None  # only published versions are targets
    return version.published_at


def _target(at: datetime | None = None) -> CharterVersion | None:
    """The version the rates are about: the binding one, or the current when none is material."""
    versions = _published()
    if at is not None:
        versions = versions.filter(published_at__lte=at)
    return versions.filter(material=True).first() or versions.first()


def acknowledgment_by_department() -> list[dict[str, Any]]:
    """Per department (at least 5 employees): employees, acknowledged, rate in percent."""
    target = _target()
    members, names = _members()
    group_of = _merge_small(members)
    done: set[int] = set()
    if target is not None:
        done = {
            user_id
            for user_id, published_at, _at in _acknowledgments()
            if published_at >= _published_at(target)
        }
    employees: dict[str, int] = defaultdict(int)
    acknowledged: dict[str, int] = defaultdict(int)
    for member in members:
        group = group_of[member.user_id]
        employees[group] += 1
        acknowledged[group] += member.user_id in done
    rows = [
        {
            "department": _group_name(group, names),
            "slug": group,
            "employees": count,
            "acknowledged": acknowledged[group],
            "rate": _rate(acknowledged[group], count),
        }
        for group, count in employees.items()
        if count >= MIN_GROUP
    ]
    # Named departments by name, the merged group last.
    return sorted(rows, key=lambda row: (row["slug"] == OTHER, str(row["department"])))


def acknowledgment_over_time(
    *, weeks: int = 12, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Per department, the cumulative rate at the end of each of the last ``weeks`` weeks
    (the last one ending now), about the version binding at that moment. A week where the
    group had fewer than 5 employees, or before any version was published, has no figure
    (``None``)."""
    now = now or timezone.now()
    ends = [now - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    members, names = _members()
    group_of = _merge_small(members)
    acks = _acknowledgments()
    series: dict[str, list[dict[str, Any]]] = defaultdict(list)
    groups = sorted(set(group_of.values()), key=lambda g: (g == OTHER, _group_name(g, names)))
    for end in ends:
        target = _target(end)
        done = set()
        if target is not None:
            done = {
                user_id
                for user_id, published_at, acknowledged_at in acks
                if published_at >= _published_at(target) and acknowledged_at <= end
            }
        employees: dict[str, int] = defaultdict(int)
        acknowledged: dict[str, int] = defaultdict(int)
        for member in members:
            if member.joined > end:
                continue
            group = group_of[member.user_id]
            employees[group] += 1
            acknowledged[group] += member.user_id in done
        week_end: date = timezone.localtime(end).date()
        for group in groups:
            count = employees[group]
            # Before any charter was published there is nothing to have acknowledged.
            big_enough = count >= MIN_GROUP and target is not None
            series[group].append(
                {
                    "week_end": week_end,
                    "employees": count if big_enough else None,
                    "acknowledged": acknowledged[group] if big_enough else None,
                    "rate": _rate(acknowledged[group], count) if big_enough else None,
                }
            )
    return [
        {"department": _group_name(group, names), "slug": group, "weeks": series[group]}
        for group in groups
        # A group that is never big enough is left out rather than shown empty.
        if any(week["rate"] is not None for week in series[group])
    ]
