"""A portal session follows a merge without rewriting who signed in.

If it were rewritten to the survivor, undoing a wrong merge would leave the absorbed
customer signed in as another human, reading and exporting that human's data.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from socius.conftest import Cast
from socius.people.models import Person
from socius.people.services.merge import merge_undo, person_merge
from socius.portal.access import SESSION_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _log(settings: Any, tmp_path: Any) -> None:
    settings.ERASURE_LOG_PATH = tmp_path / "erasures.jsonl"


def _portal(person: Person) -> Client:
    client = Client()
    session = client.session
    session[SESSION_KEY] = person.pk
    session.save()
    return client


def test_it_gives_the_customer_back_their_own_record_once_a_wrong_merge_is_undone(
    cast: Cast,
) -> None:
    hugo = _portal(cast.friend)  # Hugo is signed in to the portal
    merge = person_merge(survivor=cast.customer, absorbed=cast.friend, reason="Mistake")
    hugo.get("/portal/my-data")  # meanwhile Hugo's page follows the merge

    merge_undo(merge=merge)
    data = json.loads(hugo.get("/portal/my-data/export").content)

    assert data["person"]["id"] == cast.friend.pk
    assert "claire.dupont@example.org" not in json.dumps(data)
