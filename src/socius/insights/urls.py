from __future__ import annotations

from django.urls import path

from socius.insights import views
from socius.insights.maturity.urls import urlpatterns as maturity_urlpatterns

app_name = "insights"

urlpatterns = [
    path("charter", views.charter, name="charter"),
    path("charter/acknowledge", views.charter_acknowledge, name="charter-acknowledge"),
    path("charter/versions", views.charter_draft, name="charter-draft"),
    path(
        "charter/versions/<int:version_id>/publish",
        views.charter_publish,
        name="charter-publish",
    ),
    *maturity_urlpatterns,
]
