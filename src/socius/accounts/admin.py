from __future__ import annotations

from django.contrib import admin

from socius.accounts.models import ApiToken, Department, User
from socius.core.admin import LookOnlyAdmin


@admin.register(Department)
class DepartmentAdmin(LookOnlyAdmin, admin.ModelAdmin[Department]):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]


@admin.register(User)
class UserAdmin(LookOnlyAdmin, admin.ModelAdmin[User]):
    list_display = ["email", "full_name", "department", "role", "is_active"]
    list_filter = ["role", "department", "is_active"]
    search_fields = ["email", "full_name"]
    fields = readonly_fields = (
        "email", "full_name", "department", "role", "person", "is_active", "date_joined",
    )  # fmt: skip


@admin.register(ApiToken)
class ApiTokenAdmin(LookOnlyAdmin, admin.ModelAdmin[ApiToken]):
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
