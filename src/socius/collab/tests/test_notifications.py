"""The notification centre: consolidation, muting, reading, and what stays private."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from socius.collab.models import Membership, Notification, ThreadMute
from socius.collab.services.notifications import notify, thread_mute
from socius.collab.services.spaces import space_member_remove
from socius.collab.tests.notifying import colleagues, event_on, post_in, react, space_with
from socius.conftest import Cast, signed_in_client
from socius.core.live import LiveEvent
from socius.core.models import Activity

pytestmark = pytest.mark.django_db


def test_ten_reactions_on_a_post_are_one_notification_counting_ten(cast: Cast) -> None:
    post = post_in(space_with(cast.agent), cast.agent)
    reacting = colleagues(10)

    react(post, reacting)

    notification = Notification.objects.get(recipient=cast.agent)
    assert (notification.kind, notification.thread) == ("reaction", f"post:{post.pk}")
    assert notification.event_count == 10
    assert notification.last_actor == reacting[-1]
    page = signed_in_client(cast.agent).get(reverse("collab:notification-list")).content.decode()
    assert 'data-count="10"' in page
    assert "Collègue 09" in page  # "Collègue 09 et 9 autres…", whatever the language


def test_a_read_notification_is_not_folded_into_a_new_event(cast: Cast) -> None:
    post = post_in(space_with(cast.agent), cast.agent)
    react(post, colleagues(2))
    Notification.objects.update(read_at="2030-01-01T00:00:00Z")

    react(post, colleagues(1, prefix="autre"))

    assert sorted(Notification.objects.values_list("event_count", flat=True)) == [1, 2]


def test_the_actor_is_never_told_of_their_own_action(cast: Cast) -> None:
    post = post_in(space_with(cast.agent), cast.agent)

    react(post, [cast.agent])

    assert not Notification.objects.exists()


def test_a_muted_post_tells_that_colleague_nothing_of_any_kind(cast: Cast) -> None:
    post = post_in(space_with(cast.agent, cast.colleague), cast.agent)
    thread_mute(actor=cast.agent, post=post)

    for kind in ("reaction", "comment", "mention", "announcement"):
        notify(
            recipient_ids=[cast.agent.pk, cast.colleague.pk],
            event=event_on(post, kind, cast.outsider),
        )

    assert not Notification.objects.filter(recipient=cast.agent).exists()
    assert Notification.objects.filter(recipient=cast.colleague).count() == 4


def test_the_mute_button_mutes_and_unmutes_the_post(cast: Cast) -> None:
    post = post_in(space_with(cast.agent), cast.agent)
    client = signed_in_client(cast.colleague)
    url = reverse("collab:post-mute", args=[post.pk])

    page = client.get(reverse("collab:post-detail", args=[post.pk])).content.decode()
    assert 'data-testid="mute-button" data-muted="0"' in page
    assert client.post(url, {"muted": "1"}).status_code == 302
    page = client.get(reverse("collab:post-detail", args=[post.pk])).content.decode()
    assert 'data-testid="mute-button" data-muted="1"' in page
    assert ThreadMute.objects.filter(user=cast.colleague, post=post).count() == 1
    assert Activity.objects.filter(verb="collab.thread_muted", actor=cast.colleague).count() == 1

    client.post(url, {"muted": "0"})

    assert not ThreadMute.objects.exists()
    assert Activity.objects.filter(verb="collab.thread_unmuted").count() == 1


def test_nobody_mutes_a_post_they_may_not_read(cast: Cast) -> None:
    post = post_in(space_with(cast.agent, visibility="private"), cast.agent)

    response = signed_in_client(cast.outsider).post(
        reverse("collab:post-mute", args=[post.pk]), {"muted": "1"}
    )

    assert response.status_code == 404
    assert not ThreadMute.objects.exists()


def test_the_centre_lists_newest_first_with_unread_state_and_pages(cast: Cast) -> None:
    space = space_with(cast.agent)
    posts = [post_in(space, cast.agent, f"Sujet {n}") for n in range(32)]
    for post in posts:
        react(post, [cast.colleague])
    Notification.objects.filter(post=posts[0]).update(read_at="2030-01-01T00:00:00Z")
    client = signed_in_client(cast.agent)

    first = client.get(reverse("collab:notification-list"))
    cursor = first.context["next_cursor"]
    second = client.get(reverse("collab:notification-list"), {"cursor": cursor})

    shown = [line.notification.post_id for line in first.context["lines"]]
    shown += [line.notification.post_id for line in second.context["lines"]]
    assert shown == [post.pk for post in reversed(posts)]
    assert second.context["next_cursor"] is None
    assert [line.is_unread for line in second.context["lines"]] == [True, False]
    assert 'data-unread="0"' in second.content.decode()


def test_the_centre_costs_the_same_queries_for_three_or_thirty_notifications(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    space = space_with(cast.agent)
    client = signed_in_client(cast.agent)
    actors = colleagues(3)

    def count_queries(posts: int) -> None:
        for _ in range(posts):
            react(post_in(space, cast.agent), actors)
        # session, user, the page of notifications with their last actors
        with django_assert_num_queries(3):
            assert client.get(reverse("collab:notification-list")).status_code == 200

    count_queries(3)
    count_queries(27)


def test_the_bell_counts_unread_notifications_in_one_query(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    space = space_with(cast.agent)
    for n in range(4):
        react(post_in(space, cast.agent, f"Sujet {n}"), [cast.colleague])
    Notification.objects.filter(pk=Notification.objects.first().pk).update(  # type: ignore[union-attr]
        read_at="2030-01-01T00:00:00Z"
    )
    client = signed_in_client(cast.agent)

    with django_assert_num_queries(3):  # session, user, one count
        response = client.get(reverse("collab:notification-bell"))

    assert 'data-count="3"' in response.content.decode()
    home = client.get("/").content.decode()
    assert 'data-testid="notification-bell"' in home


def test_opening_a_notification_marks_it_read_and_leads_to_the_post(cast: Cast) -> None:
    post = post_in(space_with(cast.agent), cast.agent)
    react(post, [cast.colleague])
    notification = Notification.objects.get()

    response = signed_in_client(cast.agent).post(
        reverse("collab:notification-open", args=[notification.pk])
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("collab:post-detail", args=[post.pk])
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert Activity.objects.filter(verb="collab.notification_read").count() == 1


def test_marking_one_and_all_as_read(cast: Cast) -> None:
    space = space_with(cast.agent)
    for n in range(3):
        react(post_in(space, cast.agent, f"Sujet {n}"), [cast.colleague])
    first = Notification.objects.order_by("pk").first()
    assert first is not None
    client = signed_in_client(cast.agent)

    client.post(reverse("collab:notification-read", args=[first.pk]))
    assert Notification.objects.filter(read_at__isnull=True).count() == 2

    client.post(reverse("collab:notification-read-all"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert Activity.objects.get(verb="collab.notifications_read_all").payload == {"count": 2}


def test_another_colleagues_notification_is_not_found_and_stays_unread(cast: Cast) -> None:
    post = post_in(space_with(cast.agent), cast.agent)
    react(post, [cast.colleague])
    notification = Notification.objects.get()
    intruder = signed_in_client(cast.outsider)

    for name in ("collab:notification-open", "collab:notification-read"):
        assert intruder.post(reverse(name, args=[notification.pk])).status_code == 404
    intruder.post(reverse("collab:notification-read-all"))

    notification.refresh_from_db()
    assert notification.read_at is None
    assert not Activity.objects.filter(verb__startswith="collab.notification").exists()


def test_a_colleague_removed_from_a_private_space_no_longer_sees_its_notifications(
    cast: Cast,
) -> None:
    space = space_with(cast.agent, cast.colleague, visibility="private", name="Projet secret")
    post = post_in(space, cast.agent, "Le budget confidentiel")
    notify(recipient_ids=[cast.colleague.pk], event=event_on(post, "announcement", cast.agent))
    client = signed_in_client(cast.colleague)
    assert (
        "Le budget confidentiel" in client.get(reverse("collab:notification-list")).content.decode()
    )

    membership = Membership.objects.get(space=space, user=cast.colleague)
    space_member_remove(actor=cast.agent, membership=membership)

    page = client.get(reverse("collab:notification-list")).content.decode()
    assert "Le budget confidentiel" not in page
    assert 'data-testid="notification-empty"' in page
    bell = client.get(reverse("collab:notification-bell")).content.decode()
    assert "notification-count" not in bell


def test_a_new_notification_nudges_the_recipients_bell_after_commit(
    cast: Cast, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    published: list[LiveEvent] = []

    class Recorder:
        def publish(self, event: LiveEvent) -> None:
            published.append(event)

    monkeypatch.setattr("socius.core.live.get_broker", lambda: Recorder())
    post = post_in(space_with(cast.agent), cast.agent)
    published.clear()

    with django_capture_on_commit_callbacks(execute=True):
        react(post, [cast.colleague])

    assert LiveEvent(channel=f"user:{cast.agent.pk}", name="notification") in published
    assert not [e for e in published if e.channel == f"user:{cast.colleague.pk}"]


def test_telling_many_colleagues_costs_the_same_statements_as_telling_a_few(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    many = colleagues(30)
    post = post_in(space_with(cast.agent, *many), cast.agent)
    few_ids = [user.pk for user in many[:3]]
    many_ids = [user.pk for user in many]
    notify(recipient_ids=few_ids, event=event_on(post, "mention", cast.agent))

    # mutes, email choices, unread rows present, the folds (by email choice), new rows,
    # rows a concurrent event created
    with django_assert_num_queries(6):
        notify(recipient_ids=many_ids, event=event_on(post, "mention", cast.agent))

    counts = dict(
        Notification.objects.filter(kind="mention").values_list("recipient_id", "event_count")
    )
    assert counts == {user.pk: (2 if user.pk in few_ids else 1) for user in many}
