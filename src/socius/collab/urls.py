"""The collaboration pages, one view module per concern."""

from __future__ import annotations

from django.urls import URLPattern

from socius.collab.views import directory, feed, notifications, posts, search, spaces

app_name = "collab"
urlpatterns: list[URLPattern] = [
    *spaces.urlpatterns,
    *posts.urlpatterns,
    *feed.urlpatterns,
    *notifications.urlpatterns,
    *search.urlpatterns,
    *directory.urlpatterns,
]
