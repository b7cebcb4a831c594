"""Internal discussion anchored on a person: colleagues of any department post and comment.

Employees only, by construction: the rows live in their own tables that no customer-facing
page reads, and the activities they append are INTERNAL.
"""

from __future__ import annotations

import html

from django.db import transaction
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import User
from socius.accounts.roles import Capability
from socius.core.errors import Forbidden, InvalidInput
from socius.core.markdown import render_markdown
from socius.core.models import Visibility
from socius.core.services import ActivityDraft, ActivityObject, activity_append
from socius.core.verbs import register_verbs
from socius.people.errors import PersonErased, PersonMergedAway
from socius.people.models import Person, PersonComment, PersonPost

MAX_BODY_LENGTH = 10_000
SUMMARY_LENGTH = 140

register_verbs(
    {
        "person.post_created": _("Internal note"),
        "person.comment_created": _("Internal comment"),
    }
)


class DiscussionBodyEmpty(InvalidInput):
    code = "discussion_body_empty"
    default_message = _("Write something first.")


class DiscussionBodyTooLong(InvalidInput):
    code = "discussion_body_too_long"
    default_message = _("A message may not be longer than 10,000 characters.")


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise DiscussionBodyEmpty(details={"field": "body"})
    if len(body) > MAX_BODY_LENGTH:
        raise DiscussionBodyTooLong(details={"field": "body", "max_length": MAX_BODY_LENGTH})
    return body


def _check_may_discuss(author: User, person: Person) -> None:
    if not author.can(Capability.VIEW_PEOPLE):
        raise Forbidden()
    if person.merged_into_id is not None:
        raise PersonMergedAway(survivor_id=person.merged_into_id)
    if person.erased_at is not None:
        raise PersonErased(details={"person_id": person.pk})


def _excerpt(body: str) -> str:
    # The timeline shows plain text: the Markdown is rendered, then its tags dropped.
    line = " ".join(html.unescape(strip_tags(render_markdown(body))).split())
    return line if len(line) <= SUMMARY_LENGTH else line[: SUMMARY_LENGTH - 1] + "…"


@transaction.atomic
def person_post_create(*, person: Person, author: User, body: str) -> PersonPost:
    _check_may_discuss(author, person)
    post = PersonPost.objects.create(person=person, author=author, body=_clean_body(body))
    activity_append(
        ActivityDraft(
            verb="person.post_created",
            actor_id=author.pk,
            person_id=person.pk,
            department_id=author.department_id,
            about=ActivityObject.of(post),
            visibility=Visibility.INTERNAL,
            summary=_excerpt(post.body),
            payload={"post_id": post.pk},
        )
    )
    return post


@transaction.atomic
def person_comment_create(*, post: PersonPost, author: User, body: str) -> PersonComment:
    """A reply to a post; comments are one level deep (a comment has no replies)."""
    person = Person.objects.get(pk=post.person_id)
    _check_may_discuss(author, person)
    comment = PersonComment.objects.create(post=post, author=author, body=_clean_body(body))
    activity_append(
        ActivityDraft(
            verb="person.comment_created",
            actor_id=author.pk,
            person_id=person.pk,
            department_id=author.department_id,
            about=ActivityObject.of(comment),
            visibility=Visibility.INTERNAL,
            summary=_excerpt(comment.body),
            payload={"post_id": post.pk, "comment_id": comment.pk},
        )
    )
    return comment
