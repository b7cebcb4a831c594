from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

from socius.conftest import Cast, signed_in_client
from socius.core.errors import Forbidden
from socius.core.models import Activity, Visibility
from socius.people.models import PersonComment, PersonPost
from socius.people.services.discussion import (
    DiscussionBodyEmpty,
    DiscussionBodyTooLong,
    person_comment_create,
    person_post_create,
)
from socius.portal.access import SESSION_KEY

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
SECRET_NOTE = "Très fâchée après le retard du 12 mai — geste commercial à prévoir"
SECRET_REPLY = "Remboursement partiel validé par la direction"


def test_an_employee_posts_about_a_person_and_the_timeline_keeps_it_internal(
    cast: Cast,
) -> None:
    post = person_post_create(person=cast.customer, author=cast.agent, body="  **Calls** a lot  ")

    assert (post.person_id, post.author_id, post.body) == (
        cast.customer.pk,
        cast.agent.pk,
        "**Calls** a lot",
    )
    activity = Activity.objects.get(verb="person.post_created")
    assert (activity.person_id, activity.actor_id, activity.department_id) == (
        cast.customer.pk,
        cast.agent.pk,
        cast.agent.department_id,
    )
    assert activity.visibility == Visibility.INTERNAL
    assert activity.payload == {"post_id": post.pk}


def test_a_colleague_from_another_department_comments_one_level_deep(cast: Cast) -> None:
    post = person_post_create(person=cast.customer, author=cast.agent, body="Who knows her?")

    comment = person_comment_create(post=post, author=cast.outsider, body="She came to the park")

    assert (comment.post_id, comment.author_id, comment.body) == (
        post.pk,
        cast.outsider.pk,
        "She came to the park",
    )
    activity = Activity.objects.get(verb="person.comment_created")
    assert (activity.person_id, activity.department_id, activity.visibility) == (
        cast.customer.pk,
        cast.outsider.department_id,
        Visibility.INTERNAL,
    )
    assert activity.payload == {"post_id": post.pk, "comment_id": comment.pk}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", DiscussionBodyEmpty),
        ("   \n ", DiscussionBodyEmpty),
        ("x" * 10_001, DiscussionBodyTooLong),
    ],
)
def test_it_refuses_an_empty_or_too_long_body_and_writes_nothing(
    cast: Cast, body: str, error: type[Exception]
) -> None:
    post = person_post_create(person=cast.customer, author=cast.agent, body="First")
    entries = Activity.objects.count()

    with pytest.raises(error):
        person_post_create(person=cast.customer, author=cast.agent, body=body)
    with pytest.raises(error):
        person_comment_create(post=post, author=cast.agent, body=body)

    assert PersonPost.objects.count() == 1
    assert PersonComment.objects.count() == 0
    assert Activity.objects.count() == entries


def test_a_body_of_exactly_ten_thousand_characters_is_accepted(cast: Cast) -> None:
    post = person_post_create(person=cast.customer, author=cast.agent, body="y" * 10_000)

    assert len(post.body) == 10_000


def test_a_deactivated_employee_cannot_post(cast: Cast) -> None:
    cast.colleague.is_active = False

    with pytest.raises(Forbidden):
        person_post_create(person=cast.customer, author=cast.colleague, body="Hello")

    assert PersonPost.objects.count() == 0


def test_the_page_posts_a_note_without_reloading(cast: Cast) -> None:
    client = signed_in_client(cast.colleague)

    response = client.post(
        f"/people/{cast.customer.pk}/posts",
        {"body": "**VIP** <script>alert(1)</script>"},
        **HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div id="discussion">')
    assert "<strong>VIP</strong>" in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert PersonPost.objects.get().author_id == cast.colleague.pk


def test_posting_without_javascript_comes_back_to_the_discussion(cast: Cast) -> None:
    response = signed_in_client(cast.agent).post(
        f"/people/{cast.customer.pk}/posts", {"body": "Plain form"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/people/{cast.customer.pk}/#discussion"
    assert PersonPost.objects.get().body == "Plain form"


def test_an_empty_note_shows_an_error_and_keeps_the_page(cast: Cast) -> None:
    client = signed_in_client(cast.agent)

    with_htmx = client.post(f"/people/{cast.customer.pk}/posts", {"body": "  "}, **HTMX)
    without = client.post(f"/people/{cast.customer.pk}/posts", {"body": ""})

    assert with_htmx.status_code == 200
    assert 'class="field__error"' in with_htmx.content.decode()
    assert without.status_code == 422
    assert 'class="field__error"' in without.content.decode()
    assert PersonPost.objects.count() == 0


def test_a_too_long_note_keeps_what_was_typed(cast: Cast) -> None:
    body = "z" * 10_001

    response = signed_in_client(cast.agent).post(
        f"/people/{cast.customer.pk}/posts", {"body": body}
    )

    assert response.status_code == 422
    assert body in response.content.decode()
    assert PersonPost.objects.count() == 0


def test_a_reply_swaps_only_its_post(cast: Cast) -> None:
    post = person_post_create(person=cast.customer, author=cast.agent, body="Question")
    client = signed_in_client(cast.outsider)

    response = client.post(
        f"/people/{cast.customer.pk}/posts/{post.pk}/comments", {"body": "_Answer_"}, **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith(f'<li class="post" id="post-{post.pk}"')
    assert "<em>Answer</em>" in html
    assert PersonComment.objects.get().author_id == cast.outsider.pk


def test_an_empty_reply_is_refused_and_keeps_the_others(cast: Cast) -> None:
    post = person_post_create(person=cast.customer, author=cast.agent, body="Question")

    with_htmx = signed_in_client(cast.agent).post(
        f"/people/{cast.customer.pk}/posts/{post.pk}/comments", {"body": ""}, **HTMX
    )
    without = signed_in_client(cast.agent).post(
        f"/people/{cast.customer.pk}/posts/{post.pk}/comments", {"body": ""}
    )

    assert with_htmx.status_code == 200
    assert f'id="comment-error-{post.pk}"' in with_htmx.content.decode()
    assert without.status_code == 422
    assert PersonComment.objects.count() == 0


def test_a_reply_through_another_persons_page_is_not_found(cast: Cast) -> None:
    post = person_post_create(person=cast.customer, author=cast.agent, body="About Claire")

    response = signed_in_client(cast.agent).post(
        f"/people/{cast.friend.pk}/posts/{post.pk}/comments", {"body": "Sneaky"}
    )

    assert response.status_code == 404
    assert PersonComment.objects.count() == 0


def test_the_discussion_shows_on_the_person_page_for_every_department(cast: Cast) -> None:
    post = person_post_create(person=cast.customer, author=cast.agent, body=SECRET_NOTE)
    person_comment_create(post=post, author=cast.colleague, body=SECRET_REPLY)

    html = signed_in_client(cast.outsider).get(f"/people/{cast.customer.pk}/").content.decode()

    assert SECRET_NOTE in html
    assert SECRET_REPLY in html


def _portal_paths() -> list[str]:
    """Every address of the customer portal that needs no argument, as the URLconf has it."""
    paths = []
    for entry in get_resolver().url_patterns:
        if not isinstance(entry, URLResolver) or entry.namespace != "portal":
            continue
        for pattern in entry.url_patterns:
            if isinstance(pattern, URLPattern) and pattern.name:
                try:
                    paths.append(reverse(f"portal:{pattern.name}"))
                except NoReverseMatch:  # needs an argument (a link secret, an id)
                    continue
    return paths


def test_the_customer_never_sees_the_internal_discussion_anywhere(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        post = person_post_create(person=cast.customer, author=cast.agent, body=SECRET_NOTE)
        person_comment_create(post=post, author=cast.colleague, body=SECRET_REPLY)
    customer = Client()
    session = customer.session
    session[SESSION_KEY] = cast.customer.pk
    session.save()
    paths = _portal_paths()

    assert {"/portal/", "/portal/my-data", "/portal/group-orders"} <= set(paths)
    seen_ok = []
    for path in paths:
        response = customer.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode(errors="replace")
        assert SECRET_NOTE not in text, path
        assert SECRET_REPLY not in text, path
        assert "geste commercial" not in text, path
        if response.status_code == 200:
            seen_ok.append(path)
    downloads = [path for path in paths if path.endswith("/export")]
    assert {"/portal/", "/portal/my-data", "/portal/group-orders", *downloads} <= set(seen_ok)
    for message in mail.outbox:  # nothing sent to anyone carries the discussion either
        assert SECRET_NOTE not in message.body
        assert SECRET_REPLY not in message.body


def test_the_timeline_shows_a_plain_text_excerpt_of_a_note(cast: Cast) -> None:
    person_post_create(
        person=cast.customer, author=cast.agent, body="**Tom & Jerry** <b>x</b>\n\n- " + "a" * 200
    )

    summary = Activity.objects.get(verb="person.post_created").summary
    assert summary.startswith("Tom & Jerry <b>x</b> aaa")
    assert len(summary) == 140
    assert summary.endswith("…")
