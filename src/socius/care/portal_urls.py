"""The customer's requests in the portal, under ``/portal/requests/``."""

from __future__ import annotations

from django.urls import path

from socius.care.views import portal

app_name = "care-portal"

urlpatterns = [
    path("new", portal.request_new, name="request-new"),
    path("<int:case_id>", portal.request_detail, name="request-detail"),
    path("files/<int:attachment_id>", portal.attachment_download, name="attachment"),
]
