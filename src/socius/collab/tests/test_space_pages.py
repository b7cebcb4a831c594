"""Spaces in the browser's pages: create, join, post, comment, and what non-members get."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from socius.collab.models import Comment, Membership, Post, Space
from socius.collab.services import (
    comment_create,
    post_create,
    reaction_add,
    space_create,
    space_member_add,
)
from socius.conftest import Cast, signed_in_client

pytestmark = pytest.mark.django_db

# session and user (2), the space, the reader's membership, pinned and other posts (2), their
# topics and mentions (2), the member count: whatever the posts, comments and reactions
SPACE_PAGE_QUERIES = 9


def test_an_employee_creates_a_space_posts_and_a_colleague_joins_and_comments(cast: Cast) -> None:
    alice, bruno = signed_in_client(cast.agent), signed_in_client(cast.colleague)

    created = alice.post(
        reverse("collab:space-list"), {"name": "Saison de Noël", "visibility": "public"}
    )
    space = Space.objects.get(department__isnull=True)  # beside the departments' spaces
    assert created.status_code == 302
    alice.post(reverse("collab:space-detail", args=[space.pk]), {"body": "Le **planning** arrive"})
    post = Post.objects.get()
    bruno.post(reverse("collab:space-join", args=[space.pk]))
    bruno.post(reverse("collab:post-detail", args=[post.pk]), {"body": "Super"})
    comment = Comment.objects.get()
    alice.post(
        reverse("collab:post-detail", args=[post.pk]), {"body": "Merci", "parent": comment.pk}
    )

    page = bruno.get(reverse("collab:post-detail", args=[post.pk])).content.decode()
    assert "<strong>planning</strong>" in page
    assert Membership.objects.filter(space=space, user=cast.colleague).exists()
    assert Comment.objects.get(parent=comment).body == "Merci"
    listing = bruno.get(reverse("collab:space-list")).content.decode()
    assert "Saison de Noël" in listing


def test_a_non_member_sees_no_post_of_a_private_space_and_no_secret_space(cast: Cast) -> None:
    private = space_create(actor=cast.agent, name="RH confidentiel", visibility="private")
    secret = space_create(actor=cast.agent, name="Projet X", visibility="secret")
    hidden = post_create(actor=cast.agent, space=private, body="Salaires 2027")
    bruno = signed_in_client(cast.colleague)

    listing = bruno.get(reverse("collab:space-list")).content.decode()
    private_page = bruno.get(reverse("collab:space-detail", args=[private.pk]))
    secret_page = bruno.get(reverse("collab:space-detail", args=[secret.pk]))
    post_page = bruno.get(reverse("collab:post-detail", args=[hidden.pk]))
    commented = bruno.post(reverse("collab:post-detail", args=[hidden.pk]), {"body": "?"})

    assert "RH confidentiel" in listing
    assert "Projet X" not in listing
    assert private_page.status_code == 200
    assert "Salaires" not in private_page.content.decode()
    assert (secret_page.status_code, post_page.status_code, commented.status_code) == (
        404,
        404,
        404,
    )
    assert not Comment.objects.exists()


def test_the_forms_need_a_csrf_token(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.agent)

    response = client.post(reverse("collab:space-list"), {"name": "X", "visibility": "public"})

    assert response.status_code == 403
    assert not Space.objects.filter(department__isnull=True).exists()


def test_an_empty_post_is_refused_on_the_page(cast: Cast) -> None:
    space = space_create(actor=cast.agent, name="Accueil", visibility="public")
    alice = signed_in_client(cast.agent)

    response = alice.post(reverse("collab:space-detail", args=[space.pk]), {"body": "   "})

    assert response.status_code == 200
    assert not Post.objects.exists()


def test_the_space_page_costs_the_same_queries_whatever_its_posts_carry(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    space = space_create(actor=cast.agent, name="Accueil", visibility="public")
    space_member_add(actor=cast.agent, space=space, user=cast.colleague)
    alice = signed_in_client(cast.agent)
    url = reverse("collab:space-detail", args=[space.pk])

    def grow(count: int) -> None:
        for number in range(count):
            post = post_create(
                actor=cast.agent, space=space, body=f"@bruno.petit #planning message {number}"
            )
            comment_create(actor=cast.colleague, post=post, body="Vu")
            reaction_add(actor=cast.colleague, post=post, kind="like")

    grow(2)
    alice.get(url)
    with django_assert_num_queries(SPACE_PAGE_QUERIES):
        alice.get(url)
    grow(12)
    with django_assert_num_queries(SPACE_PAGE_QUERIES):
        page = alice.get(url)

    assert page.content.decode().count('data-testid="post-item"') == 14
