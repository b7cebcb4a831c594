from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from socius.core.periodic import register_periodic
from socius.portal.models import PortalLoginLink


@task()
def portal_links_purge() -> int:
    """Spent and expired links are kept a day (for rate limits), then removed."""
    deleted, _ = PortalLoginLink.objects.filter(
        expires_at__lt=timezone.now() - timedelta(days=1)
    ).delete()
    return deleted


register_periodic(
    name="portal.portal_links_purge", every=timedelta(hours=6), task=portal_links_purge
)
