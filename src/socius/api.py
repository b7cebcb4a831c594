"""The REST API under /api/v1: one NinjaAPI, one router per context, errors rendered once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from socius.accounts.api import router as accounts_router
from socius.accounts.selectors import token_authenticate
from socius.care.api import router as care_router
from socius.collab.api import router as collab_router
from socius.commerce.api import router as commerce_router
from socius.core.errors import DomainError
from socius.insights.api import router as insights_router
from socius.people.api import router as people_router

logger = logging.getLogger(__name__)


def _error(code: str, message: str, status: int, details: Any = None) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "details": details or {}}, status=status)


def docs_for_signed_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The API's description is for employees (session) and integrations (token) only."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer ") and token_authenticate(secret=header[7:].strip()):
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            return _error("unauthenticated", "Sign in or send a bearer token.", 401)
        return redirect_to_login(request.get_full_path())

    return wrapper


api = NinjaAPI(
    title="Socius API",
    version="1",
    urls_namespace="api",
    docs_decorator=docs_for_signed_in,
    description="One record per person, shared by every department. "
    "Authenticate with `Authorization: Bearer <token>`; errors are "
    '`{"code", "message", "details"}`.',
)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    response = JsonResponse(error.as_dict(), status=error.status_code)
    survivor_id = getattr(error, "survivor_id", None)
    if survivor_id is not None:  # a merged-away person: point to the survivor
        response.headers["Location"] = f"/api/v1/people/{survivor_id}"
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    return _error("invalid_input", "The request is not valid.", 422, {"errors": error.errors})


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    response = _error("unauthenticated", "A valid bearer token is required.", 401)
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return _error("not_found", "Not found.", 404)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    return _error("http_error", str(error), error.status_code)


@api.exception_handler(RequestDataTooBig)
def on_request_too_big(request: HttpRequest, error: RequestDataTooBig) -> HttpResponse:
    return _error(
        "request_too_large",
        "The request body is too large.",
        413,
        {"max_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
    )


@api.exception_handler(Exception)
def on_unexpected_error(request: HttpRequest, error: Exception) -> HttpResponse:
    logger.exception("Unexpected API error on %s", request.path)
    return _error("internal_error", "An unexpected error occurred.", 500)


api.add_router("/accounts", accounts_router)
api.add_router("/people", people_router)
api.add_router("/collab", collab_router)
api.add_router("/care", care_router)
api.add_router("/commerce", commerce_router)
api.add_router("/insights", insights_router)
