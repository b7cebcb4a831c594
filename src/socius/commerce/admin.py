"""Group buying for administrators, to look only: offers and gates change on the staff pages
(`/commerce/`), whose services check an offer's terms and record each change; groups,
participants, payments, tickets and scans change through the services (pages, API,
webhooks, worker), which keep seats, money and the Activity log consistent. Bearer secrets
(participants' access tokens, ticket codes) are never shown."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from socius.commerce.models import (
    CheckIn,
    Gate,
    GroupOrder,
    Offer,
    Participant,
    Payment,
    PriceTier,
    Reconciliation,
    Ticket,
    WebhookEvent,
)
from socius.core.admin import LookOnlyAdmin


class PriceTierInline(admin.TabularInline[PriceTier, Offer]):
    model = PriceTier
    extra = 0
    ordering = ["min_group_size"]

    def has_add_permission(self, request: HttpRequest, obj: Offer | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Offer)
class OfferAdmin(LookOnlyAdmin, admin.ModelAdmin[Offer]):
    list_display = [
        "title",
        "status",
        "kind",
        "event_date",
        "capacity",
        "seats_taken",
        "base_price_cents",
        "payment_mode",
    ]
    list_filter = ["status", "kind", "payment_mode"]
    search_fields = ["title", "slug"]
    inlines = [PriceTierInline]


@admin.register(Gate)
class GateAdmin(LookOnlyAdmin, admin.ModelAdmin[Gate]):
    list_display = ["name", "slug", "offer"]
    list_filter = ["offer"]
    list_select_related = ["offer"]
    search_fields = ["name", "slug"]


@admin.register(GroupOrder)
class GroupOrderAdmin(LookOnlyAdmin, admin.ModelAdmin[GroupOrder]):
    list_display = ["id", "title", "offer", "organiser", "state", "seats_secured", "deadline"]
    list_filter = ["state", "payment_mode"]
    list_select_related = ["offer", "organiser"]
    date_hierarchy = "created_at"
    exclude = ["share_token"]


@admin.register(Participant)
class ParticipantAdmin(LookOnlyAdmin, admin.ModelAdmin[Participant]):
    list_display = ["id", "group", "person", "seats", "state", "amount_captured_cents"]
    list_filter = ["state"]
    list_select_related = ["group", "person"]
    exclude = ["access_token", "idempotency_key", "request_hash"]


@admin.register(Payment)
class PaymentAdmin(LookOnlyAdmin, admin.ModelAdmin[Payment]):
    list_display = [
        "id",
        "participant",
        "provider",
        "provider_ref",
        "state",
        "amount_cents",
        "captured_cents",
        "refunded_cents",
    ]
    list_filter = ["provider", "state"]
    search_fields = ["provider_ref"]
    exclude = ["checkout_url"]


@admin.register(Ticket)
class TicketAdmin(LookOnlyAdmin, admin.ModelAdmin[Ticket]):
    list_display = ["tid", "offer", "holder", "seat_no", "state", "valid_from", "checked_in_at"]
    list_filter = ["state", "offer"]
    list_select_related = ["offer", "holder"]
    search_fields = ["tid"]
    exclude = ["code"]  # whoever holds the code gets in


@admin.register(CheckIn)
class CheckInAdmin(LookOnlyAdmin, admin.ModelAdmin[CheckIn]):
    list_display = ["scanned_at", "gate", "result", "ticket", "offline", "scanned_by"]
    list_filter = ["result", "gate", "offline"]
    list_select_related = ["ticket", "scanned_by"]
    date_hierarchy = "scanned_at"


@admin.register(WebhookEvent)
class WebhookEventAdmin(LookOnlyAdmin, admin.ModelAdmin[WebhookEvent]):
    list_display = ["received_at", "provider", "event_id", "kind"]
    list_filter = ["provider", "kind"]
    search_fields = ["event_id"]


@admin.register(Reconciliation)
class ReconciliationAdmin(LookOnlyAdmin, admin.ModelAdmin[Reconciliation]):
    list_display = ["ran_at", "provider", "since", "checked"]
    list_filter = ["provider"]
