"""Reads of notifications: only the recipient's own, and only what they may still read.

A colleague removed from a private space keeps rows about its posts; those rows stay out of
the centre, the bell, the API and every email from then on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from socius.accounts.models import User
from socius.accounts.roles import Capability
from socius.collab.models import Notification, ThreadMute
from socius.collab.selectors import spaces_readable_by, spaces_visible_to
from socius.core.errors import NotFound
from socius.core.pagination import Page, keyset_page

PAGE_SIZE = 30
ORDERING = ("-updated_at", "-id")
Kind = Notification.Kind


def notifications_readable_condition(user: User) -> Q:
    """Rows whose post, space and person the user may still see."""
    condition = (
        Q(post__isnull=True) | Q(post__space_id__in=spaces_readable_by(user).values("pk"))
    ) & (Q(space__isnull=True) | Q(space_id__in=spaces_visible_to(user).values("pk")))
    if not user.can(Capability.VIEW_PEOPLE):
        condition &= Q(person__isnull=True)
    return condition


def muted_condition(user: User) -> Q:
    return Q(post_id__in=ThreadMute.objects.filter(user=user).values("post_id"))


def notifications_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).filter(
        notifications_readable_condition(user)
    )


def notification_page(
    *, user: User, cursor: str | None, size: int = PAGE_SIZE
) -> Page[Notification]:
    """Newest activity first; one query whatever the number of rows."""
    return keyset_page(
        notifications_of(user).select_related("last_actor"),
        ordering=ORDERING,
        cursor=cursor,
        size=size,
    )


def notification_unread_count(*, user: User) -> int:
    """One count over the recipient's unread rows (the partial unique index's rows)."""
    return notifications_of(user).filter(read_at__isnull=True).count()


def notification_get_for_user(*, user: User, notification_id: int) -> Notification:
    """The user's own notification; anybody else's answers "not found", as a missing one."""
    notification = notifications_of(user).filter(pk=notification_id).first()
    if notification is None:
        raise NotFound()
    return notification


def thread_is_muted(*, user: User, post_id: int) -> bool:
    return ThreadMute.objects.filter(user=user, post_id=post_id).exists()


def notification_path(notification: Notification) -> str:
    """Where the notification leads: the post (at the comment), the space, the person, or
    the link the notifying context gave."""
    if notification.link:
        return notification.link
    if notification.post_id is not None:
        path = reverse("collab:post-detail", args=[notification.post_id])
        if notification.comment_id is not None:
            path += f"#comment-{notification.comment_id}"
        return path
    if notification.space_id is not None:
        return reverse("collab:space-detail", args=[notification.space_id])
    if notification.person_id is not None:
        return reverse("people:person-detail", args=[notification.person_id])
    return reverse("collab:notification-list")


def notification_url(notification: Notification) -> str:
    return f"{settings.SITE_URL}{notification_path(notification)}"


# Literal gettext/ngettext calls, so that makemessages finds every sentence; called when
# rendering so that the active language (the page's, or the email recipient's) applies.
_HEADLINES: dict[str, tuple[Callable[[], str], Callable[[int], str]]] = {
    Kind.MENTION: (
        lambda: gettext("%(actor)s mentioned you"),
        lambda n: ngettext(
            "%(actor)s and %(others)d other mentioned you",
            "%(actor)s and %(others)d others mentioned you",
            n,
        ),
    ),
    Kind.COMMENT: (
        lambda: gettext("%(actor)s commented on your post"),
        lambda n: ngettext(
            "%(actor)s and %(others)d other commented on your post",
            "%(actor)s and %(others)d others commented on your post",
            n,
        ),
    ),
    Kind.REPLY: (
        lambda: gettext("%(actor)s replied to your comment"),
        lambda n: ngettext(
            "%(actor)s and %(others)d other replied to your comment",
            "%(actor)s and %(others)d others replied to your comment",
            n,
        ),
    ),
    Kind.REACTION: (
        lambda: gettext("%(actor)s reacted to your post"),
        lambda n: ngettext(
            "%(actor)s and %(others)d other reacted to your post",
            "%(actor)s and %(others)d others reacted to your post",
            n,
        ),
    ),
    Kind.ANSWER_ACCEPTED: (
        lambda: gettext("%(actor)s accepted your answer"),
        lambda n: ngettext(
            "%(actor)s and %(others)d other accepted your answer",
            "%(actor)s and %(others)d others accepted your answer",
            n,
        ),
    ),
    Kind.ANNOUNCEMENT: (
        lambda: gettext("%(actor)s published an announcement"),
        lambda n: ngettext(
            "%(actor)s and %(others)d other published announcements",
            "%(actor)s and %(others)d others published announcements",
            n,
        ),
    ),
    Kind.FOLLOWED_POST: (
        lambda: gettext("%(actor)s posted in something you follow"),
        lambda n: ngettext(
            "%(actor)s and %(others)d other posted in something you follow",
            "%(actor)s and %(others)d others posted in something you follow",
            n,
        ),
    ),
    Kind.CUSTOMER_ACTIVITY: (
        lambda: gettext("New activity of a customer you follow, by %(actor)s"),
        lambda n: ngettext(
            "%(others)d more activity of a customer you follow, latest by %(actor)s",
            "%(others)d more activities of a customer you follow, latest by %(actor)s",
            n,
        ),
    ),
    Kind.JOIN_REQUEST: (
        lambda: gettext("%(actor)s asked to join your space"),
        lambda n: ngettext(
            "%(actor)s and %(others)d other asked to join your space",
            "%(actor)s and %(others)d others asked to join your space",
            n,
        ),
    ),
    Kind.JOIN_DECIDED: (
        lambda: gettext("%(actor)s answered your request to join"),
        lambda n: ngettext(
            "%(actor)s and %(others)d other answered your requests to join",
            "%(actor)s and %(others)d others answered your requests to join",
            n,
        ),
    ),
    Kind.CASE_NOTE: (
        lambda: gettext("%(actor)s mentioned you in a note on a customer request"),
        lambda n: ngettext(
            "%(actor)s and %(others)d other mentioned you on a customer request",
            "%(actor)s and %(others)d others mentioned you on a customer request",
            n,
        ),
    ),
    Kind.CASE_ASSIGNED: (
        lambda: gettext("%(actor)s gave you a customer request"),
        lambda n: ngettext(
            "%(actor)s and %(others)d other gave you customer requests",
            "%(actor)s and %(others)d others gave you customer requests",
            n,
        ),
    ),
    Kind.CASE_ESCALATED: (
        lambda: gettext("%(actor)s escalated a customer request to your department"),
        lambda n: ngettext(
            "%(actor)s and %(others)d other escalated customer requests",
            "%(actor)s and %(others)d others escalated customer requests",
            n,
        ),
    ),
    Kind.SLA_WARNING: (
        lambda: gettext("A customer request is about to miss its target"),
        lambda n: ngettext(
            "%(others)d more customer request is about to miss its target",
            "%(others)d more customer requests are about to miss their target",
            n,
        ),
    ),
}


@dataclass(frozen=True)
class NotificationLine:
    """A notification as the centre and the API show it."""

    notification: Notification
    headline: str
    path: str

    @property
    def is_unread(self) -> bool:
        return self.notification.read_at is None


def notification_lines(notifications: list[Notification]) -> list[NotificationLine]:
    return [
        NotificationLine(
            notification=n, headline=notification_headline(n), path=notification_path(n)
        )
        for n in notifications
    ]


def notification_headline(notification: Notification) -> str:
    """ "Marie and 9 others reacted to your post": the folded events in one line."""
    actor = notification.last_actor.full_name if notification.last_actor else gettext("Someone")
    one, several = _HEADLINES[notification.kind]
    others = notification.event_count - 1
    if others <= 0:
        return one() % {"actor": actor}
    return several(others) % {"actor": actor, "others": others}
