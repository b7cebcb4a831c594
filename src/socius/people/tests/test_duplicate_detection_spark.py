"""The same detection on Spark (local mode): the scale path selected by a setting."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from socius.people.models import DetectionRun, DuplicateSuggestion
from socius.people.services.detection import detection_run_execute, detection_run_request
from socius.people.tests.detection_builders import nantais

pytestmark = pytest.mark.django_db


def test_spark_finds_what_duckdb_finds(settings: Any) -> None:
    nantais("Jean-Pierre", "Lefèvre", dt.date(1971, 4, 12), "12 r. des Lilas")
    nantais("JP", "Lefevre", dt.date(1971, 4, 12), "12 rue des Lilas")
    nantais("Marie", "Lefevre", dt.date(2001, 9, 30), "12 rue des Lilas")  # a daughter
    nantais("Paul", "Martin", dt.date(1960, 2, 2), "1 place Graslin")

    duckdb = detection_run_execute(run_id=DetectionRun.objects.create().pk)
    on_duckdb = list(DuplicateSuggestion.objects.values_list("person_a", "person_b", "probability"))
    DuplicateSuggestion.objects.all().delete()
    settings.DUPLICATES_BACKEND = "spark"
    run = detection_run_request(actor=None, trigger=DetectionRun.Trigger.MANUAL)
    spark = detection_run_execute(run_id=run.pk)

    assert (duckdb.status, spark.status) == ("done", "done"), spark.failure
    assert spark.backend == "spark"
    on_spark = list(DuplicateSuggestion.objects.values_list("person_a", "person_b", "probability"))
    assert [pair[:2] for pair in on_spark] == [pair[:2] for pair in on_duckdb]
    assert len(on_spark) == 1
    assert on_spark[0][2] == pytest.approx(on_duckdb[0][2], abs=1e-9)
