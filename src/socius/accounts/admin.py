from __future__ import annotations

from django.contrib import admin

from socius.accounts.models import ApiToken, Department, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]


@admin.register(User)
class UserAdmin(admin.ModelAdmin[User]):
    """Read-mostly: employees are created and changed through the Socius pages."""

    list_display = ["email", "full_name", "department", "role", "is_active"]
    list_filter = ["role", "department", "is_active"]
    search_fields = ["email", "full_name"]
    fields = readonly_fields = (
        "email", "full_name", "department", "role", "person", "is_active", "date_joined",
    )  # fmt: skip

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["name", "prefix", "user", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = [
        "user",
        "name",
        "prefix",
        "scopes",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    exclude = ["digest"]

    def has_add_permission(self, request: object) -> bool:
        return False
