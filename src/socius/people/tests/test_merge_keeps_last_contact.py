"""A merge keeps the later of the two last own contacts, so retention counts from it.

Otherwise the survivor keeps its own older date while the absorbed record's recent
interactions move onto it, and retention erases a customer who wrote yesterday.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from socius.conftest import Cast
from socius.people.models import Person
from socius.people.selectors.privacy import retention_candidates
from socius.people.services import IdentifierIn, InteractionIn, Profile, person_resolve
from socius.people.services.interactions import interaction_ingest
from socius.people.services.merge import person_merge
from socius.people.services.retention import retention_apply

pytestmark = pytest.mark.django_db

OLD = dt.datetime(2020, 1, 15, 10, 0, tzinfo=dt.UTC)
NOW = dt.datetime(2024, 6, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _retention(settings: Any, tmp_path: Any) -> None:
    settings.ERASURE_LOG_PATH = tmp_path / "erasures.jsonl"
    settings.RETENTION_PROSPECT_DAYS = 1095


def _contact(email: str, at: dt.datetime, external_id: str) -> Person:
    with time_machine.travel(at, tick=False):
        interaction_ingest(
            data=InteractionIn(
                source="care",
                external_id=external_id,
                identifiers=[IdentifierIn("email", email)],
                profile=Profile(given_name="Lucie"),
                kind="message",
                occurred_at=at,
            )
        )
        return person_resolve(identifiers=[IdentifierIn("email", email)]).person


def _merged_pair() -> tuple[Person, Person]:
    old_record = _contact("lucie.old@example.org", OLD, "m-1")
    recent_record = _contact("lucie.new@example.org", NOW - dt.timedelta(days=1), "m-2")
    with time_machine.travel(NOW, tick=False):
        person_merge(survivor=old_record, absorbed=recent_record, reason="Same person")
    return Person.objects.get(pk=old_record.pk), Person.objects.get(pk=recent_record.pk)


def test_it_keeps_the_latest_own_contact_of_both_records_on_the_survivor(cast: Cast) -> None:
    survivor, _absorbed = _merged_pair()

    assert survivor.last_own_contact_at == NOW - dt.timedelta(days=1)


def test_it_does_not_list_a_human_who_reached_out_yesterday_for_retention(cast: Cast) -> None:
    survivor, _absorbed = _merged_pair()

    assert survivor.pk not in set(retention_candidates(now=NOW).values_list("pk", flat=True))


def test_it_does_not_erase_a_human_who_reached_out_yesterday(cast: Cast) -> None:
    survivor, absorbed = _merged_pair()

    with time_machine.travel(NOW, tick=False):
        report = retention_apply(now=NOW)

    assert survivor.pk not in report.erased
    assert Person.objects.get(pk=absorbed.pk).erased_at is None
