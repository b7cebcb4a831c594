from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from socius.accounts.models import LoginFailure
from socius.conftest import PASSWORD, Cast

SIGN_IN = "/accounts/sign-in"


def sign_in(client: Client, email: str, password: str) -> object:
    return client.post(SIGN_IN, {"username": email, "password": password})


def test_it_signs_in_with_email_and_password_and_rotates_the_session(cast: Cast) -> None:
    client = Client()
    client.get(SIGN_IN)
    client.session.save()
    before = client.session.session_key

    response = sign_in(client, "Alice.Martin@example.com", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session.session_key != before
    assert int(client.session["_auth_user_id"]) == cast.agent.pk


def test_it_shows_the_same_refusal_for_a_wrong_password_and_an_unknown_account(cast: Cast) -> None:
    wrong_password = sign_in(Client(), "alice.martin@example.com", "not the password")
    unknown_account = sign_in(Client(), "nobody@example.com", "not the password")

    assert wrong_password.status_code == unknown_account.status_code == 200
    errors = wrong_password.context["form"].errors.as_data()["__all__"]
    assert [error.code for error in errors] == ["invalid_login"]
    assert wrong_password.context["form"].errors == unknown_account.context["form"].errors


def test_it_refuses_even_the_right_password_after_repeated_failures(cast: Cast) -> None:
    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "alice.martin@example.com", "guess")

    response = sign_in(client, "alice.martin@example.com", PASSWORD)

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.count() == settings.LOGIN_FAILURE_LIMIT


def test_it_throttles_unknown_accounts_exactly_like_known_ones(cast: Cast) -> None:
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(Client(), "nobody@example.com", "guess")

    response = sign_in(Client(), "nobody@example.com", "guess")

    assert response.status_code == 429


def test_it_lets_the_account_in_again_once_the_window_has_passed(cast: Cast) -> None:
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(settings.LOGIN_FAILURE_LIMIT):
            sign_in(Client(), "alice.martin@example.com", "guess")
    later = start + dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        response = sign_in(Client(), "alice.martin@example.com", PASSWORD)

    assert response.status_code == 302
    assert LoginFailure.objects.count() == 0


def test_it_throttles_an_address_that_guesses_many_accounts(cast: Cast) -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")
    for number in range(settings.LOGIN_FAILURE_LIMIT * 4):
        client.post(SIGN_IN, {"username": f"guess{number}@example.com", "password": "x"})

    response = client.post(SIGN_IN, {"username": "alice.martin@example.com", "password": PASSWORD})
    other_address = Client(REMOTE_ADDR="198.51.100.7").post(
        SIGN_IN, {"username": "alice.martin@example.com", "password": PASSWORD}
    )

    assert response.status_code == 429
    assert other_address.status_code == 302


def test_sign_out_needs_a_post_and_ends_the_session_on_the_server(cast: Cast) -> None:
    client = Client()
    sign_in(client, "alice.martin@example.com", PASSWORD)
    old_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    assert client.get("/accounts/sign-out").status_code == 405
    client.post("/accounts/sign-out")
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    response = replay.get("/")

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")


def test_a_deactivated_employee_cannot_sign_in(cast: Cast) -> None:
    cast.agent.is_active = False
    cast.agent.save(update_fields=["is_active"])

    response = sign_in(Client(), "alice.martin@example.com", PASSWORD)

    assert response.status_code == 200
    assert "_auth_user_id" not in Client().session


@pytest.mark.django_db
def test_the_home_page_sends_anonymous_visitors_to_sign_in() -> None:
    response = Client().get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/sign-in"
