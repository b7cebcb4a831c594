"""In a real browser, the issue's journey: a customer writes from the portal, an agent sees
it arrive live with the person beside it, asks a colleague from sales in a private note,
replies; the customer sees the reply but never the note, and rates the answer."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from socius.care.models import Case, Rating
from socius.collab.models import Notification
from socius.conftest import browser_sign_in, make_employee
from socius.people.services.resolve import person_resolve
from socius.people.services.types import IdentifierIn, Profile
from socius.portal.access import SESSION_KEY
from socius.testing import AsgiServer, chromium_page, in_other_thread

pytestmark = pytest.mark.browser

NOTE = "@sophie.vente ce client a-t-il un contrat groupe ?"


def _portal_session(person_id: int) -> str:
    session = SessionStore()
    session[SESSION_KEY] = person_id
    session.create()
    return session.session_key or ""


def test_portal_request_live_inbox_note_reply_and_rating(asgi_server: AsgiServer) -> None:
    make_employee("alice.martin@example.com", "Alice Martin", "service-client", "agent")
    sophie = make_employee("sophie.vente@example.com", "Sophie Vente", "ventes")
    claire = person_resolve(
        identifiers=[IdentifierIn("email", "claire.dupont@example.org")],
        profile=Profile(given_name="Claire", family_name="Dupont"),
    ).person
    session_key = _portal_session(claire.pk)

    with chromium_page(asgi_server.url) as agent:
        browser_sign_in(agent, "alice.martin@example.com")
        agent.goto("/care/?view=all")
        expect(agent.get_by_test_id("inbox")).to_have_attribute("data-live", "open")

        customer_context = agent.context.browser.new_context(
            base_url=asgi_server.url, locale="fr-FR"
        )
        customer_context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session_key, "url": asgi_server.url}]
        )
        customer = customer_context.new_page()
        customer.goto("/portal/requests/new")
        customer.locator("#id_subject").fill("Billets pour samedi")
        customer.locator("#id_body").fill("Je n'ai pas reçu mes billets.")
        customer.get_by_test_id("request-send").click()
        expect(customer.get_by_test_id("request-subject")).to_have_text("Billets pour samedi")

        row = agent.get_by_test_id("inbox-case")
        expect(row).to_contain_text("Billets pour samedi")  # arrived live, no reload
        row.get_by_role("link").click()
        expect(agent.get_by_test_id("person-panel")).to_contain_text("Claire Dupont")
        expect(agent.get_by_test_id("person-panel")).to_contain_text("claire.dupont@example.org")

        agent.get_by_test_id("note-form").locator("textarea").fill(NOTE)
        agent.get_by_test_id("note-send").click()
        expect(agent.get_by_test_id("case-note")).to_contain_text("ce client a-t-il")

        agent.get_by_test_id("reply-form").locator("textarea").fill("Vos billets sont renvoyés.")
        agent.get_by_test_id("reply-form").locator("select").select_option("resolved")
        agent.get_by_test_id("reply-send").click()
        expect(agent.get_by_test_id("case-status")).to_have_attribute("data-status", "resolved")

        customer.reload()
        messages = customer.get_by_test_id("request-messages")
        expect(messages).to_contain_text("Vos billets sont renvoyés.")
        expect(customer.locator("body")).not_to_contain_text("contrat groupe")
        customer.get_by_test_id("survey-link").click()
        customer.get_by_test_id("score-5").click()
        customer.locator("textarea").fill("Rapide et efficace")
        customer.get_by_test_id("survey-submit").click()
        expect(customer.get_by_test_id("survey-thanks")).to_be_visible()
        customer_context.close()

    case = in_other_thread(lambda: Case.objects.get())
    assert in_other_thread(lambda: Rating.objects.get(case=case).score) == 5
    assert in_other_thread(
        lambda: Notification.objects.filter(recipient=sophie, kind="case_note").exists()
    )
