"""The bulk batch path decides and writes exactly what ``interaction_ingest`` does item by item.

The same stream of interactions is ingested twice in one database, under two namespaces
(different email and handle prefixes, phone numbers and external ids): once item after
item through ``interaction_ingest``, once through ``interaction_ingest_batch``. Every row
either wrote — persons, identifiers, decisions with their evidence, timeline entries,
suggestions, merges, idempotency records — is then compared, with person ids replaced by
their rank so that both namespaces read alike.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from socius.accounts.models import User
from socius.accounts.services import department_ensure
from socius.conftest import Cast
from socius.core.errors import DomainError
from socius.core.models import Activity
from socius.people.errors import MergeRefused
from socius.people.models import (
    DuplicateSuggestion,
    Identifier,
    Interaction,
    Merge,
    Person,
    Relation,
    ResolutionDecision,
)
from socius.people.services import (
    IdentifierIn,
    InteractionIn,
    Profile,
    ingest_batch,
    ingest_merge,
    interaction_ingest,
    interaction_ingest_batch,
    merge_many,
)
from socius.people.services.consent import consent_allows, consent_record
from socius.people.services.relations import relation_record
from socius.people.services.suggestion_decisions import suggestion_decide

pytestmark = pytest.mark.django_db

START = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)
NAMESPACES = {"a": "1", "b": "2"}  # namespace -> the phone digit after "06"


class Stream:
    """Interactions of one namespace: emails and handles carry it, phones a digit."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.digit = NAMESPACES[namespace]
        self.items: list[InteractionIn] = []

    def email(self, name: str) -> tuple[str, str]:
        return ("email", f"{name}.ns{self.namespace}@example.org")

    def phone(self, number: int) -> tuple[str, str]:
        return ("phone", f"06 {self.digit}{number:07d}")

    def handle(self, name: str) -> tuple[str, str]:
        return ("instagram", f"@{name}_ns{self.namespace}")

    def add(
        self,
        *identifiers: tuple[str, str],
        external_id: str = "",
        department: str = "service-client",
        kind: str = "purchase",
        **profile: Any,
    ) -> None:
        number = len(self.items)
        self.items.append(
            InteractionIn(
                source="shop",
                external_id=external_id or f"ns{self.namespace}-{number}",
                identifiers=[IdentifierIn(k, v) for k, v in identifiers],
                kind=kind,
                profile=Profile(**profile),
                channel="web",
                department_slug=department,
                occurred_at=START + dt.timedelta(minutes=number * 7 % 50),
                summary=f"item {number}",
                payload={"n": number},
            )
        )


def prelude(namespace: str, actor: User) -> None:
    """Persons known before the stream (one by one in both namespaces): a pair an employee
    judged distinct, and a person with a birth date."""
    s = Stream(namespace)
    s.add(s.email("dora"), given_name="Dora", external_id=f"ns{namespace}-pre0")
    s.add(s.phone(9), given_name="Dora", external_id=f"ns{namespace}-pre1")
    s.add(s.email("dora"), s.phone(9), external_id=f"ns{namespace}-pre2")  # suggested
    s.add(
        s.email("eve"),
        given_name="Eve",
        birth_date=dt.date(1980, 5, 6),
        external_id=f"ns{namespace}-pre3",
    )
    ingest_one_by_one(s.items)
    suggestion = DuplicateSuggestion.objects.order_by("-pk").first()
    assert suggestion is not None
    suggestion_decide(suggestion=suggestion, decision="distinct", actor=actor)


def scenario(namespace: str, seed: int) -> list[InteractionIn]:
    s = Stream(namespace)
    s.add(s.email("dora"), s.phone(9))  # a pair judged distinct: attached, nothing suggested
    s.add(s.email("eve"), given_name="Yves")  # contradicts a known person: a new one, shared
    s.add(s.email("eve"), given_name="Eve", city="Brest")  # attached to Eve, Yves suggested
    s.add(s.email("eve"), s.phone(3), given_name="Eva")  # contradicts both: a third person
    s.add(s.email("lea"), s.phone(1), given_name="Léa", family_name="Moreau")  # created
    s.add(("email", s.email("lea")[1].upper()), s.handle("lea"), city="Lyon")  # attached
    s.add(s.email("lea"), external_id=f"ns{namespace}-0")  # the first one again
    s.add(s.email("hugo"), given_name="Hugo")  # created
    s.add(s.email("hugo"), s.handle("lea"))  # strong identifiers of two persons: merged
    s.add(s.phone(1), s.email("nina"), given_name="Nina")  # a contradicted phone: kept apart
    s.add(s.email("marc"), given_name="Marc")
    s.add(s.phone(2), given_name="Marc")
    s.add(s.email("marc"), s.phone(2))  # a weak phone names another person: suggested
    s.add(("email", "not an email"))  # refused
    s.add(s.email("zoe"), department="nowhere")  # refused
    s.add(s.email("zoe"), kind="Not A Kind")  # refused
    s.add(s.email("zoe"), given_name="Zoé", birth_date=dt.date(1990, 1, 2))
    s.add(s.email("zoe"), birth_date=dt.date(1991, 1, 2))  # another birth date: kept apart
    s.add(s.email("zoe"), family_name="Petit")  # fills a blank
    s.add(s.email("paul"), external_id=f"ns{namespace}-0")  # an id seen before: the first
    s.add(s.email("ann"), given_name="Ann")
    s.add(s.handle("ann"), given_name="Ann", city="Caen")
    s.add(s.email("kim"), given_name="Kim")
    # Both Anns merged, a new phone, Kim's email shared with her and the pair suggested.
    s.add(s.email("ann"), s.handle("ann"), s.email("kim"), s.phone(4), given_name="Ann")
    rng = random.Random(seed)
    humans = [
        [s.email(f"h{h}"), s.email(f"h{h}bis"), s.phone(100 + h), s.handle(f"h{h}")]
        for h in range(12)
    ]
    for _ in range(70):
        human = rng.randrange(len(humans))
        chosen = [pair for pair in humans[human] if rng.random() < 0.4] or [humans[human][0]]
        named = rng.random() < 0.6
        s.add(*chosen, given_name=f"G{human}" if named else "", city=rng.choice(["", "Nantes"]))
    return s.items


def ingest_one_by_one(items: list[InteractionIn]) -> list[Any]:
    answers = []
    for item in items:
        try:
            answers.append(interaction_ingest(data=item))
        except DomainError as error:
            answers.append(error)
    return answers


def ingest_as_batch(items: list[InteractionIn], size: int = 1000) -> list[Any]:
    answers: list[Any] = []
    for start in range(0, len(items), size):
        with transaction.atomic():
            results = interaction_ingest_batch(items=items[start : start + size])
        answers += [result.result if result.result else result.error for result in results]
    return answers


def ingest_in_batches_of_nine(items: list[InteractionIn]) -> list[Any]:
    # Later batches find the persons of earlier ones already written.
    return ingest_as_batch(items, size=9)


def canonical(text: str) -> str:
    return re.sub(r"ns[ab]", "ns", re.sub(r"\+336[12]", "+336N", text))


def latest_person_id() -> int:
    return Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def ingested(namespace: str, ingest: Any, seed: int, actor: User) -> dict[str, Any]:
    before = latest_person_id()
    prelude(namespace, actor)
    answers = ingest(scenario(namespace, seed))
    created = Person.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True)
    # Ranked by the first answer naming them: the batch writes the items it decides in
    # memory before the ones that wait for them, so its ids come in another order.
    named = [a.interaction.person_id for a in answers if not isinstance(a, DomainError)]
    ranked = sorted(created, key=lambda pk: named.index(pk) if pk in named else len(named))
    return snapshot(answers, person_ids=ranked)


def payload(data: dict[str, Any], ranked: Any, clean: Any) -> Any:
    """A timeline entry's payload, with the ids it names replaced by their rank."""
    data = dict(data)
    for name in ("absorbed", "other"):
        if name in data:
            data[name] = ranked(data[name])
    if "suggestion" in data:  # a suggestion's id: the pair is compared as "suggestions"
        data["suggestion"] = "id"
    if "suggested_with" in data:
        data["suggested_with"] = [ranked(pk) for pk in data["suggested_with"]]
    return clean(data)


def moved_rows(merge: Merge, clean: Any) -> list[Any]:
    """Which identifiers and timeline entries a merge record says it moved, by content."""
    identifiers = Identifier.objects.filter(pk__in=merge.moved.get("identifiers", []))
    entries = Activity.objects.filter(pk__in=merge.moved.get("activities", []))
    return [
        sorted((i.kind, clean(i.value)) for i in identifiers),
        sorted((a.verb, clean(a.summary)) for a in entries),
    ]


def snapshot(answers: list[Any], *, person_ids: list[int]) -> dict[str, Any]:
    """Everything a stream wrote, with person ids replaced by their rank."""
    rank = {pk: index for index, pk in enumerate(person_ids)}

    def ranked(value: Any) -> Any:
        return rank.get(value, ("outside", value))

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return canonical(value)
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {canonical(str(k)): clean(v) for k, v in value.items()}
        return value

    def evidence(data: dict[str, Any]) -> Any:
        candidates = {str(ranked(int(pk))): c for pk, c in data.get("candidates", {}).items()}
        return clean({**data, "candidates": candidates})

    by_rank = sorted(Person.objects.filter(pk__in=person_ids), key=lambda p: rank[p.pk])
    assert len(by_rank) == len(person_ids)
    return {
        "answers": [
            (type(a).__name__, a.code, clean(a.details))
            if isinstance(a, DomainError)
            else (a.created, ranked(a.interaction.person_id), a.interaction.resolution)
            for a in answers
        ],
        "persons": [
            (
                p.given_name,
                p.family_name,
                p.birth_date,
                p.city,
                p.search_name,
                ranked(p.merged_into_id),
                p.last_own_contact_at,
            )
            for p in by_rank
        ],
        "identifiers": sorted(
            (
                ranked(i.person_id),
                i.kind,
                canonical(i.value),
                i.is_shared,
                i.source,
                i.verified_at is not None,
            )
            for i in Identifier.objects.filter(person_id__in=person_ids)
        ),
        "decisions": [
            (ranked(d.person_id), d.outcome, d.reason, d.source, evidence(d.evidence))
            for d in sorted(
                ResolutionDecision.objects.filter(person_id__in=person_ids).order_by("pk"),
                key=lambda d: rank[d.person_id],  # each person's in their order
            )
        ],
        "timelines": [
            [
                (
                    a.verb,
                    a.channel,
                    a.department_id,
                    a.object_type,
                    ranked(int(a.object_id)) if a.object_type == "people.person" else "",
                    a.summary,
                    payload(a.payload, ranked, clean),
                    a.occurred_at if a.verb.startswith("interaction.") else None,
                )
                for a in Activity.objects.filter(person_id=pk).order_by("pk")
            ]
            for pk in person_ids
        ],
        "suggestions": sorted(
            (
                ranked(s.person_a_id),
                ranked(s.person_b_id),
                s.status,
                s.reason,
                s.origin,
                repr(evidence(s.evidence)),
            )
            for s in DuplicateSuggestion.objects.filter(person_a_id__in=person_ids)
        ),
        "merges": sorted(
            (
                ranked(m.survivor_id),
                ranked(m.absorbed_id),
                repr(sorted((name, len(ids)) for name, ids in m.moved.items())),
                repr(moved_rows(m, clean)),
                repr(clean(m.survivor_before)),
                repr(m.created_rows.get("suggestion", [])[1:]),
                len(m.created_rows.get("consents", [])),
            )
            for m in Merge.objects.filter(survivor_id__in=person_ids)
        ),
        "interactions": sorted(
            (canonical(i.external_id), ranked(i.person_id), i.resolution)
            for i in Interaction.objects.filter(person_id__in=person_ids)
        ),
    }


@pytest.fixture
def departments() -> None:
    department_ensure(slug="service-client")


@pytest.mark.usefixtures("departments")
@pytest.mark.parametrize("ingest", [ingest_as_batch, ingest_in_batches_of_nine])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_batch_writes_what_one_by_one_ingestion_writes(
    seed: int, ingest: Any, cast: Cast
) -> None:
    one_by_one = ingested("a", ingest_one_by_one, seed, cast.agent)
    in_batch = ingested("b", ingest, seed, cast.agent)

    assert in_batch == one_by_one
    outcomes = [answer[2] for answer in one_by_one["answers"] if isinstance(answer[0], bool)]
    assert {"created", "attached", "merged", "suggested"} <= set(outcomes)
    # The persons known before: attached despite the pair judged distinct; Yves and Eva
    # kept apart from Eve and from each other (ranked by first answer: Dora, Yves, Eve, Eva).
    assert one_by_one["answers"][:4] == [
        (True, 0, "attached"),
        (True, 1, "suggested"),
        (True, 2, "suggested"),
        (True, 3, "suggested"),
    ]
    suggestions = [s[:3] for s in one_by_one["suggestions"]]
    assert suggestions[0][::2] == (0, "distinct")
    assert suggestions[1:4] == [(1, 3, "open"), (2, 1, "open"), (2, 3, "open")]


@pytest.mark.usefixtures("departments")
def test_a_batch_replayed_after_a_merge_answers_with_the_survivor() -> None:
    stream = Stream("a")
    stream.add(stream.email("lea"))
    stream.add(stream.handle("lea"))
    stream.add(stream.email("lea"), stream.handle("lea"))  # merges the first two
    stream.add(stream.handle("lea"), external_id="nsa-1")  # the second one again
    results = ingest_as_batch(stream.items)

    survivor = results[0].interaction.person_id
    assert [r.interaction.resolution for r in results] == [
        "created",
        "created",
        "merged",
        "created",
    ]
    assert (results[3].created, results[3].interaction.person_id) == (False, survivor)


@pytest.mark.usefixtures("departments")
def test_a_batch_costs_the_same_queries_for_ten_or_forty_new_persons(
    django_assert_num_queries: Any,
) -> None:
    def batch(prefix: str, count: int) -> list[InteractionIn]:
        stream = Stream("a")
        for number in range(count):
            stream.add(stream.email(f"{prefix}{number}"), external_id=f"{prefix}-{number}")
        return stream.items

    # Interactions seen, identifiers held, department, then one savepoint writing persons,
    # identifiers, decisions, timeline entries and interactions in one statement each
    # (SQLite's 999 parameters per statement split larger batches into a few more).
    with django_assert_num_queries(10):
        interaction_ingest_batch(items=batch("ten", 10))
    with django_assert_num_queries(10):
        interaction_ingest_batch(items=batch("forty", 40))
    assert Person.objects.count() == 50


@pytest.mark.usefixtures("departments")
def test_a_batch_costs_the_same_queries_for_ten_or_forty_known_persons(
    django_assert_num_queries: Any,
) -> None:
    def batch(prefix: str, count: int, *, round_: int) -> list[InteractionIn]:
        stream = Stream("a")
        for number in range(count):
            stream.add(
                stream.email(f"{prefix}{number}"),
                external_id=f"{prefix}-{number}-{round_}",
                # The second round completes their profiles and names them anew.
                **({"given_name": "Léa", "city": "Nîmes"} if round_ else {}),
            )
        return stream.items

    for prefix, count in (("ten", 10), ("forty", 40)):
        interaction_ingest_batch(items=batch(prefix, count, round_=0))
    # Interactions seen, identifiers held, the persons holding them (what deciding needs of
    # them), the department, then a savepoint marking the identifiers seen, completing the
    # profiles (one statement for every row) and writing decisions, timeline entries and
    # interactions: no query per person, whatever the batch reads of them.
    with django_assert_num_queries(11):
        results = interaction_ingest_batch(items=batch("ten", 10, round_=1))
    with django_assert_num_queries(11):
        interaction_ingest_batch(items=batch("forty", 40, round_=1))
    assert {r.result.interaction.resolution for r in results if r.result} == {"attached"}
    assert Person.objects.filter(city="Nîmes").count() == 50


@pytest.mark.usefixtures("departments")
def test_a_flush_refused_by_the_database_is_replayed_item_by_item(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stream = Stream("a")
    stream.add(stream.email("lea"), given_name="Léa")
    stream.add(stream.email("lea"), stream.phone(1))
    taken = interaction_ingest(data=stream.items[0]).interaction
    # The batch reads nothing, as if another process had written its identifiers since.
    monkeypatch.setattr(ingest_batch._Batch, "load_ingested", lambda self: None)
    monkeypatch.setattr(
        ingest_batch._Batch, "load_identifiers", lambda self, keys, person_ids=(): None
    )

    results = ingest_as_batch(stream.items)

    assert [(r.created, r.interaction.person_id) for r in results] == [
        (False, taken.person_id),
        (True, taken.person_id),
    ]
    assert results[1].interaction.resolution == "attached"
    assert Person.objects.count() == 1
    assert sorted(Identifier.objects.values_list("kind", flat=True)) == ["email", "phone"]


def merges_after_waiting_items(namespace: str, *, involved: bool) -> dict[str, Any]:
    """Xavier, Zoé and Yann known, then a batch: Zoé absorbs Yann (a merge, which waits),
    an item of Yann's handle (waits with it, then attaches to Zoé) and a second merge,
    of Xavier with Zoé (``involved``: her item is still waiting to be written) or of two
    persons the waiting item does not touch."""
    s = Stream(namespace)
    for name in ("xavier", "zoe"):
        s.add(s.email(name), external_id=f"ns{namespace}-{name}")
    s.add(s.handle("yann"), external_id=f"ns{namespace}-yann")
    s.add(s.email("ann"), external_id=f"ns{namespace}-ann")
    s.add(s.handle("ann"), external_id=f"ns{namespace}-ann2")
    before = latest_person_id()
    ingest_one_by_one(s.items)
    s.items.clear()
    s.add(s.email("zoe"), s.handle("yann"))
    s.add(s.handle("yann"), city="Brest")
    s.add(s.email("xavier" if involved else "ann"), s.handle("yann" if involved else "ann"))
    answers = ingest_as_batch(s.items) if namespace == "b" else ingest_one_by_one(s.items)
    created = Person.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True)
    return snapshot(answers, person_ids=list(created))


@pytest.mark.usefixtures("departments")
@pytest.mark.parametrize("involved", [True, False])
def test_a_merge_waits_for_the_rows_of_the_persons_it_names(involved: bool) -> None:
    one_by_one = merges_after_waiting_items("a", involved=involved)
    in_batch = merges_after_waiting_items("b", involved=involved)

    assert in_batch == one_by_one
    assert [answer[2] for answer in in_batch["answers"]] == ["merged", "attached", "merged"]
    zoe_timeline = in_batch["timelines"][1]
    # The waiting item is Zoé's: moved to Xavier with her when he absorbs her.
    assert ("interaction.purchase" in [entry[0] for entry in zoe_timeline]) is not involved


@pytest.mark.usefixtures("departments")
def test_items_waiting_beside_merges_of_other_persons_are_written_together() -> None:
    stream = Stream("b")
    for name in ("zoe", "ann", "bob"):
        stream.add(stream.email(name), external_id=f"nsb-{name}")
        stream.add(stream.handle(name), external_id=f"nsb-{name}2")
    ingest_one_by_one(stream.items)
    stream.items.clear()
    stream.add(stream.email("zoe"), stream.handle("zoe"))  # merges Zoé's two records
    stream.add(stream.handle("zoe"), city="Brest")  # Zoé's: waits for the merge, then waits
    stream.add(stream.email("ann"), stream.handle("ann"))  # merges Ann's, Zoé's item aside
    stream.add(stream.email("zoe"), city="Brest")  # Zoé's again: waits
    stream.add(stream.email("bob"), stream.handle("bob"))  # merges Bob's
    with CaptureQueriesContext(connection) as captured:
        results = interaction_ingest_batch(items=stream.items)
    statements = [query["sql"] for query in captured.captured_queries]
    # The three merges and the five items' rows in one savepoint, the items' rows written
    # together after the merges: not a write before each merge, nor one for each merge.
    assert sum(sql.startswith("SAVEPOINT") for sql in statements) == 1
    assert sum(sql.startswith('INSERT INTO "people_interaction"') for sql in statements) == 1
    assert [r.result.interaction.resolution for r in results if r.result] == [
        "merged",
        "attached",
        "merged",
        "attached",
        "merged",
    ]


@pytest.mark.usefixtures("departments")
def test_a_merge_refused_when_written_rolls_back_the_flush_and_replays_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stream = Stream("b")
    for name in ("zoe", "ann", "bob"):
        stream.add(stream.email(name), external_id=f"nsb-{name}")
        stream.add(stream.handle(name), external_id=f"nsb-{name}2")
    ingest_one_by_one(stream.items)
    ann = Identifier.objects.get(value="ann.nsb@example.org").person_id
    stream.items.clear()
    stream.add(stream.email("zoe"), stream.handle("zoe"))
    stream.add(stream.handle("zoe"), city="Brest")
    stream.add(stream.email("ann"), stream.handle("ann"))  # refused when the batch writes it
    stream.add(stream.email("bob"), stream.handle("bob"))
    real_check = merge_many._check_mergeable

    def check(survivor: Person, absorbed: Person, *, flagged: bool = False) -> None:
        if survivor.pk == ann:  # as if another process had just merged Ann elsewhere
            raise MergeRefused(details={"reason": "already_merged"})
        real_check(survivor, absorbed, flagged=flagged)

    monkeypatch.setattr(merge_many, "_check_mergeable", check)

    with transaction.atomic():
        results = interaction_ingest_batch(items=stream.items)

    # Zoé's and Bob's merges were rolled back with Ann's, then every item took the general
    # path in order (which checks merges its own way): every item once, every pair merged
    # once, each item's entries after its merge's.
    assert [r.result.interaction.resolution for r in results if r.result] == [
        "merged",
        "attached",
        "merged",
        "merged",
    ]
    assert Merge.objects.count() == 3
    external_ids = [item.external_id for item in stream.items]
    assert Interaction.objects.filter(external_id__in=external_ids).count() == 4
    assert Person.objects.filter(merged_into__isnull=True).count() == 3
    zoe = results[0].result.interaction.person_id
    assert results[1].result.interaction.person_id == zoe
    verbs = list(
        Activity.objects.filter(person_id=zoe).order_by("pk").values_list("verb", flat=True)
    )
    assert verbs[-3:] == ["person.merged", "interaction.purchase", "interaction.purchase"]


def merged_with_ledgers(namespace: str, ingest: Any) -> dict[str, Any]:
    """Ann's two records, one refusing email marketing before the other agreed, merged."""
    s = Stream(namespace)
    s.add(s.email("ann"), external_id=f"ns{namespace}-ann")
    s.add(s.handle("ann"), external_id=f"ns{namespace}-ann2")
    s.add(s.email("bob"), external_id=f"ns{namespace}-bob")
    s.add(s.handle("bob"), external_id=f"ns{namespace}-bob2")
    before = latest_person_id()
    first, second = (answer.interaction.person for answer in ingest_one_by_one(s.items)[:2])
    for person, state, day in ((second, "denied", 1), (first, "granted", 2)):
        consent_record(
            person=person,
            purpose="email_marketing",
            state=state,
            source="shop",
            occurred_at=START + dt.timedelta(days=day),
        )
    s.items.clear()
    s.add(s.email("ann"), s.handle("ann"))
    s.add(s.email("bob"), s.handle("bob"))  # no ledger: merged with the others
    answers = ingest(s.items)
    assert not consent_allows(first, "email_marketing")  # the refusal stands
    created = Person.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True)
    return snapshot(answers, person_ids=list(created))


@pytest.mark.usefixtures("departments")
def test_a_batch_joins_consent_ledgers_as_one_by_one_merges_do() -> None:
    one_by_one = merged_with_ledgers("a", ingest_one_by_one)
    in_batch = merged_with_ledgers("b", ingest_as_batch)

    assert in_batch == one_by_one
    assert [merge[-1] for merge in in_batch["merges"]] == [1, 0]  # Ann's refusal, written again


@pytest.mark.usefixtures("departments")
def test_a_batch_merge_moves_the_relations_of_both_sides() -> None:
    s = Stream("b")
    for name in ("ann", "bob", "eve"):
        s.add(s.email(name), external_id=f"nsb-{name}")
    s.add(s.handle("ann"), external_id="nsb-ann2")
    s.add(s.handle("bob"), external_id="nsb-bob2")
    ann, bob, eve, ann2, bob2 = (a.interaction.person for a in ingest_one_by_one(s.items))
    # Ann's second record is someone's friend and has a friend; Bob's has no relation.
    inverse = relation_record(person=eve, other=ann2, kind="friend", source="shop")
    forward = relation_record(person=ann2, other=eve, kind="colleague", source="shop")
    assert inverse is not None
    assert forward is not None
    s.items.clear()
    s.add(s.email("ann"), s.handle("ann"))
    s.add(s.email("bob"), s.handle("bob"))

    interaction_ingest_batch(items=s.items)

    inverse.refresh_from_db()
    forward.refresh_from_db()
    assert (inverse.person_id, inverse.other_id) == (eve.pk, ann.pk)
    assert (forward.person_id, forward.other_id) == (ann.pk, eve.pk)
    moved = {m.absorbed_id: m.moved for m in Merge.objects.all()}
    assert moved[ann2.pk]["inverse_relations"] == [inverse.pk]
    assert moved[ann2.pk]["relations"] == [forward.pk]
    assert "inverse_relations" not in moved[bob2.pk]


def three_records_merged(namespace: str, ingest: Any) -> dict[str, Any]:
    """Ann's three records (the second and third with what the first lacks), named by one
    item: both merged into the first, one after the other."""
    s = Stream(namespace)
    s.add(s.email("ann"), external_id=f"ns{namespace}-ann")
    s.add(s.handle("ann"), given_name="Ann", external_id=f"ns{namespace}-ann2")
    s.add(s.email("ann.b"), city="Brest", external_id=f"ns{namespace}-ann3")
    before = latest_person_id()
    ingest_one_by_one(s.items)
    s.items.clear()
    s.add(s.email("ann"), s.handle("ann"), s.email("ann.b"))
    answers = ingest(s.items)
    created = Person.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True)
    return snapshot(answers, person_ids=list(created))


@pytest.mark.usefixtures("departments")
def test_a_batch_merges_three_records_as_one_by_one_merges_do() -> None:
    one_by_one = three_records_merged("a", ingest_one_by_one)
    in_batch = three_records_merged("b", ingest_as_batch)

    assert in_batch == one_by_one
    assert [merge[:2] for merge in in_batch["merges"]] == [(0, 1), (0, 2)]
    survivor = in_batch["persons"][0]
    assert (survivor[0], survivor[3]) == ("Ann", "Brest")  # completed by both absorbed records


def ledger_merge_after_another(namespace: str, ingest: Any) -> list[tuple[Any, ...]]:
    """Bea's records merged (no ledger), then Dan's (one with a ledger), while Dan's second
    record is Bea's second's friend and Dan's first is Bea's first's: the relations end
    where merges made one after the other leave them."""
    s = Stream(namespace)
    for name in ("bea", "dan"):
        s.add(s.email(name), external_id=f"ns{namespace}-{name}")
        s.add(s.handle(name), external_id=f"ns{namespace}-{name}2")
    before = latest_person_id()
    bea, bea2, dan, dan2 = (a.interaction.person for a in ingest_one_by_one(s.items))
    consent_record(person=dan, purpose="email_marketing", state="granted", source="shop")
    relation_record(person=dan2, other=bea2, kind="friend", source="shop")
    relation_record(person=dan, other=bea, kind="friend", source="shop")
    s.items.clear()
    s.add(s.email("bea"), s.handle("bea"))
    s.add(s.email("dan"), s.handle("dan"))
    ingest(s.items)
    rank = {
        pk: n
        for n, pk in enumerate(
            Person.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True)
        )
    }
    return sorted(
        (rank[r.person_id], rank[r.other_id], r.kind)
        for r in Relation.objects.filter(person_id__in=rank)
    ) + sorted(
        (rank[m.absorbed_id], len(m.moved.get("relations", [])))
        for m in Merge.objects.filter(survivor_id__in=rank)
    )


@pytest.mark.usefixtures("departments")
def test_merges_with_and_without_ledgers_are_written_in_their_order() -> None:
    assert ledger_merge_after_another("b", ingest_as_batch) == ledger_merge_after_another(
        "a", ingest_one_by_one
    )


@pytest.mark.usefixtures("departments")
def test_a_pair_judged_distinct_before_the_flush_is_not_merged(
    monkeypatch: pytest.MonkeyPatch, cast: Cast
) -> None:
    s = Stream("b")
    s.add(s.email("eva"), external_id="nsb-eva")
    s.add(s.handle("eva"), external_id="nsb-eva2")
    ingest_one_by_one(s.items)
    s.items.clear()
    s.add(s.email("eva"), s.handle("eva"))
    first, second = Person.objects.order_by("-pk")[:2][::-1]
    suggestion = DuplicateSuggestion.objects.create(person_a=first, person_b=second, reason="x")
    suggestion_decide(suggestion=suggestion, decision="distinct", actor=cast.agent)
    # As if the batch had checked just before an employee's decision: only the flush knows.
    monkeypatch.setattr(ingest_merge, "_may_merge", lambda compatible: True)

    results = interaction_ingest_batch(items=s.items)

    assert results[0].result is not None
    assert results[0].result.interaction.resolution != "merged"
    assert not Merge.objects.exists()
    suggestion.refresh_from_db()
    assert suggestion.status == DuplicateSuggestion.Status.DISTINCT
