from __future__ import annotations

from django.urls import path

from socius.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.requests, name="requests"),
    path("sign-in", views.sign_in, name="sign-in"),
    path("sign-in/<str:secret>", views.sign_in_link, name="sign-in-link"),
    path("sign-out", views.sign_out, name="sign-out"),
    path("group-orders", views.group_orders, name="group-orders"),
    path("my-data", views.my_data, name="my-data"),
    path("my-data/export", views.my_data_export, name="my-data-export"),
    path("my-data/erase", views.my_data_erase, name="my-data-erase"),
]
