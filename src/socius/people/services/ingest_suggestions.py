"""Duplicate suggestions decided by an ingestion batch: what ``suggestion_record`` would find
and write, known without a query per pair."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connections, router

from socius.core.bulk import among, server_cursor
from socius.people.models import DuplicateSuggestion, Person


class HasPerson(Protocol):
    person: Person


@dataclass(eq=False)
class NewSuggestion:
    """A pair to suggest; a person created in the batch gets its id when the batch writes."""

    first: HasPerson
    second: HasPerson
    reason: str
    evidence: dict[str, Any]

    def pair(self) -> tuple[int, int] | None:
        first, second = self.first.person.pk, self.second.person.pk
        if first is None or second is None:
            return None
        return (first, second) if first < second else (second, first)

    def row(self) -> DuplicateSuggestion:
        # Stored in id order, as ``suggestion_record`` does.
        person_a, person_b = sorted((self.first.person, self.second.person), key=lambda p: p.pk)
        return DuplicateSuggestion(
            person_a=person_a,
            person_b=person_b,
            reason=self.reason[:300],
            evidence=self.evidence,
            origin=DuplicateSuggestion.Origin.INGEST,
            probability=None,
        )


class SuggestionBook:
    """The suggested pairs among the persons a batch resolves, with their status.

    Each person's pairs are read once (``load``), then kept current with what the batch
    decides; ``forget`` drops persons that the general path may have changed.
    """

    def __init__(self) -> None:
        self.status: dict[tuple[int, int], str] = {}
        self.known: set[int] = set()
        self.expected: set[int] = set()

    def expect(self, person_ids: Iterable[int]) -> None:
        """Read these persons' pairs too at the next ``load`` that reads anything: one read
        for the persons a batch starts with, and none if it never needs them."""
        self.expected.update(person_ids)

    def load(self, person_ids: Iterable[int]) -> None:
        missing = set(person_ids) - self.known
        if not missing:
            return
        missing |= self.expected - self.known
        self.expected.clear()
        for person_a, person_b, status in _pairs_of(missing):
            self.status[(person_a, person_b)] = status
        self.known |= missing

    def record(self, suggestion: NewSuggestion, pending: list[NewSuggestion]) -> bool:
        """Like ``suggestion_record``: an existing pair stands (unless judged distinct, then
        nothing is suggested), a new one is written with the batch. True if suggested."""
        pair = suggestion.pair()
        if pair is not None:
            assert self.known.issuperset(pair), "load the persons first"
            status = self.status.get(pair)
            if status is not None:
                return status != DuplicateSuggestion.Status.DISTINCT
            self.status[pair] = DuplicateSuggestion.Status.OPEN
        pending.append(suggestion)
        return True

    def written(self, suggestions: list[NewSuggestion], new_person_ids: list[int]) -> None:
        # A person created by the batch has no pairs but those the batch wrote.
        self.known.update(new_person_ids)
        for suggestion in suggestions:
            pair = suggestion.pair()
            assert pair is not None
            self.status.setdefault(pair, DuplicateSuggestion.Status.OPEN)

    def forget(self, person_ids: Iterable[int]) -> None:
        self.known.difference_update(person_ids)

    def merged(self, survivor_id: int, absorbed_id: int) -> None:
        """What ``person_merge`` changes of the pairs: theirs, if suggested, is merged."""
        pair = (min(survivor_id, absorbed_id), max(survivor_id, absorbed_id))
        if pair in self.status:
            self.status[pair] = DuplicateSuggestion.Status.MERGED


def _pairs_of(person_ids: set[int]) -> list[tuple[int, int, str]]:
    """``DuplicateSuggestion.objects.filter(Q(person_a_id__in=ids) | Q(person_b_id__in=ids))
    .values_list("person_a_id", "person_b_id", "status")`` without compiling a queryset,
    each list as ``core.bulk.among`` sends it: a batch reads the pairs of a thousand persons
    at once, then of a few persons at a time."""
    connection = connections[router.db_for_read(DuplicateSuggestion)]
    quote = connection.ops.quote_name
    table = quote(DuplicateSuggestion._meta.db_table)
    columns = [f"{table}.{quote(name)} AS {quote(name)}" for name in _PAIR_COLUMNS]
    test, ids = among(connection, person_ids, scanned=True)  # either of two columns
    person_a, person_b = (f"{table}.{quote(name)}" for name in _PAIR_COLUMNS[:2])
    # Only names from the model's metadata reach the SQL text; the ids are parameters.
    sql = (
        f"SELECT {', '.join(columns)} FROM {table} "  # noqa: S608
        f"WHERE ({person_a} {test} OR {person_b} {test})"
    )
    with server_cursor(connection) as cursor:
        cursor.execute(sql, [*ids, *ids])
        return list(cursor.fetchall())


_PAIR_COLUMNS = ("person_a_id", "person_b_id", "status")
