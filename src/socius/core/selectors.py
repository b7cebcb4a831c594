"""Reads of the Activity log."""

from __future__ import annotations

from django.db.models import QuerySet

from socius.core.models import Activity, Visibility


def activity_recent_for_department(*, department_id: int | None, limit: int = 10) -> list[Activity]:
    activities: QuerySet[Activity] = Activity.objects.select_related("actor", "person").exclude(
        visibility=Visibility.RESTRICTED
    )
    if department_id is None:
        activities = activities.filter(actor__isnull=False)
    else:
        activities = activities.filter(department_id=department_id)
    return list(activities.order_by("-occurred_at", "-id")[:limit])
