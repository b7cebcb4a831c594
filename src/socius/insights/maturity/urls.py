from __future__ import annotations

from django.urls import URLPattern, path

from socius.insights.maturity import views

urlpatterns: list[URLPattern] = [
    path("maturity/", views.maturity, name="maturity"),
    path("maturity/campaigns/new", views.campaign_new, name="maturity-campaign-create"),
    path(
        "maturity/campaigns/<int:campaign_id>/",
        views.campaign_detail,
        name="maturity-campaign",
    ),
    path(
        "maturity/campaigns/<int:campaign_id>/open",
        views.campaign_open,
        name="maturity-campaign-open",
    ),
    path(
        "maturity/campaigns/<int:campaign_id>/close",
        views.campaign_close,
        name="maturity-campaign-close",
    ),
    path(
        "maturity/campaigns/<int:campaign_id>/answer",
        views.campaign_answer,
        name="maturity-campaign-answer",
    ),
    path(
        "maturity/campaigns/<int:campaign_id>/results.csv",
        views.campaign_csv,
        name="maturity-campaign-csv",
    ),
    path(
        "maturity/campaigns/<int:campaign_id>/report.pdf",
        views.campaign_pdf,
        name="maturity-campaign-pdf",
    ),
]
