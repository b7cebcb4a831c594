"""A followed customer's new activities reach the follower: feed panel and notifications."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from socius.accounts import roles
from socius.accounts.roles import Role
from socius.collab.customer_activity import RELAY_VERB, customer_activity_relay, relay_mark
from socius.collab.models import Notification
from socius.collab.selectors_feed import customer_activity_for
from socius.collab.services.follows import FollowTarget, follow_create
from socius.conftest import Cast, signed_in_client
from socius.core.models import Activity
from socius.core.periodic import registered_periodic_jobs
from socius.core.services import ActivityDraft, activity_append
from socius.people.models import Person

pytestmark = pytest.mark.django_db
LATER = dt.timedelta(minutes=5)


def happens(person: Person, summary: str, actor_id: int | None = None) -> Activity:
    with transaction.atomic():
        return activity_append(
            ActivityDraft(
                verb="interaction.purchase", person_id=person.pk, actor_id=actor_id, summary=summary
            )
        )


def test_followers_are_notified_of_new_activity_folded_per_customer(cast: Cast) -> None:
    happens(cast.customer, "Avant le suivi")
    follow_create(actor=cast.colleague, target=FollowTarget(person=cast.customer))
    follow_create(actor=cast.outsider, target=FollowTarget(person=cast.customer))
    happens(cast.customer, "Billet annuel", actor_id=cast.outsider.pk)
    happens(cast.friend, "Personne ne suit Hugo")

    sent = customer_activity_relay(now=timezone.now() + LATER)
    happens(cast.customer, "Second achat")
    again = customer_activity_relay(now=timezone.now() + LATER)
    nothing = customer_activity_relay(now=timezone.now() + LATER)

    # The outsider did the first one themselves: they hear only of the second.
    assert (sent, again, nothing) == (1, 2, 0)
    rows = Notification.objects.filter(kind="customer_activity").order_by("recipient_id")
    assert [(n.recipient_id, n.thread, n.event_count, n.person_id) for n in rows] == sorted(
        [
            (cast.colleague.pk, f"person:{cast.customer.pk}", 2, cast.customer.pk),
            (cast.outsider.pk, f"person:{cast.customer.pk}", 1, cast.customer.pk),
        ]
    )
    assert all("Second achat" in n.summary for n in rows)
    newest = Activity.objects.exclude(verb=RELAY_VERB).order_by("-id").first()
    assert newest is not None
    assert relay_mark() == newest.pk
    assert Activity.objects.filter(verb=RELAY_VERB).count() == 2  # none for the idle run


def test_entries_too_young_wait_for_the_next_run(cast: Cast) -> None:
    follow_create(actor=cast.colleague, target=FollowTarget(person=cast.customer))
    happens(cast.customer, "Tout juste")

    assert customer_activity_relay(now=timezone.now()) == 0
    assert not Notification.objects.exists()
    assert customer_activity_relay(now=timezone.now() + LATER) == 1


def test_followers_who_may_not_see_people_hear_nothing(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    follow_create(actor=cast.colleague, target=FollowTarget(person=cast.customer))
    monkeypatch.setitem(
        roles.CAPABILITIES, Role.EMPLOYEE, frozenset({roles.Capability.COLLABORATE})
    )
    happens(cast.customer, "Achat")

    assert customer_activity_relay(now=timezone.now() + LATER) == 0
    assert not Notification.objects.exists()
    assert customer_activity_for(user=cast.colleague) == []


def test_the_feed_shows_followed_customers_recent_activity(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    follow_create(actor=cast.agent, target=FollowTarget(person=cast.customer))
    purchase = happens(cast.customer, "Billet annuel")
    happens(cast.friend, "Pas suivi")

    activities = customer_activity_for(user=cast.agent)
    page = signed_in_client(cast.agent).get("/collab/feed/").content.decode()

    assert purchase in activities
    assert {activity.person_id for activity in activities} == {cast.customer.pk}
    assert 'data-testid="customer-activity"' in page
    assert "Billet annuel" in page
    assert "Pas suivi" not in page


def test_the_relay_is_a_periodic_job() -> None:
    import socius.collab.customer_activity  # noqa: F401

    assert "collab.customer_activity_relay" in {job.name for job in registered_periodic_jobs()}
