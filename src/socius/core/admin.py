from __future__ import annotations

from django.contrib import admin

from socius.core.models import Activity


class LookOnlyAdmin:
    """Changes go through Socius's pages and services, which write the Activity log."""

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Activity)
class ActivityAdmin(LookOnlyAdmin, admin.ModelAdmin[Activity]):
    list_display = ["occurred_at", "verb", "actor", "person", "department", "channel"]
    list_filter = ["verb", "channel", "visibility"]
    date_hierarchy = "occurred_at"
    list_select_related = ["actor", "person", "department"]
