"""How fast one colleague may write and search: enough for anyone typing, too little for a
script flooding their colleagues' feeds and inboxes (security check G1)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from socius.accounts.models import User
from socius.core.errors import RateLimited
from socius.core.models import Activity

WINDOW = timedelta(minutes=1)
WRITING_VERBS = ("collab.post_created", "collab.comment_created")


def ensure_may_write(actor: User) -> None:
    """Posts and comments of the last minute, read from the Activity log (index by actor)."""
    since = timezone.now() - WINDOW
    written = Activity.objects.filter(
        actor=actor, verb__in=WRITING_VERBS, occurred_at__gte=since
    ).count()
    if written >= settings.COLLAB_WRITES_PER_MINUTE:
        raise RateLimited(retry_after=int(WINDOW.total_seconds()))


def ensure_may_search(user: User) -> None:
    """Searches of the current minute, counted in the cache (shared with Redis)."""
    minute = int(timezone.now().timestamp() // 60)
    key = f"collab:search:{user.pk}:{minute}"
    cache.add(key, 0, timeout=int(WINDOW.total_seconds()) * 2)
    if cache.incr(key) > settings.COLLAB_SEARCHES_PER_MINUTE:
        raise RateLimited(retry_after=60 - int(timezone.now().timestamp()) % 60 or 1)
