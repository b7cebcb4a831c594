"""The real URLs, plus views that raise, for the error-rendering tests."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from socius.core.errors import Conflict, NotFound, RateLimited
from socius.urls import handler403, handler404, handler500
from socius.urls import urlpatterns as real_urlpatterns

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


def conflict(request: HttpRequest) -> HttpResponse:
    raise Conflict("This case is already closed.", details={"case_id": 7})


def not_found(request: HttpRequest) -> HttpResponse:
    raise NotFound()


def rate_limited(request: HttpRequest) -> HttpResponse:
    raise RateLimited(retry_after=90)


def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("SELECT secret FROM vault")


urlpatterns = [
    path("test-errors/conflict", conflict),
    path("test-errors/not-found", not_found),
    path("test-errors/rate-limited", rate_limited),
    path("test-errors/crash", crash),
    path("api/test-errors/crash", crash),
    *real_urlpatterns,
]
