from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from socius.core.errors import DomainError


class ContentSecurityPolicyMiddleware:
    """Send the policy of ``settings.CONTENT_SECURITY_POLICY`` on every response.

    The policy allows no inline script: pages load only their own static files.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = "; ".join(
            f"{directive} {' '.join(sources)}"
            for directive, sources in settings.CONTENT_SECURITY_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.header)
        return response


class DomainErrorMiddleware:
    """Render a DomainError escaping a page view as an error page with its status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        response = render(
            request, "errors/domain_error.html", {"error": exception}, status=exception.status_code
        )
        retry_after = getattr(exception, "retry_after", None)
        if retry_after:
            response.headers["Retry-After"] = str(retry_after)
        return response
