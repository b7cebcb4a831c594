"""The review queue's detection tools: start a run, follow it, merge every near-certain pair."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext, override

from socius.conftest import Cast, signed_in_client
from socius.people.detection.comparisons import comparison_named
from socius.people.models import DetectionRun, DuplicateSuggestion, Merge, Person

pytestmark = pytest.mark.django_db


def _initials_gamma() -> int:
    """Splink's index of the "initials" level of the given name (0 is "anything else")."""
    levels = comparison_named("given_name").weighed  # type: ignore[union-attr]
    return len(levels) - [level.kind for level in levels].index("initials")


INITIALS = _initials_gamma()


@pytest.fixture
def scored() -> list[DuplicateSuggestion]:
    persons = Person.objects.bulk_create(Person(given_name=f"P{n}") for n in range(6))
    return [
        DuplicateSuggestion.objects.create(
            person_a=persons[2 * n],
            person_b=persons[2 * n + 1],
            reason="x",
            origin="detection",
            probability=probability,
            evidence={
                "fields": [
                    {
                        "field": "given_name",
                        "gamma": INITIALS,
                        "weight": 6.5,
                        "left": "a",
                        "right": "b",
                    },
                    {"field": "email_local", "gamma": 0, "weight": -6.6, "left": "c", "right": "d"},
                ]
            },
        )
        for n, probability in enumerate([0.999, 0.995, 0.93])
    ]


def test_the_queue_shows_each_fields_comparison(
    agent_client: Client, scored: list[DuplicateSuggestion]
) -> None:
    page = agent_client.get(reverse("people:suggestion-list")).content.decode()

    assert page.count('data-testid="suggestion-fields"') == 3
    assert "evidence-row--for" in page
    assert "evidence-row--against" in page
    assert 'value="-6.60"' in page  # the meter reads a dot, whatever the language
    assert 'data-testid="bulk-merge"' in page
    assert 'value="0.99"' in page  # a number input needs a dot, whatever the language
    with override("fr"):  # the pages speak French by default
        # the given name's "initials" level, then 0: always "different"
        assert gettext("initials of the other") in page
        assert gettext("different") in page


def test_starting_a_run_queues_it_once(agent_client: Client) -> None:
    url = reverse("people:detection-run-start")

    first = agent_client.post(url)
    second = agent_client.post(url, follow=True)

    assert first.status_code == 302
    assert DetectionRun.objects.get().status == DetectionRun.Status.QUEUED
    assert DetectionRun.objects.get().trigger == DetectionRun.Trigger.MANUAL
    assert "flash--error" in second.content.decode()
    assert DetectionRun.objects.count() == 1


def test_the_progress_panel_polls_until_the_run_ends(agent_client: Client) -> None:
    run = DetectionRun.objects.create(status=DetectionRun.Status.RUNNING, stage="scoring")

    running = agent_client.get(reverse("people:detection-run", args=[run.pk])).content.decode()
    DetectionRun.objects.filter(pk=run.pk).update(
        status="done", stage="finished", suggested_count=3
    )
    done = agent_client.get(reverse("people:detection-run", args=[run.pk])).content.decode()

    assert "hx-trigger" in running
    assert "hx-trigger" not in done
    assert 'data-count="suggested">3<' in done
    assert agent_client.get(reverse("people:detection-run", args=[run.pk + 1])).status_code == 404


def test_merge_above_merges_the_pairs_at_or_over_the_probability(
    agent_client: Client, scored: list[DuplicateSuggestion]
) -> None:
    response = agent_client.post(
        reverse("people:suggestion-merge-above"), {"min_probability": "0.99"}
    )

    assert response.status_code == 302
    assert Merge.objects.count() == 2
    statuses = dict(DuplicateSuggestion.objects.values_list("probability", "status"))
    assert statuses == {0.999: "merged", 0.995: "merged", 0.93: "open"}


@pytest.mark.parametrize("value", ["", "abc", "0.1", "2"])
def test_a_bad_probability_merges_nothing(
    agent_client: Client, scored: list[Any], value: str
) -> None:
    response = agent_client.post(
        reverse("people:suggestion-merge-above"), {"min_probability": value}, follow=True
    )

    assert "flash--error" in response.content.decode()
    assert not Merge.objects.exists()


def test_employees_without_the_right_to_edit_people_are_refused(
    cast: Cast, scored: list[Any]
) -> None:
    colleague = signed_in_client(cast.colleague)

    assert colleague.post(reverse("people:detection-run-start")).status_code == 403
    merge_above = colleague.post(
        reverse("people:suggestion-merge-above"), {"min_probability": "0.9"}
    )
    assert merge_above.status_code == 403
    assert not DetectionRun.objects.exists()
    assert not Merge.objects.exists()


def test_the_forms_need_a_csrf_token(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.agent)

    assert client.post(reverse("people:detection-run-start")).status_code == 403
    assert not DetectionRun.objects.exists()


def test_merge_above_leaves_plainly_different_given_names_to_a_person(
    agent_client: Client, scored: list[DuplicateSuggestion]
) -> None:
    household = scored[0]
    household.evidence["fields"].append(
        {"field": "given_name", "gamma": 0, "weight": -5.6, "left": "claire", "right": "hugo"}
    )
    household.save()

    response = agent_client.post(
        reverse("people:suggestion-merge-above"), {"min_probability": "0.99"}, follow=True
    )

    assert Merge.objects.count() == 1
    statuses = dict(DuplicateSuggestion.objects.values_list("pk", "status"))
    assert statuses[household.pk] == "open"
    assert statuses[scored[1].pk] == "merged"
    assert "flash--warning" in response.content.decode()
