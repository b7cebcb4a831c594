from django.urls import URLPattern

app_name = "gate"
urlpatterns: list[URLPattern] = []
