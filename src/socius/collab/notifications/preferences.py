"""How each colleague receives each kind of notification by email; in the app, always.

Only choices differing from the defaults are stored, so a new kind or a new colleague needs
no rows, and the defaults can change for everyone who never chose.
"""

from __future__ import annotations

from collections.abc import Iterable

from socius.accounts.models import User
from socius.collab.models import Notification, NotificationPreference

Kind = Notification.Kind
Email = NotificationPreference.Email

# Defaults that do not flood (humhub #1539, #6127): what asks for an answer arrives at once,
# conversation on my posts at most hourly, announcements once a day, and the high-volume
# kinds (reactions, followed posts, customer activity) stay in the app only.
DEFAULT_EMAIL: dict[str, str] = {
    Kind.MENTION: Email.IMMEDIATE,
    Kind.REPLY: Email.IMMEDIATE,
    Kind.ANSWER_ACCEPTED: Email.IMMEDIATE,
    Kind.JOIN_REQUEST: Email.IMMEDIATE,
    Kind.JOIN_DECIDED: Email.IMMEDIATE,
    Kind.COMMENT: Email.HOURLY,
    Kind.ANNOUNCEMENT: Email.DAILY,
    Kind.REACTION: Email.OFF,
    Kind.FOLLOWED_POST: Email.OFF,
    Kind.CUSTOMER_ACTIVITY: Email.OFF,
    Kind.CASE_NOTE: Email.IMMEDIATE,
    Kind.CASE_ASSIGNED: Email.HOURLY,
    Kind.CASE_ESCALATED: Email.IMMEDIATE,
    Kind.SLA_WARNING: Email.IMMEDIATE,
}
KINDS: tuple[str, ...] = tuple(Kind.values)
MODES: tuple[str, ...] = tuple(Email.values)


def email_modes_of(user: User) -> dict[str, str]:
    """Every kind with this colleague's email mode, in the order of ``Notification.Kind``."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
    return {kind: chosen.get(kind, DEFAULT_EMAIL[kind]) for kind in KINDS}


def email_modes_for(*, user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """The email mode of one kind for each of these colleagues, in one query."""
    ids = list(user_ids)
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=ids, kind=kind).values_list(
            "user_id", "email"
        )
    )
    return {user_id: chosen.get(user_id, DEFAULT_EMAIL[kind]) for user_id in ids}
