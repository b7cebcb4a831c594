"""Writing planned customers into the database, returning each human's Person ids.

Small demos go through ``person_resolve``, sighting by sighting, exactly as real traffic
would. Bigger ones insert rows in bulk with the outcome ``person_resolve`` would reach:
sightings of one record share identifiers by construction, so each record becomes one
Person holding the union of its sightings' identifiers, profile fields first-come
first-kept, and one ``person.created`` activity. ``tests/test_load.py`` checks that both
paths give the same persons and identifiers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

from django.utils import timezone
from django.utils.translation import gettext as _

from socius.core.services import ActivityDraft, ActivityObject, activity_append_many
from socius.demo.customers import Human, Sighting
from socius.demo.identifiers import PlannedIdentifier
from socius.people.models import Identifier, Person
from socius.people.names import search_name
from socius.people.services import IdentifierIn, Profile, ResolveContext, person_resolve

_PROFILE_FIELDS = tuple(item.name for item in fields(Profile))
_SHARED_LANDLINE_SOURCE = "shop"


@dataclass
class _Record:
    """One future Person: what its sightings told, merged the way resolution merges."""

    first: Sighting
    profile: dict[str, object]
    identifiers: dict[tuple[str, str], tuple[PlannedIdentifier, str]]
    """(kind, value) -> (as first typed, source that first gave it)."""

    @classmethod
    def of(cls, sighting: Sighting) -> _Record:
        record = cls(
            sighting, {name: getattr(sighting.profile, name) for name in _PROFILE_FIELDS}, {}
        )
        record.add(sighting)
        return record

    def add(self, sighting: Sighting) -> None:
        for name in _PROFILE_FIELDS:
            if not self.profile[name]:
                self.profile[name] = getattr(sighting.profile, name)
        for item in sighting.identifiers:
            self.identifiers.setdefault((item.kind, item.value), (item, sighting.source))


def customers_resolve(
    humans: Sequence[Human], *, department_ids: dict[str, int]
) -> list[list[int]]:
    """Resolve every sighting through the people context, as the product does."""
    all_ids = []
    for human in humans:
        record_ids: dict[int, int] = {}
        for sighting in human.sightings:
            resolution = person_resolve(
                identifiers=[IdentifierIn(item.kind, item.raw) for item in sighting.identifiers],
                profile=sighting.profile,
                context=ResolveContext(
                    source=sighting.source,
                    channel=sighting.channel,
                    department_id=department_ids[sighting.department_slug],
                ),
            )
            record_ids.setdefault(sighting.record, resolution.person.pk)
        all_ids.append([record_ids[record] for record in range(human.record_count)])
    _shared_landlines_attach(humans, all_ids)
    return all_ids


def customers_insert(humans: Sequence[Human], *, department_ids: dict[str, int]) -> list[list[int]]:
    """Insert persons, identifiers and their creation activities in bulk."""
    records = [_records_of(human) for human in humans]
    persons = [
        Person(
            **record.profile,
            search_name=search_name(
                str(record.profile.get("given_name", "")),
                str(record.profile.get("family_name", "")),
            ),
        )
        for human_records in records
        for record in human_records
    ]
    Person.objects.bulk_create(persons, batch_size=1000)
    person_ids = iter(person.pk for person in persons)
    all_ids = [[next(person_ids) for _record in human_records] for human_records in records]
    flat = [
        (record, person_id)
        for human_records, ids in zip(records, all_ids, strict=True)
        for record, person_id in zip(human_records, ids, strict=True)
    ]
    # As person_resolve does, the identifiers a record is created with are its own.
    verified_at = timezone.now()
    Identifier.objects.bulk_create(
        [
            Identifier(
                person_id=person_id,
                kind=item.kind,
                value=item.value,
                raw_value=item.raw,
                source=source,
                verified_at=verified_at,
            )
            for record, person_id in flat
            for item, source in record.identifiers.values()
        ],
        batch_size=2000,
    )
    activity_append_many(
        [_created(record, person_id, department_ids) for record, person_id in flat]
    )
    _shared_landlines_attach(humans, all_ids)
    return all_ids


def _records_of(human: Human) -> list[_Record]:
    records: dict[int, _Record] = {}
    for sighting in human.sightings:
        if sighting.record in records:
            records[sighting.record].add(sighting)
        else:
            records[sighting.record] = _Record.of(sighting)
    return [records[index] for index in range(human.record_count)]


def _created(record: _Record, person_id: int, department_ids: dict[str, int]) -> ActivityDraft:
    # The same entry person_resolve leaves when it creates a person, dated at first contact.
    return ActivityDraft(
        verb="person.created",
        person_id=person_id,
        department_id=department_ids[record.first.department_slug],
        about=ActivityObject(type="people.person", id=person_id),
        channel=record.first.channel,
        summary=_("No known identifier: a new person."),
        payload={
            "source": record.first.source,
            "identifiers": [f"{kind}:{value}" for kind, value in record.identifiers],
            "suggested_with": [],
        },
        occurred_at=record.first.occurred_at,
    )


def _shared_landlines_attach(humans: Sequence[Human], all_ids: list[list[int]]) -> None:
    # people has no service to record a shared identifier yet; resolution must not see the
    # landline either, or it would merge the whole household into one person.
    Identifier.objects.bulk_create(
        [
            Identifier(
                person_id=ids[0],
                kind=human.shared_landline.kind,
                value=human.shared_landline.value,
                raw_value=human.shared_landline.raw,
                source=_SHARED_LANDLINE_SOURCE,
                is_shared=True,
            )
            for human, ids in zip(humans, all_ids, strict=True)
            if human.shared_landline is not None
        ]
    )
