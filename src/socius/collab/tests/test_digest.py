"""Hourly and daily digests: one email per colleague per run, never twice, never leaking."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from socius.collab.models import Membership, Notification
from socius.collab.notifications.delivery import notification_digest_run
from socius.collab.services.notifications import (
    notification_preference_set,
    notification_preferences_set,
    notify,
)
from socius.collab.services.spaces import space_member_remove
from socius.collab.tasks import notification_digest_daily, notification_digest_hourly
from socius.collab.tests.notifying import event_on, post_in, space_with
from socius.conftest import Cast
from socius.core.models import Activity
from socius.core.periodic import periodic_enqueue_due, registered_periodic_jobs

pytestmark = pytest.mark.django_db

MONDAY_9 = dt.datetime(2030, 3, 4, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.SITE_URL = "https://socius.example.com"


def test_the_hourly_digest_gathers_comments_into_one_email_per_colleague(cast: Cast) -> None:
    space = space_with(cast.agent, cast.colleague)
    first, second = post_in(space, cast.agent, "Un"), post_in(space, cast.agent, "Deux")
    with time_machine.travel(MONDAY_9, tick=False):
        notify(recipient_ids=[cast.agent.pk], event=event_on(first, "comment", cast.colleague))
        notify(recipient_ids=[cast.agent.pk], event=event_on(second, "comment", cast.outsider))
        notify(recipient_ids=[cast.agent.pk], event=event_on(first, "announcement", cast.admin))

    with time_machine.travel(MONDAY_9 + dt.timedelta(hours=1), tick=False):
        assert notification_digest_hourly.call() == 1

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice.martin@example.com"]
    assert f"/collab/posts/{first.pk}/" in message.body
    assert f"/collab/posts/{second.pk}/" in message.body
    assert "Denis Lambert" not in message.body  # the announcement waits for the daily digest
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    comments = Notification.objects.filter(kind="comment")
    assert set(comments.values_list("email_pending", "emailed_at")) == {
        (False, MONDAY_9 + dt.timedelta(hours=1))
    }
    assert Notification.objects.get(kind="announcement").email_pending is True
    emailed = Activity.objects.get(verb="collab.notifications_emailed")
    assert emailed.payload["mode"] == "hourly"
    assert sorted(emailed.payload["notifications"]) == sorted(comments.values_list("pk", flat=True))


def test_a_digest_run_twice_sends_nothing_the_second_time(cast: Cast) -> None:
    post = post_in(space_with(cast.agent), cast.agent)
    notify(recipient_ids=[cast.agent.pk], event=event_on(post, "comment", cast.colleague))

    assert notification_digest_hourly.call() == 1
    assert notification_digest_hourly.call() == 0

    assert len(mail.outbox) == 1
    assert Activity.objects.filter(verb="collab.notifications_emailed").count() == 1


def test_a_new_event_after_the_digest_is_in_the_next_one(cast: Cast) -> None:
    post = post_in(space_with(cast.agent), cast.agent)
    notify(recipient_ids=[cast.agent.pk], event=event_on(post, "comment", cast.colleague))
    notification_digest_hourly.call()

    notify(recipient_ids=[cast.agent.pk], event=event_on(post, "comment", cast.outsider))
    notification_digest_hourly.call()

    assert len(mail.outbox) == 2
    assert Notification.objects.get().event_count == 2  # still one line in the app


def test_a_colleague_who_chose_a_daily_digest_gets_one_email_a_day(cast: Cast) -> None:
    space = space_with(cast.agent, cast.colleague)
    notification_preference_set(actor=cast.colleague, kind="mention", email="daily")
    for n in range(3):
        post = post_in(space, cast.agent, f"Sujet {n}")
        notify(recipient_ids=[cast.colleague.pk], event=event_on(post, "mention", cast.agent))
        notify(recipient_ids=[cast.colleague.pk], event=event_on(post, "announcement", cast.agent))

    assert notification_digest_hourly.call() == 0
    assert notification_digest_daily.call() == 1
    assert notification_digest_daily.call() == 0

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["bruno.petit@example.com"]
    assert mail.outbox[0].body.count("/collab/posts/") == 6
    assert not Notification.objects.filter(email_pending=True).exists()


def test_every_colleague_gets_their_own_digest(cast: Cast) -> None:
    post = post_in(space_with(cast.agent, cast.colleague), cast.agent)
    notify(
        recipient_ids=[cast.colleague.pk, cast.outsider.pk],
        event=event_on(post, "announcement", cast.agent),
    )

    assert notification_digest_daily.call() == 2

    assert sorted(message.to[0] for message in mail.outbox) == [
        "bruno.petit@example.com",
        "chloe.roux@example.com",
    ]


def test_a_digest_never_carries_a_private_space_the_colleague_left(cast: Cast) -> None:
    space = space_with(cast.agent, cast.colleague, visibility="private")
    post = post_in(space, cast.agent, "Le budget confidentiel")
    public = post_in(space_with(cast.agent, name="Accueil"), cast.agent, "Bienvenue")
    for about in (post, public):
        notify(recipient_ids=[cast.colleague.pk], event=event_on(about, "announcement", cast.agent))
    membership = Membership.objects.get(space=space, user=cast.colleague)
    space_member_remove(actor=cast.agent, membership=membership)

    assert notification_digest_daily.call() == 1

    body = mail.outbox[0].body + mail.outbox[0].alternatives[0][0]
    assert "Bienvenue" in body
    assert "confidentiel" not in body
    assert f"/collab/posts/{post.pk}/" not in body
    assert not Notification.objects.filter(email_pending=True).exists()


def test_an_immediate_email_whose_task_was_lost_goes_with_the_hourly_run(cast: Cast) -> None:
    post = post_in(space_with(cast.agent), cast.agent)
    with time_machine.travel(MONDAY_9, tick=False):
        notify(recipient_ids=[cast.agent.pk], event=event_on(post, "mention", cast.colleague))

    with time_machine.travel(MONDAY_9 + dt.timedelta(minutes=5), tick=False):
        assert notification_digest_hourly.call() == 0  # its own task may still be coming
    with time_machine.travel(MONDAY_9 + dt.timedelta(hours=1), tick=False):
        assert notification_digest_hourly.call() == 1


def test_the_worker_runs_the_digests_hourly_and_daily(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    jobs = {spec.name: spec.every for spec in registered_periodic_jobs()}
    assert jobs["collab.notification_digest_hourly"] == dt.timedelta(hours=1)
    assert jobs["collab.notification_digest_daily"] == dt.timedelta(days=1)

    def due(at: dt.datetime) -> set[str]:
        return {
            name for name in periodic_enqueue_due(now=at) if name.startswith("collab.notification_")
        }

    assert due(MONDAY_9) == {
        "collab.notification_digest_hourly",
        "collab.notification_digest_daily",
    }
    assert due(MONDAY_9 + dt.timedelta(minutes=30)) == set()
    assert due(MONDAY_9 + dt.timedelta(hours=1)) == {"collab.notification_digest_hourly"}
    assert due(MONDAY_9 + dt.timedelta(days=1)) == {
        "collab.notification_digest_hourly",
        "collab.notification_digest_daily",
    }


def test_a_failing_send_leaves_the_rows_waiting_and_others_still_get_theirs(
    cast: Cast, monkeypatch: Any
) -> None:
    for recipient in (cast.agent, cast.colleague):
        notification_preferences_set(actor=recipient, choices={"mention": "daily"})
    post = post_in(space_with(cast.outsider, cast.agent, cast.colleague), cast.outsider)
    for recipient in (cast.agent, cast.colleague):
        notify(recipient_ids=[recipient.pk], event=event_on(post, "mention", cast.outsider))
    real_send = EmailMultiAlternatives.send

    def send(message: EmailMultiAlternatives, fail_silently: bool = False) -> int:
        if cast.agent.email in message.to:
            raise ConnectionError("mail server down")
        return real_send(message, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)

    assert notification_digest_run(mode="daily") == 1

    assert [message.to for message in mail.outbox] == [[cast.colleague.email]]
    waiting = Notification.objects.get(recipient=cast.agent)
    assert (waiting.email_pending, waiting.emailed_at) == (True, None)
