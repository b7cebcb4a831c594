from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from socius.accounts.roles import CAPABILITIES


def capabilities(request: HttpRequest) -> dict[str, Any]:
    """What the employee may do, for templates: ``{% if "people.edit" in capabilities %}``."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return {"capabilities": frozenset()}
    return {"capabilities": frozenset(str(c) for c in CAPABILITIES.get(user.role, frozenset()))}
