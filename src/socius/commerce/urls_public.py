"""The customers' pages, under ``/groups/``: no sign-in, the links' tokens are the authority."""

from __future__ import annotations

from django.urls import path

from socius.commerce.views import groups_public

app_name = "groups"

urlpatterns = [
    path("", groups_public.offer_index, name="offer-index"),
    path("offers/<slug:slug>", groups_public.offer_page, name="offer"),
    path("p/<str:access_token>", groups_public.participant_page, name="participant"),
    path(
        "p/<str:access_token>/withdraw",
        groups_public.participant_withdraw,
        name="participant-withdraw",
    ),
    path("p/<str:access_token>/close", groups_public.group_close_early, name="group-close"),
    path("<str:share_token>", groups_public.group_page, name="detail"),
]
