"""Writes of the social network: spaces, members, posts, comments; each one an Activity."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import User
from socius.collab.models import Comment, Membership, Post, Space
from socius.collab.selectors import membership_of
from socius.core.errors import Forbidden, InvalidInput
from socius.core.services import ActivityDraft, ActivityObject, activity_append
from socius.core.verbs import register_verbs

MAX_BODY = 20_000

register_verbs(
    {
        "collab.space_created": _("Space created"),
        "collab.member_added": _("Member added to a space"),
        "collab.post_created": _("Post published"),
        "collab.comment_created": _("Comment written"),
    }
)


class NotASpaceMember(Forbidden):
    code = "not_a_space_member"
    default_message = _("Only members of this space may do that.")


class NotASpaceOwner(Forbidden):
    code = "not_a_space_owner"
    default_message = _("Only the owners of this space may do that.")


class SpaceArchived(Forbidden):
    code = "space_archived"
    default_message = _("This space is archived: it can be read, not changed.")


def _append(actor: User, verb: str, about: object, space: Space, summary: str = "") -> None:
    activity_append(
        ActivityDraft(
            verb=verb,
            actor_id=actor.pk,
            department_id=actor.department_id,  # adoption is measured per department
            about=ActivityObject.of(about),
            summary=summary[:200],
            payload={"space": space.pk},
        )
    )


def _unique_slug(name: str) -> str:
    base = slugify(name)[:120] or "space"
    slug, number = base, 2
    while Space.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def space_create(
    *, actor: User, name: str, visibility: str, description: str = "", goal: str = ""
) -> Space:
    """Create a space; its creator is its first owner."""
    name = name.strip()
    if not name or len(name) > 120:
        raise InvalidInput(details={"field": "name", "max_length": 120})
    if visibility not in Space.Visibility.values:
        raise InvalidInput(details={"field": "visibility", "allowed": Space.Visibility.values})
    space = Space.objects.create(
        name=name,
        slug=_unique_slug(name),
        visibility=visibility,
        description=description,
        goal=goal[:300],
        created_by=actor,
    )
    Membership.objects.create(space=space, user=actor, role=Membership.Role.OWNER)
    if visibility != Space.Visibility.SECRET:  # a secret space leaves no public trace
        _append(actor, "collab.space_created", space, space, summary=name)
    return space


@transaction.atomic
def space_member_add(*, actor: User, space: Space, user: User) -> Membership:
    """An owner adds a colleague; anyone may join a public space themselves."""
    _writable(space)
    joining_public = user.pk == actor.pk and space.visibility == Space.Visibility.PUBLIC
    own = membership_of(user=actor, space=space)
    if not joining_public and (own is None or own.role != Membership.Role.OWNER):
        raise NotASpaceOwner(details={"space": space.pk})
    if not user.is_active:
        raise InvalidInput(details={"field": "user", "reason": "inactive"})
    try:
        with transaction.atomic():
            membership = Membership.objects.create(space=space, user=user)
    except IntegrityError:  # already a member: adding twice changes nothing
        return Membership.objects.get(space=space, user=user)
    _append(actor, "collab.member_added", membership, space)
    return membership


def _writable(space: Space) -> None:
    if space.archived_at is not None:
        raise SpaceArchived(details={"space": space.pk})


def _body(text: str) -> str:
    body = (text or "").strip()
    if not body or len(body) > MAX_BODY:
        raise InvalidInput(details={"field": "body", "min_length": 1, "max_length": MAX_BODY})
    return body


@transaction.atomic
def post_create(*, actor: User, space: Space, body: str) -> Post:
    """Members post; the Markdown is kept as written and sanitized when rendered."""
    _writable(space)
    if membership_of(user=actor, space=space) is None:
        raise NotASpaceMember(details={"space": space.pk})
    post = Post.objects.create(space=space, author=actor, body=_body(body))
    _append(actor, "collab.post_created", post, space)
    return post


@transaction.atomic
def comment_create(*, actor: User, post: Post, body: str, parent: Comment | None = None) -> Comment:
    """Whoever may read the post comments on it; a reply answers a comment, not a reply."""
    _writable(post.space)
    if (
        post.space.visibility != Space.Visibility.PUBLIC
        and membership_of(user=actor, space=post.space) is None
    ):
        raise NotASpaceMember(details={"space": post.space_id})
    if parent is not None:
        if parent.post_id != post.pk:
            raise InvalidInput(details={"field": "parent", "reason": "another_post"})
        if parent.parent_id is not None:
            raise InvalidInput(details={"field": "parent", "reason": "replies_take_no_replies"})
    comment = Comment.objects.create(post=post, author=actor, parent=parent, body=_body(body))
    _append(actor, "collab.comment_created", comment, post.space)
    return comment
