from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from socius.conftest import Cast
from socius.people.models import Person
from socius.people.selectors.search import identifier_keys, person_search
from socius.people.services import IdentifierIn, Profile, person_resolve
from socius.people.services.merge import person_merge
from socius.people.services.privacy_erase import person_erase

pytestmark = pytest.mark.django_db


def resolve(given: str, family: str, *pairs: tuple[str, str]) -> Person:
    return person_resolve(
        identifiers=[IdentifierIn(kind, value) for kind, value in pairs],
        profile=Profile(given_name=given, family_name=family),
    ).person


def found(query: str, **kwargs: Any) -> list[tuple[int, str | None]]:
    return [(hit.person.pk, hit.matched) for hit in person_search(query, **kwargs)]


@pytest.fixture
def lea(db: None) -> Person:
    return resolve(
        "Léa",
        "Lefèvre-Moreau",
        ("email", "lea.lefevre@example.org"),
        ("instagram", "@lea.m"),
        ("customer_number", "C-1001"),
        ("loyalty_card", "FID 778 812"),
    )


@pytest.mark.parametrize(
    "query", ["lea", "LÉA", "Lefevre", "lefèvre", "moreau", "lea lef", "MOR léa", "  léa   "]
)
def test_it_finds_a_name_whatever_the_accents_case_and_word_order(lea: Person, query: str) -> None:
    assert found(query) == [(lea.pk, "name")]


@pytest.mark.parametrize("query", ["ea", "efevre", "lea x", "oreau"])
def test_each_word_must_start_a_word_of_the_name(lea: Person, query: str) -> None:
    assert found(query) == []


@pytest.mark.parametrize(
    "query",
    [
        "06 12 34 56 78",
        "0612345678",
        "06.12.34.56.78",
        "+33 6 12 34 56 78",
        "+33612345678",
        "0033 6 12 34 56 78",
    ],
)
def test_it_finds_a_phone_number_typed_in_any_format(cast: Cast, query: str) -> None:
    assert found(query) == [(cast.customer.pk, "identifier")]


@pytest.mark.parametrize(
    "query",
    [
        "LEA.LEFEVRE@example.org",
        " lea.lefevre@EXAMPLE.ORG ",
        "@lea.m",
        "@Lea.M",
        "https://www.instagram.com/lea.m/",
        "instagram.com/lea.m",
        "c-1001",
        "C 1001",
        "fid778812",
    ],
)
def test_it_finds_emails_handles_and_numbers_however_typed(lea: Person, query: str) -> None:
    assert found(query) == [(lea.pk, "identifier")]


def test_a_whatsapp_number_is_found_by_the_phone_number(db: None) -> None:
    person = resolve("Nora", "Kaci", ("whatsapp", "+33 7 81 22 33 44"))
    abroad = resolve("Amy", "Cole", ("phone", "+44 7911 123456"))

    assert found("07 81 22 33 44") == [(person.pk, "identifier")]
    assert found("+44 7911 123456") == [(abroad.pk, "identifier")]
    assert found("0044 7911 123456") == [(abroad.pk, "identifier")]


def test_it_ranks_identifier_matches_then_exact_names_then_prefixes(db: None) -> None:
    prefix = resolve("Martine", "Lebrun", ("email", "martine@example.org"))
    exact = resolve("Martin", "Lebrun", ("email", "m.lebrun@example.org"))
    named_by_handle = resolve("Zoé", "Arnaud", ("x", "martin"))

    assert found("Martin Lebrun") == [(exact.pk, "name"), (prefix.pk, "name")]
    assert found("@martin") == [
        (named_by_handle.pk, "identifier"),
        (exact.pk, "name"),
        (prefix.pk, "name"),
    ]
    assert found("martine@example.org") == [(prefix.pk, "identifier")]


def test_an_identifier_match_comes_before_a_name_match(db: None) -> None:
    by_name = resolve("Jean", "Dupont", ("email", "jean@example.org"))
    by_number = resolve("Zoé", "Arnaud", ("customer_number", "DUPONT42"))

    assert found("dupont42") == [(by_number.pk, "identifier"), (by_name.pk, "name")]
    assert found("dupont") == [(by_name.pk, "name")]


def test_a_shared_landline_finds_every_person_behind_it(cast: Cast) -> None:
    marc = resolve("Marc", "Dupont", ("phone", "06 12 34 56 78"))

    assert sorted(found("0612345678")) == sorted(
        [(cast.customer.pk, "identifier"), (marc.pk, "identifier")]
    )


def test_it_leaves_out_merged_away_and_erased_persons(cast: Cast) -> None:
    twin = resolve("Claire", "Dupont", ("email", "c.dupont@example.net"))
    person_merge(survivor=cast.customer, absorbed=twin, reason="same", actor_id=None)
    person_erase(person=cast.friend, actor=cast.admin, reason="asked")

    assert found("claire dupont") == [(cast.customer.pk, "name")]
    assert found("c.dupont@example.net") == [(cast.customer.pk, "identifier")]
    assert found("hugo") == []
    assert found("hugo.bernard@example.net") == []


def test_it_caps_the_number_of_results(db: None) -> None:
    for index in range(5):
        resolve("Paul", f"Durand{'x' * index}", ("email", f"paul{index}@example.org"))

    assert len(found("paul", limit=3)) == 3


def test_it_searches_in_two_queries_whatever_the_matches(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    for index in range(12):
        resolve("Claire", f"Dupont{index}", ("email", f"claire{index}@example.org"))

    with django_assert_num_queries(2):
        hits = person_search("claire")

    assert len(hits) == 13
    assert all(len(hit.identifiers) <= 3 for hit in hits)


def test_it_reads_nothing_for_a_query_that_is_neither_a_name_nor_an_identifier(
    db: None, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        assert person_search("  !?  ") == []


def test_it_reads_a_query_as_every_identifier_it_could_be() -> None:
    assert identifier_keys("06 12 34 56 78") == [
        ("phone", "+33612345678"),
        ("customer_number", "0612345678"),
        ("loyalty_card", "0612345678"),
        ("employee_number", "0612345678"),
        ("whatsapp", "+33612345678"),
    ]
    assert identifier_keys("claire") == []
    assert identifier_keys("@lea.m") == [
        ("facebook", "lea.m"),
        ("instagram", "lea.m"),
        ("x", "lea.m"),
        ("linkedin", "lea.m"),
    ]


def test_the_search_page_shows_ranked_results_with_identifiers(
    cast: Cast, agent_client: Client
) -> None:
    response = agent_client.get("/people/", {"q": "06 12 34 56 78"})

    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="/people/{cast.customer.pk}/"' in html
    assert "+33612345678" in html
    assert f'href="/people/{cast.friend.pk}/"' not in html


def test_the_search_page_shows_recent_persons_before_anything_is_typed(
    cast: Cast, agent_client: Client
) -> None:
    response = agent_client.get("/people/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(f'data-person="{cast.friend.pk}"') < html.index(
        f'data-person="{cast.customer.pk}"'
    )


def test_the_search_page_answers_typing_with_the_results_only(
    cast: Cast, agent_client: Client, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(4):  # session, user, persons, identifiers
        response = agent_client.get("/people/", {"q": "dupont"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert "<html" not in html
    assert f'data-person="{cast.customer.pk}"' in html


def test_the_search_page_is_for_employees_only(cast: Cast) -> None:
    response = Client().get("/people/", {"q": "dupont"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in?next=")
