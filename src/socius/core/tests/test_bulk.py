"""``core.bulk`` writes exactly the rows Django's own ``bulk_create`` and ``update`` write."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connections, router

from socius.core.bulk import (
    among,
    bulk_insert,
    bulk_insert_values,
    json_text,
    server_cursor,
    update_ids,
    update_rows,
)
from socius.people.models import Identifier, Merge, Person

pytestmark = pytest.mark.django_db

SEEN = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 4, 2, 18, 5, 7, 123456, tzinfo=dt.timezone(dt.timedelta(hours=2)))
# Every kind of value the helpers prepare themselves: empty and set dates and datetimes,
# aware datetimes in two zones, text with accents, an empty string.
PERSONS = [
    {"given_name": "Léa", "family_name": "Martin", "birth_date": dt.date(1990, 5, 17),
     "last_own_contact_at": SEEN, "city": "Nîmes"},
    {"given_name": "", "family_name": "Durand", "birth_date": None,
     "last_own_contact_at": None, "erased_at": LATER},
    {"given_name": "Hugo", "last_own_contact_at": LATER, "locale": "fr"},
]  # fmt: skip
COMPARED = ["given_name", "family_name", "birth_date", "last_own_contact_at", "erased_at",
            "city", "locale", "merged_into_id"]  # fmt: skip


def _stored(ids: list[int], fields: list[str], model: Any = Person) -> list[tuple[Any, ...]]:
    rows = model.objects.filter(pk__in=ids).order_by("pk").values_list(*fields)
    return [tuple(row) for row in rows]


def test_bulk_insert_stores_what_bulk_create_stores() -> None:
    ours = [Person(**values) for values in PERSONS]
    django = [Person(**values) for values in PERSONS]

    bulk_insert(Person, ours)
    Person.objects.bulk_create(django)

    assert all(person.pk is not None for person in ours)
    assert _stored([p.pk for p in ours], COMPARED) == _stored([p.pk for p in django], COMPARED)
    created = _stored([p.pk for p in ours], ["created_at", "updated_at"])
    assert all(
        created_at is not None and updated_at is not None for created_at, updated_at in created
    )


def test_bulk_insert_values_stores_what_bulk_insert_stores() -> None:
    [owner] = [Person(given_name="Zoé")]
    bulk_insert(Person, [owner])
    names = ["person_id", "kind", "value", "raw_value", "last_seen_at", "verified_at"]
    rows = [
        [owner.pk, "email", "zoe@example.org", "Zoe@Example.org", SEEN, None],
        [owner.pk, "phone", "+33612345678", "06 12 34 56 78", None, LATER],
    ]

    ids = bulk_insert_values(Identifier, names, rows)

    models = [Identifier(**dict(zip(names, row, strict=True))) for row in rows]
    for model in models:
        model.value += ".copy"  # the pair (kind, value) is unique
    Identifier.objects.bulk_create(models)
    stored = _stored(ids, names, Identifier)
    expected = [
        (*row[:2], row[2].removesuffix(".copy"), *row[3:])
        for row in _stored([m.pk for m in models], names, Identifier)
    ]
    assert stored == expected


def test_updates_store_what_the_orm_update_stores() -> None:
    ours = [Person(**values) for values in PERSONS]
    django = [Person(**values) for values in PERSONS]
    Person.objects.bulk_create(ours + django)

    update_rows(
        Person,
        ["birth_date", "last_own_contact_at"],
        [([None, LATER], ours[0].pk, None), ([dt.date(2001, 1, 2), None], ours[1].pk, None)],
    )
    update_ids(Person, [ours[2].pk], erased_at=SEEN, merged_into=ours[0].pk)
    Person.objects.filter(pk=django[0].pk).update(birth_date=None, last_own_contact_at=LATER)
    Person.objects.filter(pk=django[1].pk).update(
        birth_date=dt.date(2001, 1, 2), last_own_contact_at=None
    )
    Person.objects.filter(pk=django[2].pk).update(erased_at=SEEN, merged_into=django[0].pk)

    ours_rows = _stored([p.pk for p in ours], COMPARED)
    django_rows = _stored([p.pk for p in django], COMPARED)
    # The merged_into ids point to each side's own first person.
    assert ours_rows[:2] == django_rows[:2]
    assert ours_rows[2][:-1] == django_rows[2][:-1]
    assert (ours_rows[2][-1], django_rows[2][-1]) == (ours[0].pk, django[0].pk)


def test_update_rows_only_later_never_moves_a_date_back() -> None:
    person = Person(given_name="Inès", last_own_contact_at=LATER)
    bulk_insert(Person, [person])

    update_rows(
        Person,
        ["last_own_contact_at"],
        [([SEEN], person.pk, SEEN)],
        only_later="last_own_contact_at",
    )

    person.refresh_from_db()
    assert person.last_own_contact_at == LATER


def test_a_single_row_insert_takes_json_and_related_values() -> None:
    survivor, absorbed = Person(given_name="Ana"), Person(given_name="Ana")
    bulk_insert(Person, [survivor, absorbed])
    merge = Merge(
        survivor=survivor,
        absorbed=absorbed,
        reason="test",
        survivor_before={"city": ["", "Lyon"], "birth_date": [None, "1990-01-02"]},
        moved={"identifiers": [3, 1]},
    )

    bulk_insert(Merge, [merge])

    stored = Merge.objects.get(pk=merge.pk)
    assert (stored.survivor_id, stored.absorbed_id) == (survivor.pk, absorbed.pk)
    assert stored.survivor_before == {"city": ["", "Lyon"], "birth_date": [None, "1990-01-02"]}
    assert stored.moved == {"identifiers": [3, 1]}
    assert stored.created_rows == {}
    assert stored.created_at is not None


def test_update_rows_apply_each_row_and_its_bound() -> None:
    """Hundreds of rows with their bound (PostgreSQL joins them in one statement): each
    row changes as its own UPDATE would, the ones with a later date untouched."""
    persons = [
        Person(given_name=f"P{n}", last_own_contact_at=SEEN if n % 3 else LATER) for n in range(700)
    ]
    bulk_insert(Person, persons)
    moment = SEEN + dt.timedelta(days=1)

    update_rows(
        Person,
        ["last_own_contact_at"],
        [([moment], person.pk, moment) for person in persons],
        only_later="last_own_contact_at",
    )

    stored = dict(
        Person.objects.filter(pk__in=[p.pk for p in persons]).values_list(
            "pk", "last_own_contact_at"
        )
    )
    assert stored == {p.pk: (moment if n % 3 else LATER) for n, p in enumerate(persons)}


def test_update_ids_changes_exactly_the_rows_named() -> None:
    persons = [Person(given_name=f"Q{n}") for n in range(5)]
    bulk_insert(Person, persons)

    update_ids(Person, {persons[1].pk, persons[3].pk}, city="Arles", erased_at=SEEN)
    update_ids(Person, [], city="Nowhere")

    stored = dict(Person.objects.filter(pk__in=[p.pk for p in persons]).values_list("pk", "city"))
    assert stored == {p.pk: ("Arles" if n in (1, 3) else "") for n, p in enumerate(persons)}
    assert Person.objects.filter(erased_at=SEEN).count() == 2


@pytest.mark.parametrize("scanned", [False, True])
def test_among_finds_the_rows_whose_column_is_one_of_the_values(scanned: bool) -> None:
    persons = [Person(given_name=name) for name in ("Léa", "Hugo", "Inès", "Tom")]
    bulk_insert(Person, persons)
    connection = connections[router.db_for_read(Person)]
    wanted = [persons[0].pk, persons[2].pk, persons[3].pk + 1000]
    test, params = among(connection, wanted, scanned=scanned)
    table = connection.ops.quote_name(Person._meta.db_table)

    with server_cursor(connection) as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE id {test} ORDER BY id", params)  # noqa: S608
        found = [pk for (pk,) in cursor.fetchall()]

    assert found == [persons[0].pk, persons[2].pk]


@pytest.mark.parametrize(
    "value",
    [
        {"summary": "Léa a écrit « bonjour »", "amount": 12.5, "items": [1, 2, None, True]},
        {"big": 2**70, "nested": {"deep": [{"x": "y"}]}},  # beyond 64 bits: json writes it
        {1: "a key that is not a string"},  # json writes it as "1"
        [],
    ],
)
def test_json_text_writes_what_json_writes(value: Any) -> None:
    assert json.loads(json_text(value)) == json.loads(json.dumps(value))


def test_json_text_writes_no_number_json_cannot_read() -> None:
    assert json.loads(json_text({"ratio": float("nan")})) == {"ratio": None}
