"""Following colleagues, spaces, topics and customers; and how far the feed has been read.

Targets arrive already fetched through their selectors (which answer 404 for what the
follower may not see); these services enforce the remaining rules. Following twice, or
unfollowing what one does not follow, changes nothing: the unique constraints decide.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import User
from socius.collab.models import FeedMarker, Follow, Space, Topic
from socius.collab.selectors import membership_of
from socius.collab.services.common import NotASpaceMember
from socius.core.errors import InvalidInput
from socius.core.models import Visibility
from socius.core.services import ActivityDraft, ActivityObject, activity_append
from socius.core.verbs import register_verbs
from socius.people.models import Person

register_verbs(
    {
        "collab.followed": _("Started following"),
        "collab.unfollowed": _("Stopped following"),
    }
)


@dataclass(frozen=True)
class FollowTarget:
    """Exactly one thing to follow, each fetched through its own selector."""

    user: User | None = None
    space: Space | None = None
    topic: Topic | None = None
    person: Person | None = None

    @property
    def kind(self) -> str:
        return next(name for name in ("user", "space", "topic", "person") if getattr(self, name))

    @property
    def instance(self) -> User | Space | Topic | Person:
        value: User | Space | Topic | Person | None = getattr(self, self.kind)
        assert value is not None
        return value

    def lookup(self) -> dict[str, object]:
        return {self.kind: self.instance}


def _append(actor: User, verb: str, target: FollowTarget) -> None:
    # No person on the entry: following a customer is the employee's act, not an event of
    # the customer's timeline (and must not reach the customer's other followers).
    activity_append(
        ActivityDraft(
            verb=verb,
            actor_id=actor.pk,
            department_id=actor.department_id,
            about=ActivityObject.of(target.instance),
            payload={"target": target.kind},
            visibility=Visibility.INTERNAL if _shown(target) else Visibility.RESTRICTED,
        )
    )


def _shown(target: FollowTarget) -> bool:
    """Whether colleagues' activity panels may show this follow: not a closed space's, nor
    one of a customer (which customers an employee watches is theirs to know)."""
    if target.space is not None:
        return target.space.visibility == Space.Visibility.PUBLIC
    return target.person is None


def _check(actor: User, target: FollowTarget) -> None:
    if target.user is not None and target.user.pk == actor.pk:
        raise InvalidInput(details={"field": "user", "reason": "yourself"})
    if target.user is not None and not target.user.is_active:
        raise InvalidInput(details={"field": "user", "reason": "inactive"})
    space = target.space
    if (
        space is not None
        and space.visibility != Space.Visibility.PUBLIC
        and membership_of(user=actor, space=space) is None
    ):
        # Following brings posts into the feed: only what one may read can be followed.
        raise NotASpaceMember(details={"space": space.pk})


@transaction.atomic
def follow_create(*, actor: User, target: FollowTarget) -> Follow:
    """Follow a colleague, a readable space, a topic or a customer; twice is once."""
    _check(actor, target)
    try:
        with transaction.atomic():
            follow = Follow.objects.create(follower=actor, **target.lookup())  # type: ignore[arg-type]
    except IntegrityError:
        return Follow.objects.get(follower=actor, **target.lookup())  # type: ignore[arg-type]
    _append(actor, "collab.followed", target)
    return follow


@transaction.atomic
def follow_delete(*, actor: User, target: FollowTarget) -> bool:
    """Stop following; answers whether there was something to stop."""
    deleted, _rows = Follow.objects.filter(follower=actor, **target.lookup()).delete()  # type: ignore[arg-type]
    if deleted:
        _append(actor, "collab.unfollowed", target)
    return bool(deleted)


@transaction.atomic
def feed_mark_seen(*, actor: User, post_id: int) -> int:
    """Move the colleague's feed marker up to ``post_id``; it never moves back.

    Returns the marker after the call. Unlike the other writes it appends no Activity: it
    is a read position that moves on every visit, and an entry each time would flood the
    department's recent activity (and its live channel) with "feed read" lines.
    """
    if post_id < 0:
        raise InvalidInput(details={"field": "post_id", "min": 0})
    marker, _created = FeedMarker.objects.get_or_create(user=actor)
    moved = FeedMarker.objects.filter(pk=marker.pk, seen_post_id__lt=post_id).update(
        seen_post_id=post_id
    )
    if moved:
        return post_id
    return int(FeedMarker.objects.filter(pk=marker.pk).values_list("seen_post_id", flat=True)[0])
