from django.urls import URLPattern

app_name = "payment-webhooks"
urlpatterns: list[URLPattern] = []
