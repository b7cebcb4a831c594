"""Personal data an erasure must not leave behind.

1. An automatic merge later undone leaves, on the survivor's ResolutionDecision, evidence
   naming the absorbed person and their identifiers; no DuplicateSuggestion links them.
2. ImportRun.error_report repeats refused rows verbatim, and has no foreign key to Person.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from socius.conftest import Cast
from socius.people.models import ImportRun, Merge, Person, ResolutionDecision
from socius.people.services import IdentifierIn, Profile, person_resolve
from socius.people.services.imports import import_run_start, import_upload_store
from socius.people.services.merge import merge_undo
from socius.people.services.privacy import person_erase
from socius.people.tests.privacy_builders import canaries_left

pytestmark = pytest.mark.django_db

ZOE_EMAIL = "zoe.canarybird@example.org"


@pytest.fixture(autouse=True)
def _paths(settings: Any, tmp_path: Path) -> None:
    settings.ERASURE_LOG_PATH = tmp_path / "erasures.jsonl"
    settings.DATA_DIR = tmp_path


def test_it_forgets_an_erased_person_named_as_evidence_of_an_undone_automatic_merge(
    cast: Cast,
) -> None:
    zoe = person_resolve(
        identifiers=[IdentifierIn("email", ZOE_EMAIL)],
        profile=Profile(given_name="Zoé", family_name="Canarybird"),
    ).person
    # One interaction names Hugo's and Zoé's emails (both strong): they are merged.
    linked = person_resolve(
        identifiers=[
            IdentifierIn("email", "hugo.bernard@example.net"),
            IdentifierIn("email", ZOE_EMAIL),
        ]
    )
    assert linked.outcome == "merged"
    merge = Merge.objects.get(absorbed=zoe)
    merge_undo(merge=merge)  # not the same human after all
    assert canaries_left((ZOE_EMAIL,))  # on Hugo's decision, as evidence

    person_erase(person=Person.objects.get(pk=zoe.pk), actor=cast.admin, reason="Asked")

    left = {
        decision.pk: decision.evidence
        for decision in ResolutionDecision.objects.filter(person=cast.friend)
        if ZOE_EMAIL in str(decision.evidence)
        or str(zoe.pk) in decision.evidence.get("candidates", {})
    }
    assert left == {}
    assert canaries_left((ZOE_EMAIL, "canarybird")) == {}


def test_it_erases_the_person_from_the_error_reports_of_imports(cast: Cast) -> None:
    csv = (
        b"email,prenom,nom,date de naissance\n"
        b"claire.dupont@example.org,Claire,Dupont,not-a-date\n"
        b"someone.else@example.org,Paul,Martin,1990-01-01\n"
    )
    token, _table = import_upload_store(data=csv)
    run = import_run_start(
        token=token,
        filename="fair.csv",
        source_name="fair",
        mapping=["email", "given_name", "family_name", "birth_date"],
        actor=cast.agent,
    )
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert "claire.dupont@example.org" in run.error_report

    person_erase(person=cast.customer, actor=cast.admin, reason="Asked")

    assert canaries_left(("claire.dupont@example.org",)) == {}
