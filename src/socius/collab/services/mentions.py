"""``@colleague`` and ``@department`` mentions: parsed, recorded and notified.

A colleague is named by the local part of their email address (``@marie.durand``), a
department by its slug (``@service-client``); see ``collab.text`` for the syntax. Only
colleagues who may read the post are told: a mention in a private space reaches its
members, never a non-member whose name happens to be written there.
"""

from __future__ import annotations

import operator
from functools import reduce

from django.db.models import Q

from socius.accounts.models import Department, User
from socius.collab.models import Comment, Mention, Post
from socius.collab.selectors_posts import post_readers_among
from socius.collab.services.notifications import NotificationEvent, notify
from socius.collab.text import references_in


def people_by_handle(handles: list[str]) -> dict[str, int]:
    """Active colleagues whose email's local part is one of the handles; a handle two
    colleagues share (same local part, other domains) names nobody."""
    if not handles:
        return {}
    wanted = reduce(operator.or_, (Q(email__istartswith=f"{handle}@") for handle in handles))
    found: dict[str, list[int]] = {}
    for user_id, email in User.objects.filter(wanted, is_active=True).values_list("pk", "email"):
        found.setdefault(email.split("@")[0].lower(), []).append(user_id)
    return {handle: ids[0] for handle, ids in found.items() if len(ids) == 1}


def mentions_record(
    *, actor: User, post: Post, text: str, comment: Comment | None = None
) -> list[Mention]:
    """Make the recorded mentions of this text (the post's, or a comment's) match what it
    now says, and notify those newly mentioned: an edit tells only the new ones."""
    handles = mention_handles(text)
    people = people_by_handle(handles)
    department_ids = dict(
        Department.objects.filter(slug__in=[h for h in handles if h not in people]).values_list(
            "slug", "pk"
        )
    )
    existing = list(Mention.objects.filter(post=post, comment=comment))
    stale = [
        mention.pk
        for mention in existing
        if mention.user_id not in people.values()
        and mention.department_id not in department_ids.values()
    ]
    if stale:
        Mention.objects.filter(pk__in=stale).delete()
    known_users = {mention.user_id for mention in existing}
    known_departments = {mention.department_id for mention in existing}
    created = Mention.objects.bulk_create(
        [
            Mention(post=post, comment=comment, user_id=user_id)
            for user_id in people.values()
            if user_id not in known_users
        ]
        + [
            Mention(post=post, comment=comment, department_id=department_id)
            for department_id in department_ids.values()
            if department_id not in known_departments
        ]
    )
    _notify_mentioned(actor=actor, post=post, comment=comment, mentions=created, text=text)
    return created


def _notify_mentioned(
    *, actor: User, post: Post, comment: Comment | None, mentions: list[Mention], text: str
) -> None:
    user_ids = {mention.user_id for mention in mentions if mention.user_id is not None}
    department_ids = {m.department_id for m in mentions if m.department_id is not None}
    if department_ids:
        user_ids |= set(
            User.objects.filter(department_id__in=department_ids, is_active=True).values_list(
                "pk", flat=True
            )
        )
    readers = post_readers_among(post=post, user_ids=user_ids)
    if readers:
        notify(
            recipient_ids=readers,
            event=NotificationEvent(
                kind="mention",
                thread=f"post:{post.pk}",
                actor=actor,
                post=post,
                comment=comment,
                space=post.space,
                summary=text[:200],
            ),
        )


def mention_handles(text: str) -> list[str]:
    """The handles a text names, outside code and link labels, in the order written."""
    return references_in(text).handles
