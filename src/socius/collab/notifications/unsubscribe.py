"""Signed one-click unsubscribe links, per colleague and kinds, usable without signing in.

The token only ever turns email off for the kinds it names, so it never expires: a link in
an old email must still work (RFC 8058 expects the URL to keep working).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from socius.collab.notifications.preferences import KINDS

SALT = "socius.collab.notifications.unsubscribe"


@dataclass(frozen=True)
class Unsubscription:
    user_id: int
    kinds: tuple[str, ...]


def unsubscribe_token(*, user_id: int, kinds: Iterable[str]) -> str:
    return signing.dumps({"u": user_id, "k": sorted(set(kinds))}, salt=SALT)


def unsubscribe_url(*, user_id: int, kinds: Iterable[str]) -> str:
    token = unsubscribe_token(user_id=user_id, kinds=kinds)
    path = reverse("collab:notification-unsubscribe", args=[token])
    return f"{settings.SITE_URL}{path}"


def unsubscribe_token_read(token: str) -> Unsubscription | None:
    """What a token asks for, or None when it was not signed by us or names no kind."""
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict):
        return None
    user_id, kinds = value.get("u"), value.get("k")
    if not isinstance(user_id, int) or not isinstance(kinds, list) or not kinds:
        return None
    if not all(kind in KINDS for kind in kinds):
        return None
    return Unsubscription(user_id=user_id, kinds=tuple(kinds))
