"""Posts and comments: written, edited (keeping the history), pinned, answered."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import User
from socius.collab import events
from socius.collab.models import Comment, Membership, Post, PostRevision, Space, Topic
from socius.collab.selectors import is_space_owner, membership_of, space_is_readable_by
from socius.collab.selectors_posts import post_readers_among
from socius.collab.services.common import (
    NotASpaceMember,
    NotASpaceOwner,
    append_activity,
    clean_body,
    ensure_writable,
)
from socius.collab.services.limits import ensure_may_write
from socius.collab.services.mentions import mentions_record
from socius.collab.services.notifications import NotificationEvent, notify
from socius.collab.text import TOPIC_MAX_LENGTH, references_in
from socius.core.errors import Forbidden, InvalidInput
from socius.core.guards import public_speech_check
from socius.core.verbs import register_verbs

register_verbs(
    {
        "collab.post_created": _("Post published"),
        "collab.post_edited": _("Post edited"),
        "collab.post_pinned": _("Post pinned"),
        "collab.post_unpinned": _("Post unpinned"),
        "collab.comment_created": _("Comment written"),
        "collab.comment_edited": _("Comment edited"),
        "collab.answer_accepted": _("Answer accepted"),
        "collab.answer_withdrawn": _("Accepted answer withdrawn"),
    }
)


class NotTheAuthor(Forbidden):
    code = "not_the_author"
    default_message = _("Only its author may change this text.")


class NotTheAskerOrAnOwner(Forbidden):
    code = "not_the_asker_or_an_owner"
    default_message = _("Only who asked, or an owner of the space, accepts an answer.")


def ensure_may_take_part(*, actor: User, post: Post) -> None:
    """Whoever may read the post takes part in it: anyone in a public space, else members."""
    ensure_writable(post.space)
    if not space_is_readable_by(user=actor, space=post.space):
        raise NotASpaceMember(details={"space": post.space_id})


def _topics_set(post: Post) -> None:
    topics = []
    for slug, name in references_in(post.body).topics.items():
        topic = Topic.objects.filter(slug=slug).first()
        if topic is None:
            try:
                with transaction.atomic():
                    topic = Topic.objects.create(slug=slug, name=name[:TOPIC_MAX_LENGTH])
            except IntegrityError:  # written at the same moment in another post
                topic = Topic.objects.get(slug=slug)
        topics.append(topic)
    post.topics.set(topics)


def _announce(*, actor: User, post: Post) -> None:
    members = Membership.objects.filter(space=post.space, user__is_active=True)
    notify(
        recipient_ids=members.values_list("user_id", flat=True),
        event=NotificationEvent(
            kind="announcement",
            thread=f"post:{post.pk}",
            actor=actor,
            post=post,
            space=post.space,
            summary=post.body[:200],
        ),
    )


@transaction.atomic
def post_create(*, actor: User, space: Space, body: str, kind: str = Post.Kind.POST) -> Post:
    """Members post; only the space's owners make announcements. The Markdown is kept as
    written and sanitized when rendered."""
    ensure_writable(space)
    if kind not in Post.Kind.values:
        raise InvalidInput(details={"field": "kind", "allowed": Post.Kind.values})
    membership = membership_of(user=actor, space=space)
    if membership is None:
        raise NotASpaceMember(details={"space": space.pk})
    if kind == Post.Kind.ANNOUNCEMENT and membership.role != Membership.Role.OWNER:
        raise NotASpaceOwner(details={"space": space.pk, "kind": kind})
    ensure_may_write(actor)
    if space.visibility == Space.Visibility.PUBLIC:
        public_speech_check(actor)
    post = Post.objects.create(space=space, author=actor, kind=kind, body=clean_body(body))
    _topics_set(post)
    mentions_record(actor=actor, post=post, text=post.body)
    if kind == Post.Kind.ANNOUNCEMENT:
        _announce(actor=actor, post=post)
    append_activity(actor, "collab.post_created", post, space)
    events.post_published(post)
    return post


@transaction.atomic
def post_edit(*, actor: User, post: Post, body: str) -> Post:
    """The author rewrites the post; the text it had is kept as a revision."""
    ensure_writable(post.space)
    if post.author_id != actor.pk:
        raise NotTheAuthor(details={"post": post.pk})
    body = clean_body(body)
    current = Post.objects.select_for_update().get(pk=post.pk)
    if current.body == body:
        return current
    PostRevision.objects.create(post=current, body=current.body, edited_by=actor)
    current.body, current.edited_at = body, timezone.now()
    current.save(update_fields=["body", "edited_at"])
    _topics_set(current)
    mentions_record(actor=actor, post=current, text=body)
    append_activity(actor, "collab.post_edited", current, current.space)
    return current


def _notify_comment(*, actor: User, comment: Comment) -> None:
    post = comment.post
    replied_to = comment.parent.author_id if comment.parent is not None else None

    def event(kind: str) -> NotificationEvent:
        return _comment_event(kind, actor=actor, comment=comment)

    if replied_to is not None:
        notify(
            recipient_ids=post_readers_among(post=post, user_ids=[replied_to]),
            event=event("reply"),
        )
    if post.author_id is not None and post.author_id != replied_to:
        notify(
            recipient_ids=post_readers_among(post=post, user_ids=[post.author_id]),
            event=event("comment"),
        )


@transaction.atomic
def comment_create(*, actor: User, post: Post, body: str, parent: Comment | None = None) -> Comment:
    """Whoever may read the post comments on it; a reply answers a comment, not a reply."""
    ensure_may_take_part(actor=actor, post=post)
    ensure_may_write(actor)
    if post.space.visibility == Space.Visibility.PUBLIC:
        public_speech_check(actor)
    if parent is not None:
        if parent.post_id != post.pk:
            raise InvalidInput(details={"field": "parent", "reason": "another_post"})
        if parent.parent_id is not None:
            raise InvalidInput(details={"field": "parent", "reason": "replies_take_no_replies"})
    comment = Comment.objects.create(post=post, author=actor, parent=parent, body=clean_body(body))
    Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
    mentions_record(actor=actor, post=post, comment=comment, text=comment.body)
    _notify_comment(actor=actor, comment=comment)
    append_activity(
        actor,
        "collab.comment_created",
        comment,
        post.space,
        to_user_id=parent.author_id if parent is not None else post.author_id,
        post_id=post.pk,
    )
    events.comment_published(comment)
    return comment


@transaction.atomic
def comment_edit(*, actor: User, comment: Comment, body: str) -> Comment:
    """The author rewrites a comment; it shows as edited."""
    ensure_writable(comment.post.space)
    if comment.author_id != actor.pk:
        raise NotTheAuthor(details={"comment": comment.pk})
    body = clean_body(body)
    if body == comment.body:
        return comment
    comment.body, comment.edited_at = body, timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    mentions_record(actor=actor, post=comment.post, comment=comment, text=body)
    append_activity(actor, "collab.comment_edited", comment, comment.post.space)
    return comment


@transaction.atomic
def post_pin(*, actor: User, post: Post, pinned: bool = True) -> Post:
    """The space's owners pin a post above the others, or unpin it."""
    ensure_writable(post.space)
    if not is_space_owner(user=actor, space=post.space):
        raise NotASpaceOwner(details={"space": post.space_id})
    post.pinned_at = timezone.now() if pinned else None
    Post.objects.filter(pk=post.pk).update(pinned_at=post.pinned_at)
    verb = "collab.post_pinned" if pinned else "collab.post_unpinned"
    append_activity(actor, verb, post, post.space)
    return post


@transaction.atomic
def answer_accept(*, actor: User, post: Post, comment: Comment | None) -> Post:
    """Who asked the question (or a space owner) accepts one comment as its answer;
    ``None`` withdraws the accepted answer."""
    ensure_writable(post.space)
    if post.kind != Post.Kind.QUESTION:
        raise InvalidInput(details={"field": "post", "reason": "not_a_question"})
    if post.author_id != actor.pk and not is_space_owner(user=actor, space=post.space):
        raise NotTheAskerOrAnOwner(details={"post": post.pk})
    if comment is not None and comment.post_id != post.pk:
        raise InvalidInput(details={"field": "comment", "reason": "another_post"})
    post.accepted_comment = comment
    Post.objects.filter(pk=post.pk).update(accepted_comment=comment)
    if comment is None:
        append_activity(actor, "collab.answer_withdrawn", post, post.space)
        return post
    append_activity(actor, "collab.answer_accepted", comment, post.space)
    if comment.author_id is not None:
        notify(
            recipient_ids=post_readers_among(post=post, user_ids=[comment.author_id]),
            event=_comment_event("answer_accepted", actor=actor, comment=comment),
        )
    return post


def _comment_event(kind: str, *, actor: User, comment: Comment) -> NotificationEvent:
    """What a notification about this comment says, on its post's thread."""
    post = comment.post
    return NotificationEvent(
        kind=kind,
        thread=f"post:{post.pk}",
        actor=actor,
        post=post,
        comment=comment,
        space=post.space,
        summary=comment.body[:200],
    )
