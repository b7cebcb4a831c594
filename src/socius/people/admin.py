from __future__ import annotations

from django.contrib import admin

from socius.core.admin import LookOnlyAdmin
from socius.people.models import Identifier, Person, ResolutionConflict


class IdentifierInline(admin.TabularInline[Identifier, Person]):
    model = Identifier
    extra = 0
    readonly_fields = ["kind", "value", "raw_value", "source", "is_shared", "created_at"]
    can_delete = False


@admin.register(Person)
class PersonAdmin(LookOnlyAdmin, admin.ModelAdmin[Person]):
    list_display = ["id", "given_name", "family_name", "city", "merged_into", "erased_at"]
    search_fields = ["given_name", "family_name", "identifiers__value"]
    inlines = [IdentifierInline]


@admin.register(ResolutionConflict)
class ResolutionConflictAdmin(LookOnlyAdmin, admin.ModelAdmin[ResolutionConflict]):
    list_display = ["chosen_person", "other_person", "status", "created_at"]
    list_filter = ["status"]
    readonly_fields = [
        "chosen_person",
        "other_person",
        "reason",
        "evidence",
        "status",
        "created_at",
    ]
