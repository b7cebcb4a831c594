"""Search in the browser: one box, results grouped by kind."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from socius.collab.search import SearchResults, parse_kinds, search
from socius.collab.services.limits import ensure_may_search
from socius.core.errors import DomainError
from socius.core.http import AuthenticatedHttpRequest


@login_required
@require_GET
def search_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    results: SearchResults | None = None
    error = ""
    if query:
        try:
            ensure_may_search(request.user)
            results = search(
                user=request.user,
                query=query,
                kinds=parse_kinds([kind] if kind else []),
                cursor=request.GET.get("cursor") or None,
            )
        except DomainError as refused:  # too short, unknown kind, forged cursor, too many
            error = refused.message
    context = {"query": query, "kind": kind, "results": results, "error": error}
    return render(request, "collab/search.html", context)


urlpatterns: list[URLPattern] = [
    path("search/", search_page, name="search"),
]
