"""Duplicate detection runs: blocking, scoring, storing, "never again", the auto-merge guard."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from socius.conftest import make_employee
from socius.people.detection.pipeline import (
    FieldEvidence,
    ScoredPair,
    address_model,
    cohabitation_share,
    score_persons,
)
from socius.people.detection.records import PersonRecord, person_records, record_of
from socius.people.models import (
    DetectionRun,
    DuplicateSuggestion,
    Identifier,
    IdentifierKind,
    Merge,
    Person,
)
from socius.people.services.detection import (
    DetectionAlreadyRunning,
    contradicted,
    detection_run_execute,
    detection_run_request,
    strong_conflicts,
    suggestions_store,
)
from socius.people.services.privacy_erase import person_erase
from socius.people.services.suggestion_decisions import suggestion_decide
from socius.people.tests.detection_builders import person

pytestmark = pytest.mark.django_db


def identify(who: Person, kind: str, value: str) -> None:
    Identifier.objects.create(person=who, kind=kind, value=value, raw_value=value, source="test")


@pytest.fixture
def lefevre() -> tuple[Person, Person]:
    """The same human twice: abbreviated given name, accents, street abbreviation."""
    first = person(
        "Jean-Pierre",
        "Lefèvre",
        dt.date(1971, 4, 12),
        address="12 r. des Lilas",
        postcode="44000",
        city="Nantes",
    )
    second = person(
        "JP",
        "Lefevre",
        dt.date(1971, 4, 12),
        address="12 rue des Lilas",
        postcode="44000",
        city="Nantes",
    )
    return first, second


@pytest.fixture
def strangers() -> list[Person]:
    """Neighbours and namesakes that must not be suggested."""
    return [
        person("Marie", "Durand", dt.date(1980, 1, 2), address="3 av. Foch", postcode="75016"),
        person("Luc", "Durand", dt.date(2012, 6, 30), address="3 avenue Foch", postcode="75016"),
        person("Jean", "Lefèvre", dt.date(1942, 9, 3), address="8 place Royale", postcode="44000"),
        person("Paul", "Martin", None, city="Lyon"),
    ]


def run_now(**kwargs: Any) -> DetectionRun:
    run = DetectionRun.objects.create(**kwargs)
    return detection_run_execute(run_id=run.pk)


@pytest.mark.usefixtures("strangers")
def test_a_run_suggests_the_fuzzy_duplicate_with_its_evidence(
    lefevre: tuple[Person, Person],
) -> None:
    run = run_now()

    assert run.status == DetectionRun.Status.DONE, run.failure
    assert not run.trained  # a tiny base keeps the priors
    suggestion = DuplicateSuggestion.objects.get()
    assert {suggestion.person_a_id, suggestion.person_b_id} == {p.pk for p in lefevre}
    assert suggestion.origin == DuplicateSuggestion.Origin.DETECTION
    assert suggestion.probability is not None
    assert suggestion.probability >= 0.99
    fields = {item["field"]: item for item in suggestion.evidence["fields"]}
    assert fields["family_name"]["left"] == fields["family_name"]["right"] == "lefevre"
    assert (
        fields["address"]["left"] == fields["address"]["right"] == "12 rue des lilas 44000 nantes"
    )
    assert fields["birth_date"]["weight"] > 5
    assert fields["given_name"]["left"] == "jean pierre"
    assert (run.suggested_count, run.merged_count, run.persons_count) == (1, 0, 6)
    assert run.model["fields"]["birth_date"]


def test_a_pair_judged_distinct_is_never_suggested_again(
    lefevre: tuple[Person, Person], cast: Any
) -> None:
    run_now()
    suggestion = DuplicateSuggestion.objects.get()
    suggestion_decide(suggestion=suggestion, decision="distinct", actor=cast.agent)

    again = run_now()

    suggestion.refresh_from_db()
    assert suggestion.status == DuplicateSuggestion.Status.DISTINCT
    assert (again.suggested_count, again.skipped_count) == (0, 1)
    assert DuplicateSuggestion.objects.count() == 1


def test_an_open_suggestion_gets_the_newer_figures_not_a_second_row(
    lefevre: tuple[Person, Person],
) -> None:
    run_now()
    DuplicateSuggestion.objects.update(probability=0.5, evidence={"identifiers": ["x"]})

    run_now()

    suggestion = DuplicateSuggestion.objects.get()
    assert suggestion.probability is not None
    assert suggestion.probability > 0.99
    assert suggestion.evidence["identifiers"] == ["x"]  # what ingestion saw stays
    assert suggestion.evidence["fields"]


def test_nothing_is_merged_automatically_by_default(lefevre: tuple[Person, Person]) -> None:
    run_now()

    assert not Merge.objects.exists()
    assert all(p.is_live for p in Person.objects.all())


def test_an_almost_certain_pair_is_merged_when_allowed(
    lefevre: tuple[Person, Person], settings: Any
) -> None:
    settings.DUPLICATES_AUTO_MERGE_THRESHOLD = 0.99

    run = run_now()

    merge = Merge.objects.get()
    assert (merge.survivor_id, merge.absorbed_id) == (lefevre[0].pk, lefevre[1].pk)
    assert run.merged_count == 1
    assert DuplicateSuggestion.objects.get().status == DuplicateSuggestion.Status.MERGED


def test_two_different_strong_identifiers_of_one_kind_block_the_automatic_merge(
    lefevre: tuple[Person, Person], settings: Any
) -> None:
    settings.DUPLICATES_AUTO_MERGE_THRESHOLD = 0.99
    identify(lefevre[0], IdentifierKind.CUSTOMER_NUMBER, "C-1001")
    identify(lefevre[1], IdentifierKind.CUSTOMER_NUMBER, "C-2002")

    run = run_now()

    assert strong_conflicts(*[p.pk for p in lefevre]) == ["customer_number"]
    assert not Merge.objects.exists()
    assert run.merged_count == 0
    assert DuplicateSuggestion.objects.get().status == DuplicateSuggestion.Status.OPEN


def test_a_shared_strong_value_does_not_count_as_a_conflict(
    lefevre: tuple[Person, Person],
) -> None:
    identify(lefevre[0], IdentifierKind.LOYALTY_CARD, "L-1")
    identify(lefevre[1], IdentifierKind.PHONE, "+33612345678")

    assert strong_conflicts(*[p.pk for p in lefevre]) == []


def test_merged_and_erased_persons_are_left_out(lefevre: tuple[Person, Person]) -> None:
    gone = person("JP", "Lefevre", dt.date(1971, 4, 12), address="12 rue des Lilas")
    gone.merged_into = lefevre[0]
    gone.save()
    erased = person("Jean Pierre", "Lefevre", dt.date(1971, 4, 12), postcode="44000")
    Person.objects.filter(pk=erased.pk).update(erased_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))

    run = run_now()

    assert run.persons_count == 2
    assert DuplicateSuggestion.objects.count() == 1


def test_only_one_run_waits_or_runs_at_a_time(cast: Any) -> None:
    first = detection_run_request(actor=cast.agent, trigger=DetectionRun.Trigger.MANUAL)

    with pytest.raises(DetectionAlreadyRunning):
        detection_run_request(actor=cast.agent, trigger=DetectionRun.Trigger.MANUAL)
    assert first.status == DetectionRun.Status.QUEUED


def test_erasing_one_person_scrubs_what_the_pair_evidence_said_about_them(
    lefevre: tuple[Person, Person], cast: Any
) -> None:
    run_now()
    assert "lefevre" in str(DuplicateSuggestion.objects.get().evidence)

    person_erase(person=lefevre[1], actor=cast.admin, reason="Asked by the person")

    evidence = str(DuplicateSuggestion.objects.get().evidence)
    assert "lefevre" not in evidence
    assert "1971" not in evidence
    assert "lilas" not in evidence


def test_a_pair_whose_given_names_differ_outright_is_never_merged_automatically(
    settings: Any,
) -> None:
    settings.DUPLICATES_AUTO_MERGE_THRESHOLD = 0.95
    first = person("Claire", "Perrot", None, address="7 rue Kléber", postcode="44000")
    second = person("Margaret", "Perrot", None, address="7 rue Kleber", postcode="44000")
    pair = ScoredPair(
        left=first.pk,
        right=second.pk,
        probability=0.999,
        match_weight=12.0,
        fields=(
            FieldEvidence("given_name", 0, -6.0, "claire", "margaret"),
            FieldEvidence("family_name", 5, 7.0, "perrot", "perrot"),
        ),
    )

    outcome = suggestions_store([pair])

    assert contradicted(pair) == ["given_name"]
    assert (outcome.suggested, outcome.merged) == (1, 0)
    assert outcome.held == [(first.pk, second.pk)]
    assert not Merge.objects.exists()


def resident(pk: int, given: str, born: str, number: str = "12") -> PersonRecord:
    return record_of(
        pk,
        given_name=given,
        family_name="Perrot",
        birth_date=dt.date.fromisoformat(born),
        address=f"{number} rue Kléber",
        postcode="44000",
        city="Nantes",
    )


def test_the_address_is_one_comparison_where_people_live_together(settings: Any) -> None:
    settings.DUPLICATES_ADDRESS = "auto"
    # Each record lives alone, or with its own duplicate (same given name and birth date).
    alone = [resident(n, "Claire", "1980-01-02", number=str(n)) for n in range(1, 40)]
    twins = [resident(40, "Claire", "1980-01-02"), resident(41, "Clair", "1980-01-02")]
    # A family: three persons plainly different at one address.
    family = [
        resident(42, "Claire", "1980-01-02", "99"),
        resident(43, "Margaret", "1951-07-30", "99"),
        resident(44, "Hugo", "2010-11-11", "99"),
    ]

    assert cohabitation_share(alone + twins) == 0
    assert address_model(None, trained=True, records=alone + twins) == "fields"
    assert cohabitation_share(alone + twins + family) == pytest.approx(3 / 44)
    assert address_model(None, trained=True, records=alone + twins + family) == "one"
    assert address_model(None, trained=False, records=alone + twins) == "one"
    settings.DUPLICATES_ADDRESS = "fields"
    assert address_model(None, trained=True, records=alone + twins + family) == "fields"


def test_a_person_erased_while_the_run_scored_is_not_written_back(
    lefevre: tuple[Person, Person], cast: Any
) -> None:
    records = list(person_records())
    scoring = score_persons(records, threshold=0.9, train=False)
    assert scoring.pairs

    person_erase(person=lefevre[1], actor=cast.admin, reason="Asked by the person")
    outcome = suggestions_store(scoring.pairs)

    assert outcome.suggested == 0
    assert not DuplicateSuggestion.objects.exists()


def test_an_employees_record_is_never_merged_automatically(settings: Any) -> None:
    settings.DUPLICATES_AUTO_MERGE_THRESHOLD = 0.95
    employee = make_employee("jp.lefevre@example.com", "Jean-Pierre Lefèvre", "boutique")
    Person.objects.filter(pk=employee.person_id).update(
        birth_date=dt.date(1971, 4, 12), address="12 r. des Lilas", postcode="44000"
    )
    customer = person(
        "JP", "Lefevre", dt.date(1971, 4, 12), address="12 rue des Lilas", postcode="44000"
    )

    run = run_now()

    assert DuplicateSuggestion.objects.filter(person_b=customer).exists()
    assert not Merge.objects.exists()
    assert run.held_count == 1


def test_a_lost_run_does_not_block_the_next_one_for_ever(cast: Any) -> None:
    lost = DetectionRun.objects.create(status=DetectionRun.Status.RUNNING)
    DetectionRun.objects.filter(pk=lost.pk).update(
        created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )

    run = detection_run_request(actor=cast.agent, trigger=DetectionRun.Trigger.MANUAL)

    lost.refresh_from_db()
    assert (lost.status, lost.active) == (DetectionRun.Status.FAILED, None)
    assert (run.status, run.active) == (DetectionRun.Status.QUEUED, True)


def test_the_database_keeps_one_active_run() -> None:
    DetectionRun.objects.create()
    with pytest.raises(IntegrityError), transaction.atomic():
        DetectionRun.objects.create()


def test_storing_costs_the_same_queries_for_one_pair_or_twenty(
    django_assert_max_num_queries: Any,
) -> None:
    def pairs(count: int) -> list[ScoredPair]:
        made = Person.objects.bulk_create(Person(given_name=f"P{n}") for n in range(2 * count))
        return [ScoredPair(made[2 * n].pk, made[2 * n + 1].pk, 0.95, 5.0) for n in range(count)]

    # live persons, existing suggestions, the insert, erased persons
    with django_assert_max_num_queries(8):
        assert suggestions_store(pairs(1)).suggested == 1
    with django_assert_max_num_queries(8):
        assert suggestions_store(pairs(20)).suggested == 20
