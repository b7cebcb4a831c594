from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

from socius.env import env_int

if TYPE_CHECKING:
    from socius.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request that passed ``login_required``: ``user`` is an employee, never anonymous."""

    user: User  # type: ignore[assignment]


def client_ip(request: HttpRequest) -> str | None:
    """The client address, trusting X-Forwarded-For only for the configured proxy hops."""
    trusted_hops = env_int("SOCIUS_TRUSTED_PROXY_COUNT", 0, minimum=0)
    if trusted_hops:
        forwarded = [p.strip() for p in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= trusted_hops:
            return forwarded[-trusted_hops]
    return request.META.get("REMOTE_ADDR") or None
