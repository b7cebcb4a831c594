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
from socius.core.ids import parse_id


@login_required
@require_GET
def mention_suggest(request: AuthenticatedHttpRequest) -> JsonResponse:
    asked = request.GET.get("space", "")
    space = None
    if asked:
        space_id = parse_id(asked)
        if space_id is None:
            raise NotFound()
        space = mention_space_get(user=request.user, space_id=space_id)
    found = mention_suggestions(user=request.user, query=request.GET.get("q", ""), space=space)
    response = JsonResponse({"results": [asdict(s) for s in found]})
    response.headers["Cache-Control"] = "private, no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("mentions/suggest", mention_suggest, name="mention-suggest"),
]
