from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils.dateparse import parse_datetime

from socius.accounts.services import token_create
from socius.conftest import Cast, signed_in_client
from socius.core.errors import InvalidInput
from socius.core.models import Activity
from socius.people import exporters
from socius.people.errors import ErasureRefused, PersonErased
from socius.people.models import (
    ConsentEntry,
    DuplicateSuggestion,
    Erasure,
    Identifier,
    Interaction,
    Person,
    PersonComment,
    PersonPost,
    PrivacyRequest,
    Relation,
    ResolutionDecision,
)
from socius.people.services import IdentifierIn, Profile, person_resolve
from socius.people.services.privacy import erasures_replay, person_erase
from socius.people.services.privacy_erase import ERASED_MODELS, ErasureLogLine, _append_to_log
from socius.people.tests.privacy_builders import (
    CANARIES,
    canaries_left,
    models_pointing_to_person,
    read_log,
    rich_customer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def erasure_log(settings: Any, tmp_path: Path) -> Path:
    settings.ERASURE_LOG_PATH = tmp_path / "erasures.jsonl"
    return Path(settings.ERASURE_LOG_PATH)


def admin_api(cast: Cast, *scopes: str) -> Client:
    secret = token_create(user=cast.admin, name="DPO", scopes=list(scopes)).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_it_leaves_no_personal_value_of_the_person_anywhere_in_the_database(
    cast: Cast,
) -> None:
    rich = rich_customer(cast)
    assert set(canaries_left()) == set(CANARIES)  # the probe finds them all beforehand

    person_erase(person=rich.person, actor=cast.admin, reason="Asked by the person")

    assert canaries_left() == {}


def test_it_keeps_what_the_law_and_integrity_need(cast: Cast) -> None:
    rich = rich_customer(cast)

    erasure = person_erase(person=rich.person, actor=cast.admin, reason="Asked by the person")

    person = Person.objects.get(pk=rich.person.pk)
    assert person.erased_at == erasure.erased_at
    assert (person.given_name, person.family_name, person.search_name) == ("", "", "")
    assert (person.birth_date, person.address, person.city) == (None, "", "")
    consent = ConsentEntry.objects.get(person=person)
    assert (consent.purpose, consent.state, consent.source, consent.evidence) == (
        "email_marketing",
        "granted",
        "portal",
        "",
    )
    assert list(Interaction.objects.filter(person=person).values_list("source", "external_id")) == [
        ("shop", "o-1001")
    ]
    assert Identifier.objects.filter(person_id__in=[person.pk, rich.tombstone.pk]).count() == 0
    assert Relation.objects.filter(person=person).count() == 0
    assert Relation.objects.filter(other=person).count() == 0
    assert PersonPost.objects.get(pk=rich.post.pk).body == "[erased]"
    assert list(PersonComment.objects.filter(post=rich.post).values_list("body", flat=True)) == [
        "[erased]"
    ]
    assert (erasure.person_id, erasure.actor_id, erasure.reason) == (
        person.pk,
        cast.admin.pk,
        "Asked by the person",
    )


def test_it_erases_the_records_merged_into_the_person(cast: Cast) -> None:
    rich = rich_customer(cast)

    person_erase(person=rich.person, actor=cast.admin, reason="Asked")

    tombstone = Person.objects.get(pk=rich.tombstone.pk)
    assert tombstone.erased_at is not None
    assert (tombstone.given_name, tombstone.family_name, tombstone.city) == ("", "", "")
    assert tombstone.merged_into_id == rich.person.pk


def test_it_scrubs_the_timeline_and_records_the_erasure_on_it(cast: Cast) -> None:
    rich = rich_customer(cast)
    before = Activity.objects.filter(person=rich.person).count()

    erasure = person_erase(person=rich.person, actor=cast.admin, reason="Asked")

    entries = list(Activity.objects.filter(person=rich.person).order_by("id"))
    assert len(entries) == before + 1
    assert {(e.summary, json.dumps(e.payload)) for e in entries[:-1]} == {("", '{"erased": true}')}
    last = entries[-1]
    assert (last.verb, last.actor_id, last.object_id) == (
        "person.erased",
        cast.admin.pk,
        str(erasure.pk),
    )
    assert last.payload["records"] == [rich.person.pk, rich.tombstone.pk]
    assert last.payload["erasure"] == erasure.pk


def test_it_closes_the_pending_erasure_request(cast: Cast) -> None:
    rich = rich_customer(cast)

    person_erase(person=rich.person, actor=cast.admin, reason="Asked")

    request = PrivacyRequest.objects.get(pk=rich.request.pk)
    assert (request.status, request.handled_by_id, request.message) == ("done", cast.admin.pk, "")
    assert request.handled_at is not None


def test_it_refuses_to_erase_an_employee_and_changes_nothing(cast: Cast) -> None:
    employee = Person.objects.get(user=cast.agent)
    identifiers = Identifier.objects.filter(person=employee).count()

    with pytest.raises(ErasureRefused) as refused:
        person_erase(person=employee, actor=cast.admin, reason="Asked")

    assert refused.value.details == {"reason": "employee", "person_id": employee.pk}
    employee.refresh_from_db()
    assert employee.erased_at is None
    assert employee.given_name == "Alice"
    assert Identifier.objects.filter(person=employee).count() == identifiers
    assert Erasure.objects.count() == 0


def test_it_refuses_a_person_already_erased(cast: Cast) -> None:
    person_erase(person=cast.friend, actor=cast.admin, reason="Asked")

    with pytest.raises(PersonErased):
        person_erase(person=cast.friend, actor=cast.admin, reason="Again")

    assert Erasure.objects.count() == 1


def test_it_refuses_a_record_merged_into_another_and_names_the_survivor(cast: Cast) -> None:
    rich = rich_customer(cast)

    with pytest.raises(ErasureRefused) as refused:
        person_erase(person=rich.tombstone, actor=cast.admin, reason="Asked")

    assert refused.value.details["survivor_id"] == rich.person.pk
    assert Person.objects.get(pk=rich.person.pk).erased_at is None


def test_it_needs_a_reason(cast: Cast) -> None:
    with pytest.raises(InvalidInput) as refused:
        person_erase(person=cast.friend, actor=cast.admin, reason="   ")

    assert refused.value.details == {"field": "reason"}
    assert Person.objects.get(pk=cast.friend.pk).erased_at is None


def test_it_runs_every_registered_eraser_for_each_record_before_deleting_identifiers(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    rich = rich_customer(cast)
    seen: list[tuple[int, int]] = []

    def eraser(person: Person) -> int:
        seen.append((person.pk, person.identifiers.count()))
        return 2

    monkeypatch.setattr(exporters, "_ERASERS", {})
    exporters.register_person_eraser("tickets", eraser)

    person_erase(person=rich.person, actor=cast.admin, reason="Asked")

    assert seen == [(rich.person.pk, 3), (rich.tombstone.pk, 0)]
    entry = Activity.objects.get(person=rich.person, verb="person.erased")
    assert entry.payload["counts"]["context:tickets"] == 4


def test_it_undoes_everything_when_an_eraser_fails(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(person: Person) -> int:
        raise RuntimeError("the tickets database is down")

    monkeypatch.setattr(exporters, "_ERASERS", {})
    exporters.register_person_eraser("tickets", failing)

    with pytest.raises(RuntimeError):
        person_erase(person=cast.customer, actor=cast.admin, reason="Asked")

    customer = Person.objects.get(pk=cast.customer.pk)
    assert (customer.erased_at, customer.given_name) == (None, "Claire")
    assert Identifier.objects.filter(person=customer).count() == 2


def test_it_appends_ids_and_time_only_to_the_erasure_log_after_commit(
    cast: Cast, erasure_log: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        erasure = person_erase(person=cast.customer, actor=cast.admin, reason="Asked")
    assert not erasure_log.exists()  # nothing is logged before the commit

    for callback in callbacks:
        callback()

    assert read_log(erasure_log) == [
        {
            "erasure_id": erasure.pk,
            "person_id": cast.customer.pk,
            "erased_at": erasure.erased_at.isoformat(),
        }
    ]


def test_the_replay_erases_again_who_a_restored_backup_brought_back(
    cast: Cast, erasure_log: Path
) -> None:
    # As after a restore: the log lists erasures the restored database knows nothing of.
    _append_to_log(ErasureLogLine(41, cast.customer.pk, "2026-03-01T10:00:00+00:00"))
    _append_to_log(ErasureLogLine(42, 999_999, "2026-03-01T11:00:00+00:00"))
    person_erase(person=cast.friend, actor=cast.admin, reason="Asked")
    _append_to_log(ErasureLogLine(43, cast.friend.pk, "2026-03-01T12:00:00+00:00"))

    report = erasures_replay()

    assert report.applied == [cast.customer.pk]
    assert report.already_erased == [cast.friend.pk]
    assert report.unknown == [999_999]
    customer = Person.objects.get(pk=cast.customer.pk)
    assert customer.erased_at is not None
    assert Identifier.objects.filter(person=customer).count() == 0
    assert Erasure.objects.get(person=customer).reason.startswith("Replay of erasure 41")
    assert len(read_log(erasure_log)) == 3  # a replay does not log the erasure again


def test_the_replay_is_idempotent(cast: Cast) -> None:
    _append_to_log(ErasureLogLine(41, cast.customer.pk, "2026-03-01T10:00:00+00:00"))
    erasures_replay()

    second = erasures_replay()

    assert (second.applied, second.already_erased) == ([], [cast.customer.pk])
    assert Erasure.objects.count() == 1


def test_the_replay_command_has_a_dry_run_and_a_one_line_summary(
    cast: Cast, erasure_log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _append_to_log(ErasureLogLine(41, cast.customer.pk, "2026-03-01T10:00:00+00:00"))
    erasure_log.write_text(erasure_log.read_text() + "not json\n")

    call_command("people_erasures_replay", "--dry-run")
    dry = capsys.readouterr().out.strip().splitlines()

    assert Person.objects.get(pk=cast.customer.pk).erased_at is None
    assert dry[-1] == (
        f"Erasure replay (dry run): 1 would be erased again ({cast.customer.pk}),"
        " 0 already erased, 0 unknown, 0 refused, 1 unreadable lines."
    )

    call_command("people_erasures_replay")
    applied = capsys.readouterr().out.strip().splitlines()

    assert Person.objects.get(pk=cast.customer.pk).erased_at is not None
    assert applied[-1].startswith(f"Erasure replay: 1 erased again ({cast.customer.pk}),")


def test_the_replay_reports_an_employee_it_may_not_erase(cast: Cast) -> None:
    employee_person_id = cast.agent.person_id
    assert employee_person_id is not None
    _append_to_log(ErasureLogLine(41, employee_person_id, "2026-03-01T10:00:00+00:00"))

    report = erasures_replay()

    assert report.refused == {employee_person_id: "erasure_refused"}
    assert Person.objects.get(pk=employee_person_id).erased_at is None


def test_the_api_erases_a_person(cast: Cast) -> None:
    response = admin_api(cast, "people:admin").post(
        f"/api/v1/people/{cast.customer.pk}/erase",
        json.dumps({"reason": "Asked by email"}),
        content_type="application/json",
    )

    assert response.status_code == 200
    erasure = Erasure.objects.get()
    body = response.json()
    assert body["person_id"] == cast.customer.pk
    erased_at = erasure.erased_at
    # JSON carries milliseconds.
    assert parse_datetime(body["erased_at"]) == erased_at.replace(
        microsecond=erased_at.microsecond // 1000 * 1000
    )
    assert Person.objects.get(pk=cast.customer.pk).erased_at == erased_at
    assert erasure.actor_id == cast.admin.pk


def test_the_api_answers_409_for_a_person_already_erased(cast: Cast) -> None:
    person_erase(person=cast.customer, actor=cast.admin, reason="Asked")

    response = admin_api(cast, "people:admin").post(
        f"/api/v1/people/{cast.customer.pk}/erase",
        json.dumps({"reason": "Again"}),
        content_type="application/json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "person_erased"
    assert Erasure.objects.count() == 1


def test_the_api_refuses_an_employee_with_409(cast: Cast) -> None:
    response = admin_api(cast, "people:admin").post(
        f"/api/v1/people/{cast.agent.person_id}/erase",
        json.dumps({"reason": "Asked"}),
        content_type="application/json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "erasure_refused"
    assert Erasure.objects.count() == 0


def test_the_api_needs_the_admin_scope_and_a_reason(cast: Cast) -> None:
    writer = token_create(user=cast.admin, name="Writer", scopes=["people:write"]).secret
    url = f"/api/v1/people/{cast.customer.pk}/erase"

    forbidden = Client(HTTP_AUTHORIZATION=f"Bearer {writer}").post(
        url, json.dumps({"reason": "Asked"}), content_type="application/json"
    )
    no_reason = admin_api(cast, "people:admin").post(
        url, json.dumps({"reason": ""}), content_type="application/json"
    )

    assert forbidden.status_code == 403
    assert no_reason.status_code == 422
    assert Person.objects.get(pk=cast.customer.pk).erased_at is None


def test_the_page_asks_for_a_reason_and_the_typed_number(cast: Cast) -> None:
    client = signed_in_client(cast.admin)
    url = f"/people/{cast.customer.pk}/erase"

    page = client.get(url)
    wrong = client.post(url, {"reason": "Asked", "confirm": str(cast.friend.pk)})

    assert page.status_code == 200
    assert 'data-testid="erase-form"' in page.content.decode()
    assert wrong.status_code == 422
    assert wrong.context["form"].errors["confirm"]
    assert Person.objects.get(pk=cast.customer.pk).erased_at is None


def test_the_page_erases_once_confirmed(cast: Cast) -> None:
    client = signed_in_client(cast.admin)

    response = client.post(
        f"/people/{cast.customer.pk}/erase", {"reason": "Asked", "confirm": str(cast.customer.pk)}
    )

    assert response.status_code == 302
    assert response["Location"] == "/people/privacy-requests/"
    assert Erasure.objects.get().person_id == cast.customer.pk


def test_the_page_is_for_administrators_only(cast: Cast) -> None:
    client = signed_in_client(cast.agent)
    url = f"/people/{cast.customer.pk}/erase"

    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "x", "confirm": str(cast.customer.pk)}).status_code == 403
    assert Person.objects.get(pk=cast.customer.pk).erased_at is None


def test_the_page_shows_an_employee_cannot_be_erased_here(cast: Cast) -> None:
    page = signed_in_client(cast.admin).get(f"/people/{cast.agent.person_id}/erase")

    assert page.status_code == 200
    assert 'data-testid="employee-refusal"' in page.content.decode()
    assert 'data-testid="erase-form"' not in page.content.decode()


def test_every_model_pointing_to_a_person_is_handled_by_the_erasure() -> None:
    pointing = models_pointing_to_person()
    assert {"people.Identifier", "core.Activity", "accounts.User"} <= pointing
    covered = set(ERASED_MODELS)
    for registered in exporters.person_erasers():
        covered |= set(registered.covers)
    missing = sorted(pointing - covered)
    assert missing == [], "register_person_eraser(..., covers=...) for these models"


def test_it_removes_the_person_from_the_evidence_kept_about_someone_else(cast: Cast) -> None:
    # Another human behind the same landline: kept apart, with the customer as evidence.
    marc = person_resolve(
        identifiers=[
            IdentifierIn("phone", "06 12 34 56 78"),
            IdentifierIn("email", "marc.durand@example.org"),
        ],
        profile=Profile(given_name="Marc", family_name="Durand"),
    ).person
    decision = ResolutionDecision.objects.get(person=marc)
    assert str(cast.customer.pk) in decision.evidence["candidates"]

    person_erase(person=cast.customer, actor=cast.admin, reason="Asked")

    decision.refresh_from_db()
    assert decision.evidence == {
        "identifiers": ["phone:+33612345678", "email:marc.durand@example.org"],
        "candidates": {},
    }
    suggestion = DuplicateSuggestion.objects.get()
    assert suggestion.evidence == {"erased": True}
    assert canaries_left(("claire.dupont@example.org", "dupont")) == {}
    # The landline is Marc's too: it stays on his record.
    assert sorted(Identifier.objects.filter(person=marc).values_list("value", flat=True)) == [
        "+33612345678",
        "marc.durand@example.org",
    ]
