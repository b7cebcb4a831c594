from __future__ import annotations

from django.urls import path

from socius.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("activity/recent", views.activity_recent, name="activity-recent"),
    path("live/events", views.live_events, name="live-events"),
]
