"""In a real browser, the issue's journey: a customer opens a group for the demo park's
offer, two friends join from the share link and pay in the sandbox, the group tips, the
worker settles it, tickets arrive with their QR codes, and staff check one in at the gate;
a second group misses its deadline and every participant is voided."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from socius.accounts.roles import Role
from socius.commerce.models import (
    Gate,
    GroupOrder,
    GroupState,
    Offer,
    Participant,
    ParticipantState,
    Ticket,
    TicketState,
)
from socius.commerce.services.lifecycle import deadlines_run
from socius.commerce.tests.pages_support import offer_on_sale
from socius.conftest import browser_sign_in, make_employee
from socius.testing import AsgiServer, chromium_page, in_other_thread

pytestmark = pytest.mark.browser

CARD = "4242 4242 4242 4242"


@pytest.fixture
def live_settings(settings: Any, asgi_server: AsgiServer) -> Any:
    # Links in pages and the sandbox's webhooks point at the test server; the sandbox's
    # events are delivered at once, as the worker would deliver them.
    settings.SITE_URL = asgi_server.url
    settings.COMMERCE_PAYMENT_PROVIDER = "sandbox"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return settings


def _setup() -> Offer:
    manager = make_employee("nadia.ventes@example.com", "Nadia Roy", "ventes", Role.MANAGER)
    make_employee("yann.accueil@example.com", "Yann Roy", "exploitation")
    # Open-dated, so its tickets are valid from their issue: the gate admits them today.
    offer = offer_on_sale(
        manager,
        title="Pass journée entre amis",
        kind="open_dated",
        event_date=None,
        min_group_size=3,
        tiers=[(3, 2800)],
    )
    Gate.objects.create(slug="entree-principale", name="Entrée principale", offer=offer)
    return offer


def _fill_party(page: Page, given: str, email: str, seats: int = 1) -> None:
    page.locator("#id_given_name").fill(given)
    page.locator("#id_family_name").fill("Test")
    page.locator("#id_email").fill(email)
    page.locator("#id_seats").fill(str(seats))


def _pay_in_the_sandbox(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/payments/sandbox/"))
    page.locator("#id_card_number").fill(CARD)
    page.locator("#sandbox-pay").click()
    expect(page).to_have_url(re.compile(r"/groups/p/"))
    # The webhook confirms the hold: the page polls until it has.
    expect(page.get_by_test_id("participant-status")).to_have_attribute(
        "data-state", "authorized", timeout=15_000
    )


def _friend_joins(page: Page, share_url: str, given: str, email: str) -> None:
    page.goto(share_url)
    expect(page.locator('meta[property="og:image"]')).to_have_count(1)
    _fill_party(page, given, email)
    page.get_by_test_id("group-join").click()
    _pay_in_the_sandbox(page)


def test_friends_buy_together_get_tickets_and_one_checks_in(live_settings: Any) -> None:
    offer = in_other_thread(_setup)
    with chromium_page(live_settings.SITE_URL) as organiser:
        browser = organiser.context.browser
        assert browser is not None
        organiser.goto(f"/groups/offers/{offer.slug}")
        _fill_party(organiser, "Léa", "lea@example.org")
        organiser.locator("#id_title").fill("Anniversaire de Léa")
        organiser.get_by_test_id("group-open").click()
        _pay_in_the_sandbox(organiser)
        share_url = organiser.get_by_test_id("share-url").input_value()
        assert "/groups/" in share_url

        for given, email in (("Hugo", "hugo@example.net"), ("Inès", "ines@example.org")):
            context = browser.new_context(base_url=live_settings.SITE_URL, locale="fr-FR")
            _friend_joins(context.new_page(), share_url, given, email)
            context.close()

        group = in_other_thread(lambda: GroupOrder.objects.get(offer=offer))
        assert group.state == GroupState.TIPPED
        assert group.seats_secured == 3

        # The window closes: the worker's deadline job settles the group.
        in_other_thread(lambda: deadlines_run(now=timezone.now() + dt.timedelta(hours=49)))
        organiser.reload()
        expect(organiser.get_by_test_id("participant-status")).to_have_attribute(
            "data-group-state", "completed"
        )
        # The tickets arrive by email too, each QR code attached.
        with_tickets = {to for sent in mail.outbox if sent.attachments for to in sent.to}
        assert {"lea@example.org", "hugo@example.net", "ines@example.org"} <= with_tickets
        organiser.get_by_test_id("participant-tickets").click()
        expect(organiser.get_by_test_id("ticket-qr")).to_have_count(1)

        code = in_other_thread(
            lambda: (
                Ticket.objects.filter(offer=offer).order_by("pk").values_list("code", flat=True)[0]
            )
        )
        staff_context = browser.new_context(base_url=live_settings.SITE_URL, locale="fr-FR")
        staff = staff_context.new_page()
        browser_sign_in(staff, "yann.accueil@example.com")
        staff.goto("/gate/entree-principale/")
        staff.get_by_test_id("gate-code").fill(code)
        staff.get_by_test_id("gate-submit").click()
        expect(staff.get_by_test_id("gate-banner")).to_have_attribute("data-result", "ok")
        staff_context.close()

    tickets = in_other_thread(lambda: list(Ticket.objects.values_list("state", flat=True)))
    assert sorted(tickets) == [TicketState.CHECKED_IN, TicketState.ISSUED, TicketState.ISSUED]
    states = in_other_thread(lambda: set(Participant.objects.values_list("state", flat=True)))
    assert states == {ParticipantState.TICKETED}


def test_a_group_that_misses_its_deadline_voids_everyone(live_settings: Any) -> None:
    offer = in_other_thread(_setup)
    with chromium_page(live_settings.SITE_URL) as organiser:
        organiser.goto(f"/groups/offers/{offer.slug}")
        _fill_party(organiser, "Tom", "tom@example.com")
        organiser.get_by_test_id("group-open").click()
        _pay_in_the_sandbox(organiser)
        share_url = organiser.get_by_test_id("share-url").input_value()
        browser = organiser.context.browser
        assert browser is not None
        context = browser.new_context(base_url=live_settings.SITE_URL, locale="fr-FR")
        _friend_joins(context.new_page(), share_url, "Jade", "jade@example.org")
        context.close()

        # Two of the three seats needed when the window closes: the group fails.
        in_other_thread(lambda: deadlines_run(now=timezone.now() + dt.timedelta(hours=49)))
        organiser.reload()
        expect(organiser.get_by_test_id("participant-status")).to_have_attribute(
            "data-group-state", "failed"
        )
        expect(organiser.get_by_test_id("participant-status")).to_have_attribute(
            "data-state", "voided"
        )

    group = in_other_thread(lambda: GroupOrder.objects.get(offer=offer))
    assert group.state == GroupState.FAILED
    states = in_other_thread(
        lambda: list(Participant.objects.filter(group=group).values_list("state", flat=True))
    )
    assert states == [ParticipantState.VOIDED, ParticipantState.VOIDED]
    assert in_other_thread(lambda: Offer.objects.get(pk=offer.pk).seats_taken) == 0
