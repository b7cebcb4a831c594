from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from socius.conftest import Cast, signed_in_client
from socius.core.models import Activity
from socius.core.periodic import registered_periodic_jobs
from socius.people.models import Erasure, Person
from socius.people.selectors.privacy import retention_candidates
from socius.people.services import IdentifierIn, InteractionIn, Profile, person_resolve
from socius.people.services.interactions import interaction_ingest
from socius.people.services.merge import person_merge
from socius.people.services.privacy import person_erase
from socius.people.services.retention import retention_apply
from socius.people.tasks import people_retention_apply

pytestmark = pytest.mark.django_db

CREATED = dt.datetime(2020, 1, 15, 10, 0, tzinfo=dt.UTC)
PERIOD = dt.timedelta(days=1095)


@pytest.fixture(autouse=True)
def erasure_log(settings: Any, tmp_path: Any) -> None:
    settings.ERASURE_LOG_PATH = tmp_path / "erasures.jsonl"
    settings.RETENTION_PROSPECT_DAYS = 1095


def prospect(email: str, *, at: dt.datetime = CREATED) -> Person:
    with time_machine.travel(at, tick=False):
        return person_resolve(
            identifiers=[IdentifierIn("email", email)], profile=Profile(given_name="Prospect")
        ).person


def interaction(email: str, kind: str, at: dt.datetime, external_id: str) -> None:
    interaction_ingest(
        data=InteractionIn(
            source="shop",
            external_id=external_id,
            identifiers=[IdentifierIn("email", email)],
            kind=kind,
            occurred_at=at,
        )
    )


def candidate_ids(now: dt.datetime) -> list[int]:
    return list(retention_candidates(now=now).values_list("pk", flat=True))


def test_a_prospect_is_due_three_years_after_creation_when_they_never_reached_out(
    cast: Cast,
) -> None:
    person = prospect("never@example.org")

    assert candidate_ids(CREATED + PERIOD - dt.timedelta(days=1)) == []
    assert candidate_ids(CREATED + PERIOD + dt.timedelta(days=1)) == [person.pk]


def test_the_period_runs_from_the_last_own_contact(cast: Cast) -> None:
    person = prospect("asker@example.org")
    asked = CREATED + dt.timedelta(days=400)
    interaction("asker@example.org", "question", asked, "q-1")

    assert candidate_ids(CREATED + PERIOD + dt.timedelta(days=1)) == []
    assert candidate_ids(asked + PERIOD - dt.timedelta(days=1)) == []
    assert candidate_ids(asked + PERIOD + dt.timedelta(days=1)) == [person.pk]


def test_a_customer_who_bought_is_not_a_prospect(cast: Cast) -> None:
    buyer = prospect("buyer@example.org")
    asker = prospect("asker@example.org")
    interaction("buyer@example.org", "purchase", CREATED, "o-1")
    interaction("asker@example.org", "question", CREATED, "q-1")

    assert candidate_ids(CREATED + PERIOD + dt.timedelta(days=1)) == [asker.pk]
    assert buyer.pk not in candidate_ids(CREATED + 10 * PERIOD)


def test_merged_and_erased_records_are_never_candidates(cast: Cast) -> None:
    erased = prospect("erased@example.org")
    person_erase(person=erased, actor=cast.admin, reason="Asked")
    survivor = prospect("survivor@example.org")
    absorbed = prospect("absorbed@example.org")
    person_merge(survivor=survivor, absorbed=absorbed, reason="Same person")

    assert candidate_ids(CREATED + PERIOD + dt.timedelta(days=1)) == [survivor.pk]


def test_employees_are_never_candidates(cast: Cast) -> None:
    far = dt.datetime(2040, 1, 1, tzinfo=dt.UTC)

    # The cast's employees, customer and friend were created today: only the two persons
    # without a login are due in 2040.
    assert sorted(candidate_ids(far)) == sorted([cast.customer.pk, cast.friend.pk])


def test_it_is_off_when_the_period_is_zero(cast: Cast, settings: Any) -> None:
    prospect("never@example.org")
    settings.RETENTION_PROSPECT_DAYS = 0

    report = retention_apply(now=CREATED + 10 * PERIOD)

    assert (report.period_days, report.candidates, report.erased) == (None, [], [])
    assert Erasure.objects.count() == 0


def test_a_dry_run_lists_and_changes_nothing(cast: Cast) -> None:
    person = prospect("never@example.org")
    now = CREATED + PERIOD + dt.timedelta(days=1)

    report = retention_apply(now=now, dry_run=True)

    assert (report.candidates, report.erased) == ([person.pk], [])
    assert Person.objects.get(pk=person.pk).erased_at is None
    assert Erasure.objects.count() == 0


def test_it_erases_the_prospects_due_and_only_them(cast: Cast) -> None:
    due = prospect("due@example.org")
    kept = prospect("kept@example.org", at=CREATED + dt.timedelta(days=30))
    now = CREATED + PERIOD + dt.timedelta(days=1)

    report = retention_apply(now=now)

    assert (report.candidates, report.erased, report.skipped) == ([due.pk], [due.pk], {})
    assert Person.objects.get(pk=due.pk).erased_at is not None
    assert Person.objects.get(pk=kept.pk).erased_at is None
    assert Erasure.objects.get().reason == "Retention: a prospect without contact for 1095 days"
    run = Activity.objects.get(verb="people.retention_applied")
    assert run.payload == {"period_days": 1095, "erased": 1}


def test_running_it_again_erases_nobody_twice(cast: Cast) -> None:
    prospect("due@example.org")
    now = CREATED + PERIOD + dt.timedelta(days=1)
    retention_apply(now=now)

    again = retention_apply(now=now)

    assert (again.candidates, again.erased) == ([], [])
    assert Erasure.objects.count() == 1


def test_the_command_prints_a_report_and_a_one_line_summary(
    cast: Cast, capsys: pytest.CaptureFixture[str]
) -> None:
    due = prospect("due@example.org")
    with time_machine.travel(CREATED + PERIOD + dt.timedelta(days=1), tick=False):
        call_command("people_retention", "--dry-run")
        dry = capsys.readouterr().out.strip().splitlines()
        assert Person.objects.get(pk=due.pk).erased_at is None
        call_command("people_retention")
        applied = capsys.readouterr().out.strip().splitlines()

    assert dry == [
        f"Prospects past 1095 days: {due.pk}",
        "Retention (dry run): 1 would be erased.",
    ]
    assert applied[-1] == "Retention: 1 erased, 0 skipped, of 1 due."
    assert Person.objects.get(pk=due.pk).erased_at is not None


def test_the_worker_applies_it_every_day(cast: Cast) -> None:
    due = prospect("due@example.org")
    jobs = {spec.name: spec for spec in registered_periodic_jobs()}

    with time_machine.travel(CREATED + PERIOD + dt.timedelta(days=1), tick=False):
        erased = people_retention_apply.call()

    assert jobs["people.retention_apply"].every == dt.timedelta(days=1)
    assert jobs["people.retention_apply"].task is people_retention_apply
    assert erased == 1
    assert Person.objects.get(pk=due.pk).erased_at is not None


def test_the_page_lists_the_next_candidates_without_erasing(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    due = prospect("due@example.org")
    soon = prospect("soon@example.org", at=CREATED + dt.timedelta(days=20))
    prospect("later@example.org", at=CREATED + dt.timedelta(days=200))
    client = signed_in_client(cast.admin)
    client.get("/")

    later = CREATED + PERIOD + dt.timedelta(days=1)
    with time_machine.travel(later, tick=False):
        client.get("/")  # the first visit of that day is recorded once (adoption figures)
        with django_assert_num_queries(6):
            response = client.get("/people/retention/")

    assert response.status_code == 200
    assert [p.pk for p in response.context["due"]] == [due.pk]
    assert [p.pk for p in response.context["upcoming"]] == [soon.pk]
    assert (response.context["due_count"], response.context["upcoming_count"]) == (1, 1)
    assert f'data-person-id="{due.pk}"' in response.content.decode()
    assert Erasure.objects.count() == 0


def test_the_page_is_for_administrators_only(cast: Cast) -> None:
    assert signed_in_client(cast.agent).get("/people/retention/").status_code == 403
