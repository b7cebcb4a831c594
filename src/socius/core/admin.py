from __future__ import annotations

from django.contrib import admin

from socius.core.models import Activity


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin[Activity]):
    """The log is append-only: the admin can only look."""

    list_display = ["occurred_at", "verb", "actor", "person", "department", "channel"]
    list_filter = ["verb", "channel", "visibility"]
    date_hierarchy = "occurred_at"
    list_select_related = ["actor", "person", "department"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
