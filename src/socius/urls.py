from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from socius.api import api
from socius.care.views.webhooks import messenger_webhook

handler403 = "socius.core.views.permission_denied"
handler404 = "socius.core.views.page_not_found"
handler500 = "socius.core.views.server_error"

urlpatterns = [
    path("", include("socius.core.urls")),
    path("accounts/", include("socius.accounts.urls")),
    path("people/", include("socius.people.urls")),
    path("portal/requests/", include("socius.care.portal_urls")),
    path("portal/", include("socius.portal.urls")),
    path("care/", include("socius.care.urls")),
    path("collab/", include("socius.collab.urls")),
    path("commerce/", include("socius.commerce.urls")),
    path("insights/", include("socius.insights.urls")),
    path("groups/", include("socius.commerce.urls_public")),
    path("tickets/", include("socius.commerce.urls_tickets")),
    path("gate/", include("socius.commerce.urls_gate")),
    path("payments/", include("socius.commerce.payments.urls")),
    path("webhooks/payments/", include("socius.commerce.payments.webhook_urls")),
    path("webhooks/messenger", messenger_webhook, name="messenger-webhook"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
]
