"""Topics in the browser: the posts about a topic the reader may read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from socius.collab.selectors_posts import topic_get_for_user, topic_posts
from socius.core.http import AuthenticatedHttpRequest
from socius.core.pagination import keyset_page

PAGE_SIZE = 20


@login_required
@require_GET
def topic_detail(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    topic = topic_get_for_user(user=request.user, key=slug)
    page = keyset_page(
        topic_posts(user=request.user, topic=topic),
        ordering=("-id",),
        cursor=request.GET.get("cursor"),
        size=PAGE_SIZE,
    )
    return render(request, "collab/topic_detail.html", {"topic": topic, "page": page})


urlpatterns: list[URLPattern] = [
    path("topics/<str:slug>/", topic_detail, name="topic-detail"),
]
