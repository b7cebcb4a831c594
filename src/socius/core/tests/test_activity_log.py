from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from socius.conftest import Cast
from socius.core.models import Activity, Visibility
from socius.core.services import (
    ActivityDraft,
    ActivityObject,
    activity_append,
    activity_append_many,
    activity_reassign_person,
)

NOON = dt.datetime(2025, 3, 14, 12, 0, tzinfo=dt.UTC)


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_append_outside_a_transaction() -> None:
    with pytest.raises(RuntimeError, match="must run inside the transaction of the change"):
        activity_append(ActivityDraft(verb="test.happened"))

    assert Activity.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_bulk_append_outside_a_transaction() -> None:
    with pytest.raises(RuntimeError, match="must run inside the transaction of the change"):
        activity_append_many([ActivityDraft(verb="test.happened")])

    assert Activity.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_it_rolls_the_entry_back_with_the_change_it_records() -> None:
    def change_that_fails() -> None:
        with transaction.atomic():
            activity_append(ActivityDraft(verb="test.happened"))
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        change_that_fails()

    assert Activity.objects.count() == 0


def test_it_records_every_field_of_the_draft(cast: Cast) -> None:
    agent = cast.agent
    with time_machine.travel(NOON, tick=False), transaction.atomic():
        activity = activity_append(
            ActivityDraft(
                verb="test.called",
                actor_id=agent.pk,
                person_id=cast.customer.pk,
                department_id=agent.department_id,
                about=ActivityObject.of(cast.customer),
                channel="phone",
                visibility=Visibility.CUSTOMER,
                summary="x" * 600,
                payload={"minutes": 4},
            )
        )

    stored = Activity.objects.get(pk=activity.pk)
    assert (stored.verb, stored.actor_id, stored.person_id, stored.department_id) == (
        "test.called",
        agent.pk,
        cast.customer.pk,
        agent.department_id,
    )
    assert (stored.object_type, stored.object_id) == ("people.person", str(cast.customer.pk))
    assert (stored.channel, stored.visibility) == ("phone", "customer")
    assert stored.summary == "x" * 500
    assert stored.payload == {"minutes": 4}
    assert stored.occurred_at == NOON
    assert stored.recorded_at == NOON


def test_it_bulk_appends_and_counts(db: None) -> None:
    drafts = [
        ActivityDraft(verb="test.imported", occurred_at=NOON, summary=str(number))
        for number in range(3)
    ]
    with transaction.atomic():
        appended = activity_append_many(drafts, batch_size=2)

    assert appended == 3
    assert sorted(Activity.objects.values_list("verb", "summary")) == [
        ("test.imported", "0"),
        ("test.imported", "1"),
        ("test.imported", "2"),
    ]


def test_it_refuses_to_edit_a_recorded_entry(db: None) -> None:
    with transaction.atomic():
        activity = activity_append(ActivityDraft(verb="test.happened", summary="original"))

    activity.summary = "rewritten"
    with pytest.raises(TypeError, match="append-only"):
        activity.save()

    assert Activity.objects.get(pk=activity.pk).summary == "original"


def test_it_refuses_to_delete_a_recorded_entry(db: None) -> None:
    with transaction.atomic():
        activity = activity_append(ActivityDraft(verb="test.happened"))

    with pytest.raises(TypeError, match="append-only"):
        activity.delete()

    assert list(Activity.objects.values_list("pk", flat=True)) == [activity.pk]


def test_it_moves_a_persons_entries_to_another_person_and_returns_their_ids(cast: Cast) -> None:
    with transaction.atomic():
        note = activity_append(ActivityDraft(verb="test.noted", person_id=cast.friend.pk))
    friend_entries = set(Activity.objects.filter(person=cast.friend).values_list("pk", flat=True))
    customer_entries = set(
        Activity.objects.filter(person=cast.customer).values_list("pk", flat=True)
    )
    assert note.pk in friend_entries
    assert len(friend_entries) == 2  # person.created, then the note

    with transaction.atomic():
        moved = activity_reassign_person(
            from_person_id=cast.friend.pk, to_person_id=cast.customer.pk
        )

    assert sorted(moved) == sorted(friend_entries)
    assert Activity.objects.filter(person=cast.friend).count() == 0
    assert set(Activity.objects.filter(person=cast.customer).values_list("pk", flat=True)) == (
        customer_entries | friend_entries
    )


def test_it_moves_nothing_for_a_person_without_entries(cast: Cast) -> None:
    before = sorted(Activity.objects.values_list("pk", "person_id"))

    with transaction.atomic():
        moved = activity_reassign_person(from_person_id=cast.friend.pk + 1000, to_person_id=1)

    assert moved == []
    assert sorted(Activity.objects.values_list("pk", "person_id")) == before
