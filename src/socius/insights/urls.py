from __future__ import annotations

from django.urls import path

from socius.insights import views, views_adoption, views_charter_export
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
    path(
        "charter/acknowledgments.csv",
        views_charter_export.charter_export,
        name="charter-export",
    ),
    path("", views_adoption.adoption, name="adoption"),
    path("adoption.csv", views_adoption.adoption_csv, name="adoption-csv"),
    path("adoption.pdf", views_adoption.adoption_pdf, name="adoption-pdf"),
    *maturity_urlpatterns,
]
