"""A customer's export names the colleagues who follow them; their erasure ends the follows."""

from __future__ import annotations

import pytest

from socius.collab.models import Follow, Notification
from socius.collab.services import follow_create
from socius.collab.services.follows import FollowTarget
from socius.collab.services.notifications import NotificationEvent, notify
from socius.conftest import Cast
from socius.people.services.privacy_erase import person_erase
from socius.people.services.privacy_export import person_export_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def followed(cast: Cast) -> None:
    follow_create(actor=cast.agent, target=FollowTarget(person=cast.customer))
    event = NotificationEvent(
        kind="customer_activity",
        thread=f"person:{cast.customer.pk}",
        person_id=cast.customer.pk,
        summary="Claire Dupont a acheté deux billets",
    )
    notify(recipient_ids=[cast.agent.pk], event=event)


def test_the_administrators_export_lists_who_follows_the_customer(
    cast: Cast, followed: None
) -> None:
    internal = person_export_data(person=cast.customer)["contexts"]["collab_followers"]
    own = person_export_data(person=cast.customer, audience="customer")["contexts"]

    assert [row["employee"] for row in internal["followed_by"]] == [cast.agent.email]
    assert internal["notifications_about"] == 1
    assert "collab_followers" not in own  # which employees watch them is internal


def test_an_erased_customer_is_followed_by_nobody_and_quoted_nowhere(
    cast: Cast, followed: None
) -> None:
    person_erase(person=cast.customer, actor=cast.admin, reason="Demande de la cliente")

    assert not Follow.objects.filter(person=cast.customer).exists()
    assert not Notification.objects.filter(person=cast.customer).exists()
    assert Follow.objects.count() == 0
