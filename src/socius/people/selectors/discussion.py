"""Reads of the internal discussion about a person (employees only)."""

from __future__ import annotations

from django.db.models import Prefetch

from socius.core.errors import NotFound
from socius.people.models import Person, PersonComment, PersonPost

DISCUSSION_LIMIT = 20


def person_discussion(person: Person, *, limit: int = DISCUSSION_LIMIT) -> list[PersonPost]:
    """The latest posts about the person, newest first, each with its comments in order."""
    comments = PersonComment.objects.select_related("author__department").order_by(
        "created_at", "id"
    )
    return list(
        PersonPost.objects.filter(person_id=person.pk)
        .select_related("author__department")
        .prefetch_related(Prefetch("comments", queryset=comments))
        .order_by("-created_at", "-id")[:limit]
    )


def person_post_get(*, person: Person, post_id: int) -> PersonPost:
    """A post of this person's discussion; another person's post is not found."""
    post = PersonPost.objects.filter(pk=post_id, person_id=person.pk).first()
    if post is None:
        raise NotFound()
    return post


def person_post_with_comments(post: PersonPost) -> PersonPost:
    comments = PersonComment.objects.select_related("author__department").order_by(
        "created_at", "id"
    )
    return (
        PersonPost.objects.select_related("author__department")
        .prefetch_related(Prefetch("comments", queryset=comments))
        .get(pk=post.pk)
    )
