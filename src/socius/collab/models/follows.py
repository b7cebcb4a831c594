"""What a colleague follows, and how far they have read their feed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

_TARGETS = ("user", "space", "topic", "person")


def _exactly_one_target() -> Q:
    condition = Q()
    for target in _TARGETS:
        only_this = Q(**{f"{target}__isnull": False})
        for other in _TARGETS:
            if other != target:
                only_this &= Q(**{f"{other}__isnull": True})
        condition |= only_this
    return condition


class Follow(models.Model):
    """A colleague follows a colleague, a space, a topic or a customer (a Person)."""

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="followers",
    )
    space = models.ForeignKey(
        "collab.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="followers"
    )
    topic = models.ForeignKey(
        "collab.Topic", null=True, blank=True, on_delete=models.CASCADE, related_name="followers"
    )
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=_exactly_one_target(), name="follow_names_one_target"),
            *(
                models.UniqueConstraint(
                    fields=["follower", target],
                    condition=Q(**{f"{target}__isnull": False}),
                    name=f"follow_{target}_once",
                )
                for target in _TARGETS
            ),
        ]


class FeedMarker(models.Model):
    """How far a colleague has read their feed: newer posts are marked unread."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_marker"
    )
    seen_post_id = models.BigIntegerField(default=0)
    seen_at = models.DateTimeField(auto_now=True)
