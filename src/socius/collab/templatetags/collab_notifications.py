"""Template tags of notifications."""

from __future__ import annotations

from typing import Any

from django import template

from socius.collab.models import Post
from socius.collab.notifications.selectors import thread_is_muted

register = template.Library()


@register.simple_tag(takes_context=True)
def thread_muted(context: dict[str, Any], post: Post) -> bool:
    """Whether the signed-in colleague muted this post (one EXISTS query)."""
    return thread_is_muted(user=context["user"], post_id=post.pk)
