"""The collaboration pages, one view module per concern."""

from __future__ import annotations

from django.urls import URLPattern

from socius.collab.views import (
    attachments,
    directory,
    feed,
    mentions,
    notifications,
    posts,
    search,
    spaces,
    topics,
)

app_name = "collab"
urlpatterns: list[URLPattern] = [
    *spaces.urlpatterns,
    *posts.urlpatterns,
    *feed.urlpatterns,
    *notifications.urlpatterns,
    *search.urlpatterns,
    *directory.urlpatterns,
    *attachments.urlpatterns,
    *mentions.urlpatterns,
    *topics.urlpatterns,
]
