from django.urls import path

from socius.commerce.payments.webhooks import sandbox_webhook, stripe_webhook

app_name = "payment-webhooks"
urlpatterns = [
    path("sandbox", sandbox_webhook, name="sandbox"),
    path("stripe", stripe_webhook, name="stripe"),
]
