from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from socius.conftest import browser_sign_in, make_employee
from socius.people.models import DuplicateSuggestion, Identifier, Person
from socius.people.services import IdentifierIn, Profile, person_resolve
from socius.testing import AsgiServer, chromium_page, in_other_thread

pytestmark = pytest.mark.browser


def same_human_twice() -> DuplicateSuggestion:
    """Léa bought online by email from Paris, then called from Lyon: a phone links them."""
    person_resolve(
        identifiers=[IdentifierIn("email", "lea.moreau@example.org")],
        profile=Profile(given_name="Léa", family_name="Moreau", city="Paris"),
    )
    person_resolve(
        identifiers=[IdentifierIn("phone", "06 11 22 33 44")],
        profile=Profile(given_name="Léa", city="Lyon"),
    )
    person_resolve(
        identifiers=[
            IdentifierIn("email", "lea.moreau@example.org"),
            IdentifierIn("phone", "06 11 22 33 44"),
        ]
    )
    return DuplicateSuggestion.objects.get()


def holders() -> dict[str, tuple[int, int | None]]:
    return {
        value: (person_id, Person.objects.get(pk=person_id).merged_into_id)
        for value, person_id in Identifier.objects.values_list("value", "person_id")
        if value in {"lea.moreau@example.org", "+33611223344"}
    }


def test_an_agent_merges_two_records_of_one_human_then_undoes_it(
    asgi_server: AsgiServer,
) -> None:
    make_employee("alice.martin@example.com", "Alice Martin", "service-client", "agent")
    suggestion = same_human_twice()
    kept, absorbed = suggestion.person_a_id, suggestion.person_b_id
    before = holders()

    with chromium_page(asgi_server.url) as page:
        browser_sign_in(page, "alice.martin@example.com")
        page.goto("/people/duplicates/")
        page.get_by_test_id(f"suggestion-{suggestion.pk}").get_by_test_id(
            "suggestion-compare"
        ).click()

        expect(page).to_have_url(
            f"{asgi_server.url}/people/merge?survivor={kept}&absorbed={absorbed}"
        )
        expect(page.get_by_test_id("survivor-identifiers")).to_contain_text(
            "lea.moreau@example.org"
        )
        expect(page.get_by_test_id("absorbed-identifiers")).to_contain_text("+33611223344")
        city = page.get_by_test_id("differs-city")
        expect(city.get_by_role("radio", name=re.compile("Paris"))).to_be_checked()
        city.get_by_role("radio", name=re.compile("Lyon")).check()
        page.get_by_test_id("merge-submit").click()

        expect(page).to_have_url(re.compile(r"/people/merges/\d+/$"))
        expect(page.get_by_test_id("merge-moved")).to_be_visible()
        expect(page.get_by_test_id("merge-changes")).to_contain_text("Lyon")
        expect(page.get_by_test_id("survivor-now")).to_contain_text("+33611223344")
        merged = in_other_thread(lambda: Person.objects.get(pk=kept))
        assert merged.city == "Lyon"
        assert in_other_thread(holders) == {
            "lea.moreau@example.org": (kept, None),
            "+33611223344": (kept, None),
        }

        page.get_by_test_id("merge-undo").click()

        expect(page.locator(".flash--success")).to_be_visible()
        expect(page.get_by_test_id("merge-undo")).to_have_count(0)
        expect(page.get_by_test_id("survivor-now")).to_contain_text("lea.moreau@example.org")
        expect(page.get_by_test_id("survivor-now")).not_to_contain_text("+33611223344")
        expect(page.get_by_test_id("absorbed-now")).to_contain_text("+33611223344")
        expect(page.get_by_test_id("absorbed-now")).not_to_contain_text("lea.moreau@example.org")

    assert (
        in_other_thread(holders)
        == before
        == {
            "lea.moreau@example.org": (kept, None),
            "+33611223344": (absorbed, None),
        }
    )
    assert in_other_thread(lambda: Person.objects.get(pk=kept).city) == "Paris"
