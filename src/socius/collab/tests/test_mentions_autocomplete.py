"""The @ autocomplete: colleagues and departments, only a closed space's members in it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from socius.accounts.services import token_create
from socius.collab.models import Post, Space
from socius.collab.services import space_create, space_member_add
from socius.conftest import Cast, browser_sign_in, make_employee, signed_in_client
from socius.testing import AsgiServer, chromium_page, in_other_thread

pytestmark = pytest.mark.django_db


def api(user: Any) -> Client:
    secret = token_create(user=user, name="tests", scopes=["collab:read"]).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def suggest(client: Client, q: str, space: Space | None = None) -> Any:
    params = {"q": q, **({"space": space.pk} if space else {})}
    return client.get(reverse("collab:mention-suggest"), params)


def handles(response: Any) -> list[tuple[str, str]]:
    body = response.json()
    results = body["results"] if isinstance(body, dict) else body
    return [(r["kind"], r["handle"]) for r in results]


def test_colleagues_are_found_by_name_or_email_and_departments_by_name(cast: Cast) -> None:
    alice = signed_in_client(cast.agent)
    make_employee("marie.durand@example.com", "Marie Durand", "marketing")

    by_name = suggest(alice, "Durand")
    by_email = suggest(alice, "marie.d")
    department = suggest(alice, "market")
    by_api = api(cast.agent).get("/api/v1/collab/mentions", {"q": "@bruno"})

    assert handles(by_name) == [("user", "marie.durand")]
    assert handles(by_email) == [("user", "marie.durand")]
    assert handles(department) == [("department", "marketing")]
    assert by_api.status_code == 200
    assert by_api.json() == [
        {"kind": "user", "handle": "bruno.petit", "label": "Bruno Petit", "detail": "Marketing"}
    ]
    assert handles(suggest(alice, "")) == []


def test_handles_starting_with_the_letters_come_first_and_at_most_eight(cast: Cast) -> None:
    for number in range(10):
        make_employee(f"ser{number}@example.com", f"Agent {number}", "exploitation")

    results = handles(suggest(signed_in_client(cast.agent), "ser"))

    assert len(results) == 8
    assert results[0] == ("user", "ser0")
    assert all(handle.startswith("ser") for _kind, handle in results)


def test_a_closed_space_suggests_only_its_members(cast: Cast) -> None:
    private = space_create(actor=cast.agent, name="RH", visibility="private")
    space_member_add(actor=cast.agent, space=private, user=cast.colleague)
    alice = signed_in_client(cast.agent)

    inside = suggest(alice, "o", private)  # "Bruno", "Chloé Roux", "Denis", departments
    public = space_create(actor=cast.agent, name="Accueil", visibility="public")
    everyone = suggest(alice, "o", public)

    assert handles(inside) == [("user", "bruno.petit")]
    assert ("user", "chloe.roux") in handles(everyone)
    assert ("department", "exploitation") in handles(everyone)


@pytest.mark.parametrize("visibility", ["private", "secret"])
def test_a_non_member_asking_for_a_closed_space_gets_404(cast: Cast, visibility: str) -> None:
    closed = space_create(actor=cast.agent, name="Fermé", visibility=visibility)

    page = suggest(signed_in_client(cast.colleague), "ali", closed)
    by_api = api(cast.colleague).get("/api/v1/collab/mentions", {"q": "ali", "space": closed.pk})
    bad_id = signed_in_client(cast.colleague).get(
        reverse("collab:mention-suggest"), {"q": "a", "space": "x"}
    )

    assert (page.status_code, by_api.status_code, bad_id.status_code) == (404, 404, 404)
    assert Client().get(reverse("collab:mention-suggest"), {"q": "a"}).status_code == 302


def test_suggestions_take_the_same_queries_whatever_the_directory_size(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    private = space_create(actor=cast.agent, name="RH", visibility="private")
    alice = signed_in_client(cast.agent)
    # session and user (2), colleagues (1), handles two colleagues share (1), departments
    # (1); in a closed space, the space and the caller's membership (2), no departments
    with django_assert_num_queries(5):
        suggest(alice, "e")
    with django_assert_num_queries(6):
        suggest(alice, "e", private)
    for number in range(12):
        make_employee(f"emp{number}@example.com", f"Employé {number}", "marketing")

    with django_assert_num_queries(5):
        many = suggest(alice, "e")
    with django_assert_num_queries(6):
        suggest(alice, "e", private)

    assert len(handles(many)) == 8


def test_the_space_page_wires_the_post_form_to_the_autocomplete(cast: Cast) -> None:
    space = space_create(actor=cast.agent, name="Accueil", visibility="public")

    page = signed_in_client(cast.agent).get(reverse("collab:space-detail", args=[space.pk]))

    html = page.content.decode()
    assert f'data-mention-space="{space.pk}"' in html
    assert 'src="/static/collab/mentions.js"' in html
    assert "<script>" not in html  # nothing inline: the CSP forbids it


@pytest.mark.browser
def test_in_the_browser_typing_at_and_letters_suggests_and_picks_a_colleague(
    asgi_server: AsgiServer,
) -> None:
    def data() -> int:
        make_employee("alice.martin@example.com", "Alice Martin", "service-client")
        make_employee("bruno.petit@example.com", "Bruno Petit", "marketing")
        make_employee("brigitte.lenoir@example.com", "Brigitte Lenoir", "marketing")
        from socius.accounts.models import User

        owner = User.objects.get(email="alice.martin@example.com")
        return space_create(actor=owner, name="Accueil", visibility="public").pk

    space_id = in_other_thread(data)

    with chromium_page(asgi_server.url) as page:
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        browser_sign_in(page, "alice.martin@example.com")
        page.goto(f"/collab/spaces/{space_id}/")
        body = page.locator("textarea[data-mention-space]")
        body.press_sequentially("Merci @br")
        listbox = page.get_by_role("listbox")
        expect(listbox.get_by_role("option")).to_have_count(2)
        expect(listbox.get_by_role("option").first).to_have_attribute("aria-selected", "true")
        body.press("ArrowDown")
        second = listbox.get_by_role("option").nth(1)
        expect(second).to_have_attribute("aria-selected", "true")
        expect(body).to_have_attribute("aria-activedescendant", second.get_attribute("id") or "")
        expect(second).to_contain_text("Bruno Petit")
        body.press("Enter")
        expect(body).to_have_value("Merci @bruno.petit ")
        expect(listbox).to_be_hidden()
        body.press_sequentially("et @brig")
        page.get_by_role("option", name="Brigitte Lenoir").click()
        expect(body).to_have_value("Merci @bruno.petit et @brigitte.lenoir ")
        page.get_by_test_id("post-create").locator("button[type=submit]").click()
        expect(page.get_by_test_id("post-body")).to_contain_text("@brigitte.lenoir")
        assert errors == []

    assert in_other_thread(lambda: Post.objects.get().body) == (
        "Merci @bruno.petit et @brigitte.lenoir"
    )


def test_a_handle_two_colleagues_share_is_not_suggested(cast: Cast) -> None:
    make_employee("alice.martin@filiale.example", "Alice Martin (filiale)", "marketing")

    found = suggest(signed_in_client(cast.colleague), "alice")

    assert ("user", "alice.martin") not in handles(found)
    assert handles(suggest(signed_in_client(cast.colleague), "alice.")) == []
