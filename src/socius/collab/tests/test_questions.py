"""Questions: who asked (or a space owner) accepts one comment as the answer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from socius.collab.models import Notification, Post
from socius.collab.services import comment_create, post_create, space_create, space_member_add
from socius.conftest import Cast, signed_in_client
from socius.core.models import Activity

from .test_spaces_api import client_of

pytestmark = pytest.mark.django_db


def post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(
        f"/api/v1/collab{url}", json.dumps(data or {}), content_type="application/json"
    )


@pytest.fixture
def question(cast: Cast) -> Post:
    space = space_create(actor=cast.agent, name="Entraide", visibility="public")
    space_member_add(actor=cast.colleague, space=space, user=cast.colleague)
    asked = post(
        client_of(cast.colleague),
        f"/spaces/{space.pk}/posts",
        {"body": "Comment réserver une salle ?", "kind": "question"},
    )
    assert (asked.status_code, asked.json()["kind"]) == (201, "question")
    return Post.objects.get(pk=asked.json()["id"])


def test_the_asker_accepts_an_answer_and_its_author_is_told(cast: Cast, question: Post) -> None:
    first = comment_create(actor=cast.outsider, post=question, body="Par l'intranet")
    second = comment_create(actor=cast.agent, post=question, body="Par l'accueil")
    Notification.objects.all().delete()

    accepted = post(
        client_of(cast.colleague), f"/posts/{question.pk}/answer", {"comment": second.pk}
    )

    assert (accepted.status_code, accepted.json()["accepted_comment_id"]) == (200, second.pk)
    notice = Notification.objects.get()
    assert (notice.recipient, notice.kind, notice.comment) == (
        cast.agent,
        "answer_accepted",
        second,
    )
    page = signed_in_client(cast.outsider).get(reverse("collab:post-detail", args=[question.pk]))
    html = page.content.decode()
    assert 'data-testid="accepted-answer"' in html
    assert html.index(f'data-comment="{second.pk}"') < html.index(f'data-comment="{first.pk}"')
    assert Activity.objects.filter(verb="collab.answer_accepted").count() == 1


def test_a_space_owner_may_accept_and_withdraw(cast: Cast, question: Post) -> None:
    answer = comment_create(actor=cast.outsider, post=question, body="Par l'intranet")
    alice = client_of(cast.agent)

    post(alice, f"/posts/{question.pk}/answer", {"comment": answer.pk})
    withdrawn = alice.delete(f"/api/v1/collab/posts/{question.pk}/answer")

    assert withdrawn.status_code == 200
    assert withdrawn.json()["accepted_comment_id"] is None


def test_anyone_else_is_refused_and_nothing_changes(cast: Cast, question: Post) -> None:
    answer = comment_create(actor=cast.outsider, post=question, body="Moi !")

    refused = post(client_of(cast.outsider), f"/posts/{question.pk}/answer", {"comment": answer.pk})
    page = signed_in_client(cast.outsider).post(
        reverse("collab:post-answer", args=[question.pk]), {"comment": answer.pk}
    )

    assert (refused.status_code, refused.json()["code"]) == (403, "not_the_asker_or_an_owner")
    assert page.status_code == 302
    question.refresh_from_db()
    assert question.accepted_comment is None
    assert not Notification.objects.filter(kind="answer_accepted").exists()


def test_only_a_question_takes_an_answer(cast: Cast) -> None:
    space = space_create(actor=cast.agent, name="Saison", visibility="public")
    plain = post_create(actor=cast.agent, space=space, body="Une info")
    comment = comment_create(actor=cast.colleague, post=plain, body="Merci")

    refused = post(client_of(cast.agent), f"/posts/{plain.pk}/answer", {"comment": comment.pk})

    assert (refused.status_code, refused.json()["details"]["reason"]) == (422, "not_a_question")


def test_the_asker_accepts_on_the_page(cast: Cast, question: Post) -> None:
    answer = comment_create(actor=cast.outsider, post=question, body="Par l'intranet")
    bruno = signed_in_client(cast.colleague)

    page = bruno.get(reverse("collab:post-detail", args=[question.pk])).content.decode()
    bruno.post(reverse("collab:post-answer", args=[question.pk]), {"comment": answer.pk})

    assert 'data-testid="answer-accept"' in page
    question.refresh_from_db()
    assert question.accepted_comment == answer


def test_a_mangled_answer_form_withdraws_nothing(cast: Cast, question: Post) -> None:
    answer = comment_create(actor=cast.agent, post=question, body="Par l'intranet.")
    bruno = signed_in_client(cast.colleague)
    bruno.post(reverse("collab:post-answer", args=[question.pk]), {"comment": answer.pk})

    response = bruno.post(reverse("collab:post-answer", args=[question.pk]), {"comment": "abc"})

    assert response.status_code == 404
    assert Post.objects.get(pk=question.pk).accepted_comment_id == answer.pk
