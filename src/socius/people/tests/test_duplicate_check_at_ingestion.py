"""The check at ingestion: a new person is compared with the likeliest candidates at once."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from socius.accounts.services import department_ensure, token_create
from socius.conftest import Cast, signed_in_client
from socius.people.detection import incremental
from socius.people.detection.comparisons import comparisons, prior_model
from socius.people.detection.incremental import Model, candidate_ids, likely_duplicates
from socius.people.models import DetectionRun, DuplicateSuggestion, Person
from socius.people.names import search_name

pytestmark = pytest.mark.django_db

URL = "/api/v1/people/interactions"


@pytest.fixture
def known(cast: Cast) -> Person:
    department_ensure(slug="boutique")
    return Person.objects.create(
        given_name="Jean-Pierre",
        family_name="Lefèvre",
        birth_date=dt.date(1971, 4, 12),
        address="12 r. des Lilas",
        postcode="44000",
        city="Nantes",
        search_name=search_name("Jean-Pierre", "Lefèvre"),
    )


def interaction(email: str, external_id: str, **profile: Any) -> dict[str, Any]:
    return {
        "source": "shop",
        "external_id": external_id,
        "identifiers": [{"kind": "email", "value": email}],
        "profile": profile,
        "department": "boutique",
        "kind": "purchase",
        "occurred_at": "2026-11-02T10:00:00Z",
    }


def shop(cast: Cast) -> Client:
    secret = token_create(user=cast.agent, name="Shop", scopes=["people:write"]).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


FUZZY = {
    "given_name": "JP",
    "family_name": "Lefevre",
    "birth_date": "1971-04-12",
    "address": "12 rue des Lilas",
    "postcode": "44000",
    "city": "Nantes",
}


def test_a_new_person_is_suggested_as_a_duplicate_within_the_request(
    cast: Cast, known: Person, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = shop(cast).post(
            URL, json.dumps(interaction("jp@example.net", "o-1", **FUZZY)), "application/json"
        )

    assert response.status_code == 201
    assert response.json()["resolution"] == "created"
    new_id = response.json()["person_id"]
    suggestion = DuplicateSuggestion.objects.get()
    assert {suggestion.person_a_id, suggestion.person_b_id} == {known.pk, new_id}
    assert suggestion.origin == DuplicateSuggestion.Origin.DETECTION
    assert suggestion.probability is not None
    assert suggestion.probability >= 0.9
    # The evidence reads in the pair's order: the known record (person_a) first.
    fields = {item["field"]: item for item in suggestion.evidence["fields"]}
    assert (fields["given_name"]["left"], fields["given_name"]["right"]) == ("jean pierre", "jp")
    page = signed_in_client(cast.agent).get(reverse("people:person-detail", args=[new_id]))
    assert known.display_name in page.content.decode()
    assert 'data-testid="duplicate-suggestions"' in page.content.decode()


def test_an_unrelated_new_person_gets_no_suggestion(
    cast: Cast, known: Person, django_capture_on_commit_callbacks: Any
) -> None:
    other = {**FUZZY, "given_name": "Marc", "birth_date": "1990-01-01", "address": "3 rue Kervégan"}
    with django_capture_on_commit_callbacks(execute=True):
        response = shop(cast).post(
            URL, json.dumps(interaction("marc@example.net", "o-2", **other)), "application/json"
        )

    assert response.status_code == 201
    assert not DuplicateSuggestion.objects.exists()


def test_a_failing_check_never_loses_the_ingestion(
    cast: Cast,
    known: Person,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the matcher is down")

    monkeypatch.setattr("socius.people.services.detection.likely_duplicates", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = shop(cast).post(
            URL, json.dumps(interaction("jp@example.net", "o-3", **FUZZY)), "application/json"
        )

    assert response.status_code == 201
    assert Person.objects.filter(pk=response.json()["person_id"]).exists()
    assert not DuplicateSuggestion.objects.exists()


def test_a_batch_queues_the_check_of_the_persons_it_created(
    cast: Cast, known: Person, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    items = [
        interaction("jp@example.net", "o-4", **FUZZY),
        interaction("jp@example.net", "o-5"),  # attached to the first: nothing new to check
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = shop(cast).post(f"{URL}/batch", json.dumps({"items": items}), "application/json")

    assert response.status_code == 200
    assert DuplicateSuggestion.objects.filter(origin="detection").count() == 1


def test_candidates_come_from_the_birth_date_the_name_or_the_postcode_and_family(
    known: Person,
) -> None:
    def new(given: str, family: str, **fields: Any) -> Person:
        return Person.objects.create(
            given_name=given, family_name=family, search_name=search_name(given, family), **fields
        )

    same_birth = new("Zoé", "Arnaud", birth_date=known.birth_date)
    same_name = new("Jean-Pierre", "Lefèvre")
    same_place = new("Hélène", "Lefèvre", postcode="44000")
    elsewhere = new("Hélène", "Lefèvre", postcode="69001")
    gone = new("Jean-Pierre", "Lefèvre", birth_date=known.birth_date)
    gone.merged_into = known
    gone.save()

    found = set(candidate_ids(known))

    assert {same_birth.pk, same_name.pk, same_place.pk} <= found
    assert elsewhere.pk not in found
    assert gone.pk not in found


def test_the_check_uses_the_last_runs_model(known: Person) -> None:
    summary = prior_model()
    summary["fields"]["birth_date"] = [
        {"gamma": level["gamma"], "label": level["label"], "weight": -20.0}
        for level in summary["fields"]["birth_date"]
    ]
    DetectionRun.objects.create(
        status=DetectionRun.Status.DONE,
        model={**summary, "lambda": 0.001},
        persons_count=10,
        finished_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    )
    twin = Person.objects.create(
        given_name="JP",
        family_name="Lefevre",
        birth_date=known.birth_date,
        address="12 rue des Lilas",
        postcode="44000",
        city="Nantes",
        search_name=search_name("JP", "Lefevre"),
    )

    with_priors = Model.from_summary(prior_model(), 0.001)
    assert likely_duplicates(twin, model=with_priors)
    assert Model.latest().weights["birth_date"][4] == -20.0
    assert likely_duplicates(twin) == []  # the run's model weighs a shared birth date against


def test_the_priors_model_has_a_weight_for_every_level() -> None:
    model = Model.from_summary(prior_model(), incremental.DEFAULT_LAMBDA)
    for comparison in comparisons():
        assert set(model.weights[comparison.field]) == set(range(len(comparison.weighed) + 1))
