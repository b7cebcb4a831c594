from __future__ import annotations

import threading

import pytest
from django.db import connection

from socius.people.models import Identifier, Person
from socius.people.services import IdentifierIn, person_resolve

THREADS = 6


@pytest.mark.django_db(transaction=True)
def test_it_creates_one_person_when_the_same_new_identifier_arrives_concurrently() -> None:
    barrier = threading.Barrier(THREADS)
    person_ids: list[int] = []
    errors: list[BaseException] = []

    def resolve() -> None:
        try:
            barrier.wait()
            resolution = person_resolve(identifiers=[IdentifierIn("email", "rush@example.org")])
            person_ids.append(resolution.person.pk)
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=resolve) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(set(person_ids)) == 1
    assert Person.objects.count() == 1
    assert Identifier.objects.filter(kind="email", value="rush@example.org").count() == 1
