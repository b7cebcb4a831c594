"""Reactions on posts and comments: one of each kind per colleague, toggled."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import User
from socius.collab.models import Comment, Post, Reaction
from socius.collab.selectors_posts import post_readers_among
from socius.collab.services.common import append_activity
from socius.collab.services.notifications import NotificationEvent, notify
from socius.collab.services.posts import ensure_may_take_part
from socius.core.errors import InvalidInput
from socius.core.verbs import register_verbs

register_verbs(
    {
        "collab.reaction_added": _("Reaction added"),
        "collab.reaction_removed": _("Reaction removed"),
    }
)


def _check(*, actor: User, post: Post, kind: str, comment: Comment | None) -> None:
    ensure_may_take_part(actor=actor, post=post)
    if kind not in Reaction.Kind.values:
        raise InvalidInput(details={"field": "kind", "allowed": Reaction.Kind.values})
    if comment is not None and comment.post_id != post.pk:
        raise InvalidInput(details={"field": "comment", "reason": "another_post"})


@transaction.atomic
def reaction_add(*, actor: User, post: Post, kind: str, comment: Comment | None = None) -> bool:
    """React; reacting twice the same way changes nothing. True if a reaction was added."""
    _check(actor=actor, post=post, kind=kind, comment=comment)
    try:
        with transaction.atomic():
            Reaction.objects.create(post=post, comment=comment, user=actor, kind=kind)
    except IntegrityError:  # the unique constraint, not a prior read, decides
        return False
    if comment is None:
        Post.objects.filter(pk=post.pk).update(reaction_count=F("reaction_count") + 1)
    author_id = comment.author_id if comment is not None else post.author_id
    append_activity(
        actor,
        "collab.reaction_added",
        comment or post,
        post.space,
        summary=kind,
        to_user_id=author_id,
        post_id=post.pk,
    )
    if author_id is not None:
        # One unread notification per post, however many reactions arrive on it.
        notify(
            recipient_ids=post_readers_among(post=post, user_ids=[author_id]),
            event=NotificationEvent(
                kind="reaction",
                thread=f"post:{post.pk}",
                actor=actor,
                post=post,
                comment=comment,
                space=post.space,
                summary=(comment.body if comment is not None else post.body)[:200],
            ),
        )
    return True


@transaction.atomic
def reaction_remove(*, actor: User, post: Post, kind: str, comment: Comment | None = None) -> bool:
    """Take a reaction back. True if there was one."""
    _check(actor=actor, post=post, kind=kind, comment=comment)
    removed, _detail = Reaction.objects.filter(
        post=post, comment=comment, user=actor, kind=kind
    ).delete()
    if not removed:
        return False
    if comment is None:
        Post.objects.filter(pk=post.pk, reaction_count__gt=0).update(
            reaction_count=F("reaction_count") - 1
        )
    append_activity(actor, "collab.reaction_removed", comment or post, post.space, summary=kind)
    return True


def reaction_toggle(*, actor: User, post: Post, kind: str, comment: Comment | None = None) -> bool:
    """React, or take the reaction back when it is there. True if the user now reacts."""
    if reaction_remove(actor=actor, post=post, kind=kind, comment=comment):
        return False
    reaction_add(actor=actor, post=post, kind=kind, comment=comment)
    return True
