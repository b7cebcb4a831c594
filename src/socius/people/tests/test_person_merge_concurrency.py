from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from socius.core.models import Activity
from socius.core.services import ActivityDraft, activity_append
from socius.people.errors import MergeRefused
from socius.people.models import Identifier, Merge, Person
from socius.people.services import (
    IdentifierIn,
    live_person,
    merge_undo,
    person_merge,
    person_resolve,
)

PEOPLE = 6


def _people() -> list[Person]:
    persons = []
    for index in range(PEOPLE):
        person = person_resolve(identifiers=[IdentifierIn("email", f"p{index}@example.org")]).person
        with transaction.atomic():
            for _ in range(3):
                activity_append(ActivityDraft(verb="interaction.visit", person_id=person.pk))
        persons.append(person)
    return persons


@pytest.mark.django_db(transaction=True)
def test_concurrent_merges_never_lose_a_row() -> None:
    persons = _people()
    identifiers_before = dict(Identifier.objects.values_list("pk", "person_id"))
    activities_before = dict(Activity.objects.values_list("pk", "person_id"))
    # Chains and crossings: several threads touch the same persons at once.
    pairs = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 0), (0, 2), (1, 3)]
    barrier = threading.Barrier(len(pairs))
    errors: list[BaseException] = []

    def merge(survivor: Person, absorbed: Person) -> None:
        try:
            barrier.wait()
            person_merge(survivor=survivor, absorbed=absorbed, reason="concurrent")
        except MergeRefused:
            pass  # one of the two was merged away meanwhile: refusing is the right answer
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=merge, args=(persons[a], persons[b])) for a, b in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Merge.objects.count() >= 1
    assert set(Identifier.objects.values_list("pk", flat=True)) == set(identifiers_before)
    for identifier in Identifier.objects.select_related("person"):
        assert live_person(identifier.person).is_live
    for merge in Merge.objects.order_by("-pk"):
        merge_undo(merge=merge)
    assert dict(Identifier.objects.values_list("pk", "person_id")) == identifiers_before
    restored = dict(
        Activity.objects.filter(pk__in=activities_before).values_list("pk", "person_id")
    )
    assert restored == activities_before
