"""Bearer-token authentication for /api/v1, with the scopes each endpoint needs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer

from socius.accounts.models import ApiToken
from socius.accounts.roles import scopes_allowed_for
from socius.accounts.selectors import token_authenticate
from socius.accounts.services import token_touch
from socius.core.errors import Forbidden


class InsufficientScope(Forbidden):
    code = "insufficient_scope"
    default_message = _("This token lacks a scope this endpoint needs.")


class TokenAuth(HttpBearer):
    """``auth=TokenAuth("people:read")``: a valid token holding every listed scope."""

    def __init__(self, *scopes: str) -> None:
        super().__init__()
        self.scopes = frozenset(scopes)

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = token_authenticate(secret=token)
        if api_token is None:
            return None
        # A role lowered after the token was made takes its scopes down with it.
        allowed = set(api_token.scopes) & set(scopes_allowed_for(api_token.user.role))
        missing = sorted(self.scopes - allowed)
        if missing:
            raise InsufficientScope(details={"missing": missing})
        token_touch(token=api_token)
        request.user = api_token.user
        return api_token


def api_user(request: Any) -> Any:
    """The employee behind the token of an authenticated API request."""
    return request.auth.user
