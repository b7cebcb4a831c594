from django.urls import path

from socius.commerce.payments.views import sandbox_checkout

app_name = "payments"
urlpatterns = [
    path("sandbox/<str:ref>", sandbox_checkout, name="sandbox-checkout"),
]
