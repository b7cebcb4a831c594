"""``activity_append_rows`` writes what ``activity_append_bulk`` writes, from plain values."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from socius.accounts.services import department_ensure
from socius.conftest import Cast
from socius.core import services
from socius.core.live import LiveEvent
from socius.core.models import Activity, Visibility
from socius.core.services import (
    ActivityDraft,
    ActivityObject,
    activity_append_bulk,
    activity_append_rows,
)

NOON = dt.datetime(2025, 3, 14, 12, 0, tzinfo=dt.UTC)
COLUMNS = [
    "verb",
    "actor_id",
    "person_id",
    "department_id",
    "object_type",
    "object_id",
    "channel",
    "visibility",
    "summary",
    "payload",
    "occurred_at",
]


def drafts(cast: Cast) -> list[ActivityDraft]:
    person, actor = cast.customer, cast.agent
    department = department_ensure(slug="boutique")
    return [
        ActivityDraft(
            verb="interaction.purchase",
            person_id=person.pk,
            department_id=department.pk,
            channel="web",
            summary="x" * 600,
            payload={"source": "shop", "data": {"amount": 12}},
            occurred_at=NOON,
        ),
        ActivityDraft(
            verb="person.created",
            actor_id=actor.pk,
            person_id=person.pk,
            about=ActivityObject.of(person),
            visibility=Visibility.CUSTOMER,
            summary="A new person.",
        ),
        ActivityDraft(verb="space.posted", visibility=Visibility.RESTRICTED, occurred_at=NOON),
        ActivityDraft(verb="company.noted", department_id=department.pk, occurred_at=NOON),
    ]


def test_it_writes_the_rows_and_live_updates_of_a_bulk_append(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    published: list[list[LiveEvent]] = []
    monkeypatch.setattr(services, "publish_many_on_commit", published.append)
    written = drafts(cast)

    with transaction.atomic():
        activities = activity_append_bulk(written)
        ids = activity_append_rows([draft.to_row() for draft in written])

    def rows(pks: list[int]) -> list[dict[str, Any]]:
        by_pk = {row["id"]: row for row in Activity.objects.filter(pk__in=pks).values()}
        return [{name: by_pk[pk][name] for name in COLUMNS} for pk in pks]

    assert len(ids) == len(written)
    bulk, plain = rows([a.pk for a in activities]), rows(ids)
    # The entries without an occurred_at take the time of the append: only that differs.
    for first, second in zip(bulk, plain, strict=True):
        if first["verb"] == "person.created":
            assert second["occurred_at"] >= first["occurred_at"]
            first["occurred_at"] = second["occurred_at"]
    assert plain == bulk
    assert plain[0]["summary"] == "x" * 500
    assert plain[1]["visibility"] == "customer"
    assert plain[1]["object_type"] == "people.person"
    # One event per channel, naming its latest entry, as the bulk append publishes.
    renumbered = {a.pk: pk for a, pk in zip(activities, ids, strict=True)}
    expected = [
        LiveEvent(e.channel, e.name, {**e.data, "id": renumbered[e.data["id"]]})
        for e in published[0]
    ]
    assert published[1] == expected


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_append_rows_outside_a_transaction() -> None:
    with pytest.raises(RuntimeError, match="must run inside the transaction of the change"):
        activity_append_rows([ActivityDraft(verb="test.happened").to_row()])

    assert Activity.objects.count() == 0
