"""How customer care is set up, for administrators: service levels, routing rules, canned
replies, survey wording and agents' load limits. Cases themselves are only looked at here:
they change through the inbox and the API, which write the Activity log."""

from __future__ import annotations

from django.contrib import admin

from socius.care.models import (
    AgentStatus,
    CannedReply,
    Case,
    RoutingRule,
    SlaPolicy,
    SurveyWording,
)
from socius.core.admin import LookOnlyAdmin


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin[SlaPolicy]):
    list_display = [
        "department",
        "priority",
        "first_response_minutes",
        "resolution_minutes",
        "warn_before_minutes",
    ]
    list_filter = ["department", "priority"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin[RoutingRule]):
    list_display = [
        "position",
        "name",
        "is_active",
        "channel",
        "keywords",
        "attribute",
        "set_department",
        "set_priority",
        "stop",
    ]
    list_editable = ["is_active"]
    list_display_links = ["name"]


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin[CannedReply]):
    list_display = ["title", "department"]
    list_filter = ["department"]


@admin.register(SurveyWording)
class SurveyWordingAdmin(admin.ModelAdmin[SurveyWording]):
    list_display = ["department", "question"]


@admin.register(AgentStatus)
class AgentStatusAdmin(admin.ModelAdmin[AgentStatus]):
    list_display = ["user", "available", "max_open_cases", "last_assigned_at"]
    list_editable = ["available", "max_open_cases"]
    readonly_fields = ["last_assigned_at"]


@admin.register(Case)
class CaseAdmin(LookOnlyAdmin, admin.ModelAdmin[Case]):
    list_display = [
        "id",
        "subject",
        "status",
        "priority",
        "department",
        "assignee",
        "last_message_at",
    ]
    list_filter = ["status", "priority", "department", "channel"]
    list_select_related = ["department", "assignee"]
