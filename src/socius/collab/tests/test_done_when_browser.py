"""The "Done when" of the social network, in a real browser.

A colleague mentioned in a post sees the notification arrive live and replies; a non-member
finds no trace of a private space's post anywhere; a colleague switches a kind of
notification to the daily digest and gets one email.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from socius.collab.models import Comment, Notification, NotificationPreference
from socius.collab.services import comment_create, post_create
from socius.collab.tasks import notification_digest_daily, notification_digest_hourly
from socius.collab.tests.notifying import post_in, space_with
from socius.conftest import Cast, browser_sign_in
from socius.testing import AsgiServer, chromium_page, in_other_thread

pytestmark = pytest.mark.browser

SITE_URL = "https://socius.example.com"
# Words found nowhere else: whatever page shows one of them shows the private post.
POST_WORD = "Zanzibar"
COMMENT_WORD = "Kalamazoo"


def test_a_mentioned_colleague_sees_the_notification_live_and_replies(
    asgi_server: AsgiServer, cast: Cast
) -> None:
    alice, bruno = cast.agent, cast.colleague
    team = space_with(alice, bruno, name="Lancement printemps")

    with chromium_page(asgi_server.url) as page:
        browser_sign_in(page, bruno.email)
        page.goto("/collab/feed/")
        expect(page.get_by_test_id("feed")).to_have_attribute("data-live", "open")
        bell = page.get_by_test_id("notification-bell")
        expect(bell).to_have_attribute("data-live", "open")
        expect(page.get_by_test_id("notification-count")).to_have_count(0)

        post = in_other_thread(
            lambda: post_create(
                actor=alice, space=team, body="@bruno.petit peux-tu relire la plaquette ?"
            )
        )

        # No reload: the bell rings and the post arrives in the open feed.
        expect(page.get_by_test_id("notification-count")).to_have_attribute("data-count", "1")
        expect(page.locator(f'[data-post="{post.pk}"]')).to_contain_text("relire la plaquette")
        bell.click()
        item = page.locator('[data-notification][data-kind="mention"]')
        expect(item).to_have_count(1)
        expect(item).to_have_attribute("data-unread", "1")
        expect(item).to_contain_text("Alice Martin")
        item.get_by_test_id("notification-open").click()

        expect(page).to_have_url(re.compile(rf"/collab/posts/{post.pk}/$"))
        expect(page.get_by_test_id("post-body")).to_contain_text("relire la plaquette")
        expect(page.get_by_test_id("notification-count")).to_have_count(0)
        form = page.get_by_test_id("comment-create")
        form.locator("#id_body").fill("Oui, je te la renvoie **ce soir**")
        form.locator('button[type="submit"]').click()

        expect(page).to_have_url(re.compile(rf"/collab/posts/{post.pk}/$"))
        comments = page.get_by_test_id("post-comments").locator("[data-comment]")
        expect(comments).to_have_count(1)
        expect(comments.first).to_contain_text("Bruno Petit")
        expect(comments.first.locator("strong")).to_have_text("ce soir")

    comment = Comment.objects.get(post=post)
    assert (comment.author_id, comment.parent_id) == (bruno.pk, None)
    assert comment.body == "Oui, je te la renvoie **ce soir**"
    assert Notification.objects.get(recipient=bruno, kind="mention").read_at is not None
    told = Notification.objects.get(recipient=alice, kind="comment")
    assert (told.post_id, told.comment_id, told.last_actor_id) == (post.pk, comment.pk, bruno.pk)
    assert told.read_at is None


def assert_no_trace(page: Page, *texts: str, typed: str = "") -> None:
    """Neither the page's text nor its HTML carries any of these.

    ``typed`` is what the visitor typed in the search box: the page echoes it back in the
    box's value and in its own address (the language switcher's ``next``), nowhere else.
    """
    html = page.content()
    if typed:
        address = urlsplit(page.url)
        own_path = f"{address.path}?{address.query}"
        html = html.replace(f'value="{typed}"', "").replace(f'value="{own_path}"', "")
    for text in texts:
        expect(page.locator("body")).not_to_contain_text(text, ignore_case=True)
        assert text.lower() not in html.lower(), (page.url, text)


def search_for(page: Page, words: str) -> None:
    page.goto("/collab/search/")
    page.get_by_test_id("search-q").fill(words)
    page.get_by_test_id("search-submit").click()
    expect(page.get_by_test_id("search-q")).to_have_value(words)


def test_a_non_member_finds_no_trace_of_a_private_post_anywhere(
    asgi_server: AsgiServer, cast: Cast
) -> None:
    alice, bruno, chloe = cast.agent, cast.colleague, cast.outsider
    board = space_with(alice, bruno, visibility="private", name="Comité stratégie")
    lobby = space_with(alice, bruno, chloe, name="Accueil")
    secret_body = f"Le rachat {POST_WORD} est signé, @bruno.petit @chloe.roux"

    def publish_privately() -> tuple[int, int]:
        post = post_create(actor=alice, space=board, body=secret_body)
        comment = comment_create(actor=bruno, post=post, body=f"Bravo pour {COMMENT_WORD}")
        return post.pk, comment.pk

    with chromium_page(asgi_server.url) as page:
        browser_sign_in(page, chloe.email)
        page.goto("/collab/feed/")
        expect(page.get_by_test_id("feed")).to_have_attribute("data-live", "open")
        expect(page.get_by_test_id("notification-bell")).to_have_attribute("data-live", "open")

        # Published while Chloé's feed is open, then a post she may read, as a marker.
        post_id, comment_id = in_other_thread(publish_privately)
        welcome = in_other_thread(lambda: post_in(lobby, alice, "Bienvenue à l'accueil"))

        expect(page.locator(f'[data-post="{welcome.pk}"]')).to_contain_text("Bienvenue")
        expect(page.locator(f'[data-post="{post_id}"]')).to_have_count(0)
        assert_no_trace(page, POST_WORD, COMMENT_WORD, "rachat")
        page.reload()  # the feed as rendered by the server, not only what arrived live
        expect(page.locator(f'[data-post="{welcome.pk}"]')).to_have_count(1)
        expect(page.get_by_test_id("feed-item")).to_have_count(1)
        assert_no_trace(page, POST_WORD, COMMENT_WORD, "rachat")

        for words in (POST_WORD, COMMENT_WORD, "rachat signé", "Bienvenue"):
            search_for(page, words)
            expect(page.locator(f'[data-testid="search-hit"][data-id="{post_id}"]')).to_have_count(
                0
            )
            expect(
                page.locator(f'[data-testid="search-hit"][data-id="{comment_id}"]')
            ).to_have_count(0)
            assert_no_trace(page, POST_WORD, COMMENT_WORD, "rachat", typed=words)
        # The search works for her: the post she may read is found.
        expect(
            page.get_by_test_id("search-group-posts").locator(f'[data-id="{welcome.pk}"]')
        ).to_have_count(1)

        page.goto("/collab/spaces/")
        listed = page.get_by_test_id("space-list").locator(f'[data-space="{board.pk}"]')
        expect(listed).to_have_count(1)  # a private space is listed, its content closed
        listed.locator("a").click()
        expect(page).to_have_url(re.compile(rf"/collab/spaces/{board.pk}/$"))
        expect(page.get_by_test_id("space-closed")).to_be_visible()
        expect(page.get_by_test_id("space-posts")).to_have_count(0)
        assert_no_trace(page, POST_WORD, COMMENT_WORD, "rachat")

        for path in (
            f"/collab/posts/{post_id}/",
            f"/collab/posts/{post_id}/comments/new/?after=0",
            f"/collab/comments/{comment_id}/edit",
        ):
            response = page.goto(path)
            assert response is not None
            assert response.status == 404, path
            expect(page.locator(".error-page")).to_be_visible()
            assert_no_trace(page, POST_WORD, COMMENT_WORD, "rachat")

        page.goto("/collab/notifications/")
        expect(page.get_by_test_id("notification-empty")).to_be_visible()
        expect(page.locator("[data-notification]")).to_have_count(0)
        expect(page.get_by_test_id("notification-count")).to_have_count(0)
        assert_no_trace(page, POST_WORD, COMMENT_WORD, "rachat")

    # The member finds what the non-member could not: the checks above were not vacuous.
    with chromium_page(asgi_server.url) as page:
        browser_sign_in(page, bruno.email)
        search_for(page, POST_WORD)
        hit = page.get_by_test_id("search-group-posts").get_by_test_id("search-hit")
        expect(hit).to_have_count(1)
        expect(hit).to_have_attribute("data-id", str(post_id))
        expect(hit).to_contain_text(POST_WORD)
        search_for(page, COMMENT_WORD)
        hit = page.get_by_test_id("search-group-comments").get_by_test_id("search-hit")
        expect(hit).to_have_count(1)
        expect(hit).to_have_attribute("data-id", str(comment_id))
        page.goto(f"/collab/posts/{post_id}/")
        expect(page.get_by_test_id("post-body")).to_contain_text(POST_WORD)
        page.goto("/collab/feed/")
        expect(page.locator(f'[data-post="{post_id}"]')).to_contain_text(POST_WORD)

    assert Notification.objects.filter(recipient=bruno, kind="mention", post_id=post_id).exists()
    assert not Notification.objects.filter(recipient=chloe).exists()


@pytest.fixture
def _emails_at_once(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = SITE_URL


@pytest.mark.usefixtures("_emails_at_once")
def test_a_colleague_switches_comments_to_the_daily_digest_and_gets_one_email(
    asgi_server: AsgiServer, cast: Cast
) -> None:
    alice, bruno, chloe = cast.agent, cast.colleague, cast.outsider
    space = space_with(alice, bruno, chloe, name="Salon de mars")
    stand = post_in(space, alice, "Qui tient le stand vendredi ?")
    badges = post_in(space, alice, "Les badges sont arrivés")

    with chromium_page(asgi_server.url) as page:
        browser_sign_in(page, alice.email)
        page.goto("/collab/notifications/")
        page.locator('a[href="/collab/notifications/preferences"]').click()
        expect(page).to_have_url(re.compile(r"/collab/notifications/preferences$"))
        choice = page.get_by_test_id("preference-comment").locator("select")
        expect(choice).to_have_value("hourly")  # the default
        choice.select_option("daily")
        page.get_by_test_id("preference-comment").locator('button[type="submit"]').click()

        expect(page).to_have_url(re.compile(r"/collab/notifications/preferences$"))
        expect(page.get_by_test_id("preference-comment").locator("select")).to_have_value("daily")
        expect(page.get_by_test_id("preference-mention").locator("select")).to_have_value(
            "immediate"
        )
        expect(page.get_by_test_id("notification-bell")).to_have_attribute("data-live", "open")

        in_other_thread(lambda: comment_create(actor=bruno, post=stand, body="Moi, le matin"))
        in_other_thread(lambda: comment_create(actor=chloe, post=badges, body="Merci, je passe"))

        # In the app at once, one line per post ...
        expect(page.get_by_test_id("notification-count")).to_have_attribute("data-count", "2")

    # ... and by email, nothing yet: neither at once nor with the hourly digest.
    assert NotificationPreference.objects.get(user=alice, kind="comment").email == "daily"
    assert mail.outbox == []
    later = timezone.now()
    with time_machine.travel(later + dt.timedelta(hours=1), tick=False):
        assert notification_digest_hourly.call() == 0
    assert mail.outbox == []

    with time_machine.travel(later + dt.timedelta(days=1), tick=False):
        assert notification_digest_daily.call() == 1
        assert notification_digest_daily.call() == 0  # a second run finds nothing waiting

    assert len(mail.outbox) == 1
    message: Any = mail.outbox[0]
    assert message.to == [alice.email]
    html = message.alternatives[0][0]
    for text in (message.body, html):
        assert "Moi, le matin" in text
        assert "Merci, je passe" in text
        assert f"{SITE_URL}/collab/posts/{stand.pk}/" in text
        assert f"{SITE_URL}/collab/posts/{badges.pk}/" in text
    assert re.fullmatch(rf"<{re.escape(SITE_URL)}/\S+>", message.extra_headers["List-Unsubscribe"])
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert set(
        Notification.objects.filter(recipient=alice).values_list("kind", "email_pending")
    ) == {("comment", False)}
