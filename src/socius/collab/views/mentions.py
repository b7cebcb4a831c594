"""Mention autocomplete for the pages' text areas (see static/collab/mentions.js)."""

from __future__ import annotations

from dataclasses import asdict

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from socius.collab.selectors_mentions import mention_space_get, mention_suggestions
from socius.core.errors import NotFound
from socius.core.http import AuthenticatedHttpRequest


@login_required
@require_GET
def mention_suggest(request: AuthenticatedHttpRequest) -> JsonResponse:
    space_id = request.GET.get("space", "")
    space = None
    if space_id:
        if not space_id.isdigit():
            raise NotFound()
        space = mention_space_get(user=request.user, space_id=int(space_id))
    found = mention_suggestions(user=request.user, query=request.GET.get("q", ""), space=space)
    response = JsonResponse({"results": [asdict(s) for s in found]})
    response.headers["Cache-Control"] = "private, no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("mentions/suggest", mention_suggest, name="mention-suggest"),
]
