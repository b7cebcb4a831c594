from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from socius.conftest import Cast, signed_in_client
from socius.core.errors import InvalidInput
from socius.core.models import Activity
from socius.people.errors import PersonErased
from socius.people.models import Person
from socius.people.services.privacy import person_erase, person_rectify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def erasure_log(settings: Any, tmp_path: Any) -> None:
    settings.ERASURE_LOG_PATH = tmp_path / "erasures.jsonl"


def test_it_corrects_the_profile_and_keeps_before_and_after(cast: Cast) -> None:
    person = person_rectify(
        person=cast.customer,
        actor=cast.agent,
        changes={"given_name": "Clémence", "birth_date": "1985-04-12", "city": " Lyon "},
    )

    stored = Person.objects.get(pk=cast.customer.pk)
    assert (stored.given_name, stored.birth_date, stored.city) == (
        "Clémence",
        dt.date(1985, 4, 12),
        "Lyon",
    )
    assert stored.search_name == "clemence dupont"
    assert person.search_name == "clemence dupont"
    entry = Activity.objects.get(verb="person.rectified")
    assert (entry.person_id, entry.actor_id, entry.visibility, entry.summary) == (
        cast.customer.pk,
        cast.agent.pk,
        "internal",
        "birth_date, city, given_name",
    )
    assert entry.payload == {
        "changes": {
            "given_name": {"before": "Claire", "after": "Clémence"},
            "birth_date": {"before": None, "after": "1985-04-12"},
            "city": {"before": "", "after": "Lyon"},
        }
    }


def test_it_records_only_what_changed_and_nothing_when_nothing_did(cast: Cast) -> None:
    person_rectify(person=cast.customer, actor=cast.agent, changes={"given_name": "Claire"})

    assert not Activity.objects.filter(verb="person.rectified").exists()


def test_it_refuses_fields_that_are_not_the_profile(cast: Cast) -> None:
    with pytest.raises(InvalidInput) as refused:
        person_rectify(
            person=cast.customer, actor=cast.agent, changes={"erased_at": None, "city": "Lyon"}
        )

    assert refused.value.details["field"] == "erased_at"
    assert Person.objects.get(pk=cast.customer.pk).city == ""


@pytest.mark.parametrize(
    ("birth_date", "problem"),
    [("12/04/1985", "not_a_date"), ("2999-01-01", "out_of_range"), ("1850-01-01", "out_of_range")],
)
def test_it_refuses_an_impossible_birth_date(cast: Cast, birth_date: str, problem: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        person_rectify(person=cast.customer, actor=cast.agent, changes={"birth_date": birth_date})

    assert refused.value.details == {"field": "birth_date", "problem": problem}
    assert Person.objects.get(pk=cast.customer.pk).birth_date is None


def test_it_refuses_a_value_too_long(cast: Cast) -> None:
    with pytest.raises(InvalidInput) as refused:
        person_rectify(person=cast.customer, actor=cast.agent, changes={"postcode": "9" * 21})

    assert refused.value.details == {"field": "postcode", "max_length": 20}


def test_it_refuses_an_erased_person(cast: Cast) -> None:
    person_erase(person=cast.friend, actor=cast.admin, reason="Asked")

    with pytest.raises(PersonErased):
        person_rectify(person=cast.friend, actor=cast.agent, changes={"given_name": "Hugo"})

    assert Person.objects.get(pk=cast.friend.pk).given_name == ""


def test_an_agent_corrects_a_profile_on_the_page(cast: Cast) -> None:
    client = signed_in_client(cast.agent)
    url = f"/people/{cast.customer.pk}/rectify"

    page = client.get(url)
    response = client.post(
        url,
        {"given_name": "Claire", "family_name": "Dupont-Martin", "birth_date": "1985-04-12"},
    )

    assert page.status_code == 200
    assert page.context["form"]["given_name"].value() == "Claire"
    assert response.status_code == 302
    assert response["Location"] == f"/people/{cast.customer.pk}/"
    entry = Activity.objects.get(verb="person.rectified")
    assert entry.payload["changes"] == {
        "family_name": {"before": "Dupont", "after": "Dupont-Martin"},
        "birth_date": {"before": None, "after": "1985-04-12"},
    }


def test_the_page_shows_a_bad_date_and_changes_nothing(cast: Cast) -> None:
    response = signed_in_client(cast.agent).post(
        f"/people/{cast.customer.pk}/rectify",
        {"given_name": "Zoé", "family_name": "Dupont", "birth_date": "not a date"},
    )

    assert response.status_code == 422
    assert response.context["form"].errors["birth_date"]
    assert Person.objects.get(pk=cast.customer.pk).given_name == "Claire"


def test_the_page_needs_the_right_to_edit_people(cast: Cast) -> None:
    client = signed_in_client(cast.colleague)
    url = f"/people/{cast.customer.pk}/rectify"

    assert client.get(url).status_code == 403
    assert client.post(url, {"given_name": "Zoé", "family_name": "Dupont"}).status_code == 403
    assert Person.objects.get(pk=cast.customer.pk).given_name == "Claire"
