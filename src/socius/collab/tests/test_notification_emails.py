"""Immediate notification emails: sent once after commit, unsubscribable in one click."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from socius.accounts.services import employee_language_set
from socius.collab.models import Membership, Notification, NotificationPreference
from socius.collab.services import comment_create
from socius.collab.services.notifications import notify, thread_mute
from socius.collab.services.spaces import space_member_remove
from socius.collab.tasks import notification_digest_hourly, notification_emails_send_immediate
from socius.collab.tests.notifying import event_on, post_in, space_with
from socius.conftest import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = "https://socius.example.com"


def unsubscribe_link(message: Any) -> str:
    header = message.extra_headers["List-Unsubscribe"]
    match = re.fullmatch(r"<(https://socius\.example\.com/\S+)>", header)
    assert match, header
    return match.group(1)


def test_a_reply_is_emailed_once_after_commit_with_one_click_unsubscribe(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    post = post_in(space_with(cast.agent), cast.agent)
    question = comment_create(actor=cast.agent, post=post, body="Qui vient jeudi ?")

    with django_capture_on_commit_callbacks(execute=True):
        comment_create(actor=cast.colleague, post=post, body="Moi, avec plaisir", parent=question)
        assert mail.outbox == []  # nothing leaves before the commit

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice.martin@example.com"]
    assert "Bruno Petit" in message.subject
    assert "Moi, avec plaisir" in message.body
    assert f"https://socius.example.com/collab/posts/{post.pk}/" in message.body
    html = message.alternatives[0]
    assert html[1] == "text/html"
    assert '<html lang="fr">' in html[0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = unsubscribe_link(message)
    assert link in message.body
    notification = Notification.objects.get(recipient=cast.agent, kind="reply")
    assert (notification.email_pending, notification.emailed_at is not None) == (False, True)

    # A second run of the task (a retry) finds nothing waiting.
    assert notification_emails_send_immediate.call(cast.agent.pk) == 0
    assert len(mail.outbox) == 1

    # RFC 8058: the mail provider posts without cookie nor CSRF token.
    provider = Client(enforce_csrf_checks=True)
    response = provider.post(
        link.removeprefix("https://socius.example.com"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=cast.agent, kind="reply").email == "off"


def test_a_kind_off_by_email_sends_nothing_but_stays_in_the_app(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    post = post_in(space_with(cast.agent), cast.agent)

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient_ids=[cast.agent.pk], event=event_on(post, "reaction", cast.colleague))

    assert mail.outbox == []
    assert Notification.objects.get().email_pending is False


def test_mentions_pending_together_go_in_one_email(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    space = space_with(cast.agent)
    first, second = post_in(space, cast.agent, "Un"), post_in(space, cast.agent, "Deux")

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient_ids=[cast.agent.pk], event=event_on(first, "mention", cast.colleague))
        notify(recipient_ids=[cast.agent.pk], event=event_on(second, "mention", cast.outsider))

    assert len(mail.outbox) == 1
    assert "Bruno Petit" in mail.outbox[0].body
    assert "Chloé Roux" in mail.outbox[0].body


def test_a_colleague_removed_from_a_private_space_gets_no_email_of_its_content(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    space = space_with(cast.agent, cast.colleague, visibility="private")
    post = post_in(space, cast.agent, "Le budget confidentiel")
    notify(recipient_ids=[cast.colleague.pk], event=event_on(post, "mention", cast.agent))
    membership = Membership.objects.get(space=space, user=cast.colleague)
    space_member_remove(actor=cast.agent, membership=membership)

    assert notification_emails_send_immediate.call(cast.colleague.pk) == 0

    assert mail.outbox == []
    notification = Notification.objects.get(recipient=cast.colleague)
    assert (notification.email_pending, notification.emailed_at) == (False, None)


def test_a_post_muted_before_the_email_leaves_is_never_emailed(cast: Cast) -> None:
    post = post_in(space_with(cast.agent), cast.agent)
    notify(recipient_ids=[cast.colleague.pk], event=event_on(post, "mention", cast.agent))

    thread_mute(actor=cast.colleague, post=post)

    assert notification_emails_send_immediate.call(cast.colleague.pk) == 0
    assert mail.outbox == []


def test_a_notification_read_in_the_app_is_not_emailed(cast: Cast) -> None:
    from socius.collab.services.notifications import notification_mark_read

    post = post_in(space_with(cast.agent), cast.agent)
    notify(recipient_ids=[cast.colleague.pk], event=event_on(post, "mention", cast.agent))
    notification_mark_read(actor=cast.colleague, notification=Notification.objects.get())

    assert notification_emails_send_immediate.call(cast.colleague.pk) == 0
    assert mail.outbox == []


def test_a_failed_send_leaves_the_notification_waiting(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    post = post_in(space_with(cast.agent), cast.agent)
    notify(recipient_ids=[cast.colleague.pk], event=event_on(post, "mention", cast.agent))

    def refuse(*args: Any, **kwargs: Any) -> int:
        raise ConnectionError("the mail server is down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with pytest.raises(ConnectionError):
        notification_emails_send_immediate.call(cast.colleague.pk)

    notification = Notification.objects.get()
    assert (notification.email_pending, notification.emailed_at) == (True, None)


def test_an_employee_who_chose_english_gets_the_email_in_english(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    employee_language_set(employee=cast.agent, language="en")
    post = post_in(space_with(cast.agent), cast.agent)
    question = comment_create(actor=cast.agent, post=post, body="Qui vient jeudi ?")

    with django_capture_on_commit_callbacks(execute=True):
        comment_create(actor=cast.colleague, post=post, body="Moi", parent=question)

    (message,) = mail.outbox
    assert '<html lang="en">' in message.alternatives[0][0]


def test_a_busy_thread_emails_at_once_at_most_hourly_then_in_the_hourly_run(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    post = post_in(space_with(cast.agent, cast.colleague), cast.agent)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient_ids=[cast.colleague.pk], event=event_on(post, "mention", cast.agent))
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):  # four more mentions on the same thread, minutes later
            notify(recipient_ids=[cast.colleague.pk], event=event_on(post, "mention", cast.agent))

    assert len(mail.outbox) == 1
    folded = Notification.objects.get(recipient=cast.colleague, kind="mention")
    assert (folded.event_count, folded.email_pending) == (6, True)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1, minutes=5), tick=False):
        assert notification_digest_hourly.call() == 1
    assert len(mail.outbox) == 2
