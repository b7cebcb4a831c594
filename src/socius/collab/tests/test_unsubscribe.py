"""One-click unsubscribe links and the email preferences page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from socius.collab.models import Notification, NotificationPreference
from socius.collab.notifications.unsubscribe import unsubscribe_token
from socius.collab.services.notifications import notify
from socius.collab.tests.notifying import event_on, post_in, space_with
from socius.conftest import Cast, signed_in_client
from socius.core.models import Activity

pytestmark = pytest.mark.django_db


def url_for(token: str) -> str:
    return reverse("collab:notification-unsubscribe", args=[token])


def test_opening_the_link_only_asks_for_confirmation(cast: Cast) -> None:
    token = unsubscribe_token(user_id=cast.agent.pk, kinds=["comment"])

    response = Client().get(url_for(token))

    assert response.status_code == 200
    assert 'data-done="0"' in response.content.decode()
    assert 'data-testid="unsubscribe-confirm"' in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_the_confirmation_button_unsubscribes_without_signing_in(cast: Cast) -> None:
    post = post_in(space_with(cast.agent), cast.agent)
    notify(recipient_ids=[cast.agent.pk], event=event_on(post, "comment", cast.colleague))
    token = unsubscribe_token(user_id=cast.agent.pk, kinds=["comment", "announcement"])

    response = Client(enforce_csrf_checks=True).post(url_for(token))

    assert response.status_code == 200
    assert 'data-done="1"' in response.content.decode()
    assert dict(NotificationPreference.objects.values_list("kind", "email")) == {
        "comment": "off",
        "announcement": "off",
    }
    assert Notification.objects.get().email_pending is False  # the waiting email is dropped
    unsubscribed = Activity.objects.get(verb="collab.notification_unsubscribed")
    assert unsubscribed.actor == cast.agent


def test_a_tampered_or_foreign_token_changes_nothing(cast: Cast) -> None:
    token = unsubscribe_token(user_id=cast.agent.pk, kinds=["comment"])
    forged = token.replace(token[-6:], "AAAAAA")
    client = Client()

    for bad in (forged, "nonsense", unsubscribe_token(user_id=999_999, kinds=["comment"])):
        assert client.post(url_for(bad)).status_code == 404
    assert client.get(url_for(forged)).status_code == 404
    assert not NotificationPreference.objects.exists()


def test_the_preferences_page_has_a_form_per_kind_and_saves_one(cast: Cast) -> None:
    client = signed_in_client(cast.agent)
    url = reverse("collab:notification-preferences")

    page = client.get(url).content.decode()
    assert page.count('data-testid="preference-') == len(Notification.Kind.values)

    response = client.post(url, {"kind": "reaction", "email": "daily"})

    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=cast.agent).email == "daily"
    assert Activity.objects.filter(verb="collab.notification_preference_set").count() == 1


def test_a_wrong_choice_is_refused_on_the_page_and_nothing_changes(cast: Cast) -> None:
    client = signed_in_client(cast.agent)

    response = client.post(
        reverse("collab:notification-preferences"), {"kind": "reaction", "email": "weekly"}
    )

    assert response.status_code == 422
    assert 'data-testid="preference-errors"' in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_the_preferences_form_needs_a_csrf_token(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.agent)

    response = client.post(
        reverse("collab:notification-preferences"), {"kind": "reaction", "email": "daily"}
    )

    assert response.status_code == 403
    assert not NotificationPreference.objects.exists()


def test_preferences_page_query_count_does_not_grow(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    client = signed_in_client(cast.agent)
    client.post(reverse("collab:notification-preferences"), {"kind": "reaction", "email": "daily"})

    with django_assert_num_queries(3):  # session, user, the stored choices
        client.get(reverse("collab:notification-preferences"))
