from __future__ import annotations

from django.contrib import admin

from socius.core.admin import LookOnlyAdmin
from socius.people.models import (
    ConsentEntry,
    DuplicateSuggestion,
    Identifier,
    Merge,
    Person,
    ResolutionDecision,
)


class IdentifierInline(admin.TabularInline[Identifier, Person]):
    model = Identifier
    extra = 0
    readonly_fields = ["kind", "value", "raw_value", "source", "is_shared", "created_at"]
    can_delete = False


@admin.register(Person)
class PersonAdmin(LookOnlyAdmin, admin.ModelAdmin[Person]):
    list_display = ["id", "given_name", "family_name", "city", "merged_into", "erased_at"]
    search_fields = ["search_name", "identifiers__value"]
    inlines = [IdentifierInline]


@admin.register(DuplicateSuggestion)
class DuplicateSuggestionAdmin(LookOnlyAdmin, admin.ModelAdmin[DuplicateSuggestion]):
    list_display = ["person_a", "person_b", "status", "origin", "probability", "created_at"]
    list_filter = ["status", "origin"]


@admin.register(ResolutionDecision)
class ResolutionDecisionAdmin(LookOnlyAdmin, admin.ModelAdmin[ResolutionDecision]):
    list_display = ["created_at", "person", "outcome", "source", "reason"]
    list_filter = ["outcome", "source"]


@admin.register(Merge)
class MergeAdmin(LookOnlyAdmin, admin.ModelAdmin[Merge]):
    list_display = ["created_at", "survivor", "absorbed", "actor", "undone_at"]


@admin.register(ConsentEntry)
class ConsentEntryAdmin(LookOnlyAdmin, admin.ModelAdmin[ConsentEntry]):
    list_display = ["occurred_at", "person", "purpose", "state", "source"]
    list_filter = ["purpose", "state"]
