"""Who may use the people pages that change records."""

from __future__ import annotations

from socius.accounts.roles import Capability
from socius.core.errors import Forbidden
from socius.core.http import AuthenticatedHttpRequest


def require_editor(request: AuthenticatedHttpRequest) -> None:
    """Merging, importing, deciding duplicates, recording consents: agents, managers and
    administrators (403 for the others)."""
    if not request.user.can(Capability.EDIT_PEOPLE):
        raise Forbidden()
