"""Employees' pages for group buying, under ``/commerce/``."""

from __future__ import annotations

from django.urls import path

from socius.commerce.views import groups_staff, offers_staff

app_name = "commerce"

urlpatterns = [
    path("", offers_staff.offer_list, name="offer-list"),
    path("offers/new", offers_staff.offer_create, name="offer-create"),
    path("offers/<int:offer_id>", offers_staff.offer_detail, name="offer-detail"),
    path("offers/<int:offer_id>/edit", offers_staff.offer_edit, name="offer-edit"),
    path("offers/<int:offer_id>/publish", offers_staff.offer_publish, name="offer-publish"),
    path("offers/<int:offer_id>/archive", offers_staff.offer_archive, name="offer-archive"),
    path("offers/<int:offer_id>/gates", offers_staff.gate_add, name="gate-add"),
    path(
        "offers/<int:offer_id>/gates/<int:gate_id>/remove",
        offers_staff.gate_remove,
        name="gate-remove",
    ),
    path("groups/<int:group_id>", groups_staff.group_detail, name="group-detail"),
    path("groups/<int:group_id>/cancel", groups_staff.group_cancel, name="group-cancel"),
    path(
        "groups/<int:group_id>/participants/<int:participant_id>/refund",
        groups_staff.participant_refund_view,
        name="participant-refund",
    ),
    path("tickets/<uuid:tid>/reissue", groups_staff.ticket_reissue_view, name="ticket-reissue"),
]
