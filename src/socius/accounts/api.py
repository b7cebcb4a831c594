from __future__ import annotations

from typing import Any

from ninja import Router

from socius.accounts import selectors, services
from socius.accounts.api_auth import TokenAuth, api_user
from socius.accounts.models import ApiToken
from socius.accounts.schemas import MeOut, TokenOut

router = Router(tags=["accounts"])


@router.get("/me", response=MeOut, auth=TokenAuth())
def me(request: Any) -> dict[str, Any]:
    user = api_user(request)
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "department": user.department,
        "person_id": user.person_id,
        "scopes": request.auth.scopes,
    }


@router.get("/tokens", response=list[TokenOut], auth=TokenAuth("accounts:tokens"))
def token_list(request: Any) -> list[ApiToken]:
    return list(selectors.token_list_for_user(user=api_user(request)))


@router.post("/tokens/{token_id}/revoke", response=TokenOut, auth=TokenAuth("accounts:tokens"))
def token_revoke(request: Any, token_id: int) -> ApiToken:
    user = api_user(request)
    token = selectors.token_get_for_user(user=user, token_id=token_id)
    return services.token_revoke(token=token, actor=user)
