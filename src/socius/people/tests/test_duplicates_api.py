"""The duplicate detection API: runs, the queue with its evidence, decisions, bulk merges."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from socius.accounts.services import token_create
from socius.conftest import Cast
from socius.people.models import DetectionRun, DuplicateSuggestion, Merge
from socius.people.services.detection import detection_run_execute
from socius.people.tests.detection_builders import nantais

pytestmark = pytest.mark.django_db


def api_client(user: Any, *scopes: str) -> Client:
    secret = token_create(user=user, name="CRM", scopes=list(scopes)).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(data or {}), content_type="application/json")


@pytest.fixture
def writer(cast: Cast) -> Client:
    return api_client(cast.agent, "people:read", "people:write")


@pytest.fixture
def pairs() -> list[DuplicateSuggestion]:
    """Two fuzzy duplicates found by a detection run (beside the cast's six persons)."""
    nantais("Jean-Pierre", "Lefèvre", dt.date(1971, 4, 12), "12 r. des Lilas")
    nantais("JP", "Lefevre", dt.date(1971, 4, 12), "12 rue des Lilas")
    nantais("Anne-Sophie", "Moreau", dt.date(1985, 11, 3), "4 bd Guist'hau")
    nantais("Anne Sophie", "Moreaux", dt.date(1985, 11, 3), "4 boulevard Guist'hau")
    run = DetectionRun.objects.create()
    assert detection_run_execute(run_id=run.pk).status == DetectionRun.Status.DONE
    return list(DuplicateSuggestion.objects.order_by("pk"))


def test_a_run_is_queued_and_a_second_one_refused(
    writer: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(writer, "/api/v1/people/duplicates/run")

    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["trigger"], body["backend"]) == ("queued", "api", "duckdb")
    assert len(callbacks) == 1  # the worker's task, enqueued once committed
    again = post(writer, "/api/v1/people/duplicates/run")
    assert again.status_code == 409
    assert again.json()["code"] == "detection_already_running"
    assert again.json()["details"]["run"] == body["id"]


def test_a_run_reports_its_progress_then_its_counts(writer: Client, pairs: list[Any]) -> None:
    run = DetectionRun.objects.get()

    body = writer.get(f"/api/v1/people/duplicates/runs/{run.pk}").json()

    assert (body["status"], body["stage"]) == ("done", "finished")
    assert (body["persons_count"], body["suggested_count"], body["merged_count"]) == (10, 2, 0)
    assert body["trained"] is False


def test_the_queue_lists_pairs_with_their_per_field_evidence(
    writer: Client, pairs: list[DuplicateSuggestion]
) -> None:
    body = writer.get("/api/v1/people/duplicates", {"status": "open"}).json()

    assert {item["id"] for item in body["items"]} == {p.pk for p in pairs}
    first = next(
        item for item in body["items"] if item["person_a"]["display_name"] == "Jean-Pierre Lefèvre"
    )
    assert first["origin"] == "detection"
    assert first["probability"] >= 0.9
    fields = {f["field"]: f for f in first["evidence"]["fields"]}
    assert fields["given_name"]["right"] == "jp"
    assert fields["birth_date"]["weight"] > 0
    assert body["next_cursor"] is None


def test_the_queue_filters_by_probability(writer: Client, pairs: list[Any]) -> None:
    body = writer.get("/api/v1/people/duplicates", {"min_probability": 1.0}).json()
    assert all(item["probability"] >= 1.0 for item in body["items"])
    refused = writer.get("/api/v1/people/duplicates", {"status": "everything"})
    assert refused.status_code == 422


def test_decisions_merge_and_distinct_and_later(
    writer: Client, pairs: list[DuplicateSuggestion]
) -> None:
    merged = post(writer, f"/api/v1/people/duplicates/{pairs[0].pk}/decide", {"decision": "merge"})
    distinct = post(
        writer, f"/api/v1/people/duplicates/{pairs[1].pk}/decide", {"decision": "distinct"}
    )

    assert merged.status_code == 200
    assert merged.json()["status"] == "merged"
    assert Merge.objects.get().survivor_id == pairs[0].person_a_id
    assert distinct.json()["status"] == "distinct"
    listed = writer.get("/api/v1/people/duplicates", {"status": "distinct"}).json()
    assert [item["id"] for item in listed["items"]] == [pairs[1].pk]
    again = post(writer, f"/api/v1/people/duplicates/{pairs[1].pk}/decide", {"decision": "later"})
    assert again.status_code == 409
    assert again.json()["code"] == "suggestion_already_decided"


def test_an_unknown_decision_is_refused_and_changes_nothing(
    writer: Client, pairs: list[DuplicateSuggestion]
) -> None:
    response = post(writer, f"/api/v1/people/duplicates/{pairs[0].pk}/decide", {"decision": "yes"})

    assert response.status_code == 422
    assert DuplicateSuggestion.objects.filter(status="open").count() == 2


def test_merge_above_accepts_every_pair_at_the_probability(
    writer: Client, pairs: list[DuplicateSuggestion]
) -> None:
    DuplicateSuggestion.objects.filter(pk=pairs[1].pk).update(probability=0.95)

    body = post(writer, "/api/v1/people/duplicates/merge-above", {"min_probability": 0.99}).json()

    assert body["merged"] == [pairs[0].pk]
    assert (body["refused"], body["remaining"]) == ([], 0)
    assert DuplicateSuggestion.objects.get(pk=pairs[1].pk).status == "open"
    low = post(writer, "/api/v1/people/duplicates/merge-above", {"min_probability": 0.2})
    assert low.status_code == 422


def test_reading_needs_the_right_to_edit_people(cast: Cast, pairs: list[Any]) -> None:
    reader = api_client(cast.colleague, "people:read")

    assert reader.get("/api/v1/people/duplicates").status_code == 404
    assert reader.get(f"/api/v1/people/duplicates/{pairs[0].pk}").status_code == 404


def test_writing_needs_the_write_scope(cast: Cast, pairs: list[DuplicateSuggestion]) -> None:
    reader = api_client(cast.agent, "people:read")

    response = post(
        reader, f"/api/v1/people/duplicates/{pairs[0].pk}/decide", {"decision": "merge"}
    )

    assert response.status_code in (401, 403)
    assert not Merge.objects.exists()
    assert post(reader, "/api/v1/people/duplicates/run").status_code in (401, 403)


def test_an_unknown_suggestion_or_run_is_404(writer: Client) -> None:
    assert writer.get("/api/v1/people/duplicates/999999").status_code == 404
    assert writer.get("/api/v1/people/duplicates/runs/999999").status_code == 404
    decided = post(writer, "/api/v1/people/duplicates/999999/decide", {"decision": "later"})
    assert decided.status_code == 404
