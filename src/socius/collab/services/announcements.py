"""Announcements that the members of a space confirm as read."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import User
from socius.collab.models import AnnouncementRead, Post
from socius.collab.selectors import membership_of
from socius.collab.services.common import NotASpaceMember, append_activity
from socius.core.errors import InvalidInput
from socius.core.verbs import register_verbs

register_verbs({"collab.announcement_read": _("Announcement confirmed as read")})


@transaction.atomic
def announcement_read_confirm(*, actor: User, post: Post) -> AnnouncementRead:
    """A member confirms having read an announcement; confirming again changes nothing."""
    if post.kind != Post.Kind.ANNOUNCEMENT:
        raise InvalidInput(details={"field": "post", "reason": "not_an_announcement"})
    if membership_of(user=actor, space=post.space) is None:
        raise NotASpaceMember(details={"space": post.space_id})
    try:
        with transaction.atomic():
            read = AnnouncementRead.objects.create(post=post, user=actor)
    except IntegrityError:  # already confirmed
        return AnnouncementRead.objects.get(post=post, user=actor)
    append_activity(actor, "collab.announcement_read", post, post.space)
    return read
