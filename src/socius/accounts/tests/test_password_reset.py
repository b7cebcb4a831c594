from __future__ import annotations

import re

from django.core import mail
from django.test import Client

from socius.conftest import Cast


def test_it_emails_a_reset_link_built_from_the_site_address(cast: Cast) -> None:
    response = Client().post("/accounts/password/reset", {"email": "alice.martin@example.com"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+", mail.outbox[0].body)
    assert link is not None
    assert link.group(0).startswith("http://127.0.0.1:8000/accounts/password/reset/")


def test_it_answers_the_same_for_an_unknown_address_and_sends_nothing(cast: Cast) -> None:
    response = Client().post("/accounts/password/reset", {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert mail.outbox == []


def test_a_forged_host_header_is_refused(cast: Cast) -> None:
    response = Client().post(
        "/accounts/password/reset", {"email": "alice.martin@example.com"}, HTTP_HOST="evil.example"
    )

    assert response.status_code == 400
    assert mail.outbox == []


def test_the_reset_link_sets_a_new_password_once(cast: Cast) -> None:
    Client().post("/accounts/password/reset", {"email": "alice.martin@example.com"})
    path = re.search(r"http://127.0.0.1:8000(\S+)", mail.outbox[0].body).group(1)  # type: ignore[union-attr]
    client = Client()
    form_page = client.get(path, follow=True)
    new_password = "another long passphrase 42"

    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    reused = Client().get(path, follow=True)

    assert done.status_code == 302
    cast.agent.refresh_from_db()
    assert cast.agent.check_password(new_password) is True
    assert reused.context["validlink"] is False


def test_it_refuses_a_short_new_password(cast: Cast) -> None:
    Client().post("/accounts/password/reset", {"email": "alice.martin@example.com"})
    path = re.search(r"http://127.0.0.1:8000(\S+)", mail.outbox[0].body).group(1)  # type: ignore[union-attr]
    client = Client()
    form_page = client.get(path, follow=True)

    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "short1", "new_password2": "short1"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    cast.agent.refresh_from_db()
    assert cast.agent.check_password("short1") is False
