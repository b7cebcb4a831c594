"""Builders shared by the person page, API, search and discussion tests."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from socius.accounts.models import Department
from socius.accounts.services import department_ensure
from socius.core.models import Activity, Visibility
from socius.core.services import ActivityDraft, activity_append
from socius.people.models import Person

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def department(slug: str, name: str) -> Department:
    return department_ensure(slug=slug, name=name)


def append_entries(
    person: Person,
    count: int,
    *,
    department_id: int | None = None,
    channel: str = "",
    verb: str = "interaction.purchase",
    start: dt.datetime = START,
    visibility: str = Visibility.INTERNAL,
) -> list[Activity]:
    """``count`` entries on the person's timeline, one hour apart from ``start``."""
    with transaction.atomic():
        return [
            activity_append(
                ActivityDraft(
                    verb=verb,
                    person_id=person.pk,
                    department_id=department_id,
                    channel=channel,
                    summary=f"{verb} {index}",
                    occurred_at=start + dt.timedelta(hours=index),
                    visibility=visibility,
                    payload={"index": index},
                )
            )
            for index in range(count)
        ]
