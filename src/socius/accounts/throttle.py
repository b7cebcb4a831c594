"""Sign-in throttling: refuse attempts after repeated failures, per account and per address.

Django itself does not throttle authentication. Failures are stored in the database, so
every server process sees the same count; a correct password is refused too while the
account is throttled, otherwise guessing would simply continue until it succeeds.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from socius.accounts.models import LoginFailure

IP_LIMIT_FACTOR = 4


def account_key(identifier: str) -> str:
    return hashlib.sha256(identifier.strip().lower().encode()).hexdigest()


def _window_start() -> datetime:
    return timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def retry_after_seconds(*, identifier: str, ip_address: str | None) -> int:
    """Seconds until an attempt is allowed again; 0 if it is allowed now."""
    since = _window_start()
    limit = settings.LOGIN_FAILURE_LIMIT
    by_account = LoginFailure.objects.filter(
        account_key=account_key(identifier), occurred_at__gte=since
    )
    candidates = []
    if by_account.count() >= limit:
        candidates.append(by_account.order_by("-occurred_at")[limit - 1].occurred_at)
    if ip_address:
        by_ip = LoginFailure.objects.filter(ip_address=ip_address, occurred_at__gte=since)
        if by_ip.count() >= limit * IP_LIMIT_FACTOR:
            candidates.append(
                by_ip.order_by("-occurred_at")[limit * IP_LIMIT_FACTOR - 1].occurred_at
            )
    if not candidates:
        return 0
    free_at = max(candidates) + timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    return max(1, int((free_at - timezone.now()).total_seconds()) + 1)


def failure_record(*, identifier: str, ip_address: str | None) -> None:
    LoginFailure.objects.create(account_key=account_key(identifier), ip_address=ip_address)


def failures_clear(*, identifier: str) -> None:
    LoginFailure.objects.filter(account_key=account_key(identifier)).delete()


def failures_purge_old() -> int:
    deleted, _ = LoginFailure.objects.filter(occurred_at__lt=_window_start()).delete()
    return deleted
