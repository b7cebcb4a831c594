"""Roles, what each may do in the product, and which API scopes its tokens may carry."""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    EMPLOYEE = "employee", _("Employee")
    AGENT = "agent", _("Customer-care agent")
    HR = "hr", _("Human resources")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Administrator")


class Capability(StrEnum):
    COLLABORATE = "collaborate"
    VIEW_PEOPLE = "people.view"
    EDIT_PEOPLE = "people.edit"
    ADMINISTER_PEOPLE = "people.administer"
    WORK_CASES = "care.work_cases"
    MANAGE_COMMERCE = "commerce.manage"
    CHECK_IN_TICKETS = "commerce.check_in"
    MANAGE_CHARTER = "charter.manage"
    VIEW_INSIGHTS = "insights.view"
    MANAGE_ACCOUNTS = "accounts.manage"


# Gate staff are plain employees of the operations department: any employee may scan.
_EVERYONE = {Capability.COLLABORATE, Capability.CHECK_IN_TICKETS}
CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.EMPLOYEE: frozenset(_EVERYONE | {Capability.VIEW_PEOPLE}),
    Role.AGENT: frozenset(
        _EVERYONE | {Capability.VIEW_PEOPLE, Capability.EDIT_PEOPLE, Capability.WORK_CASES}
    ),
    Role.HR: frozenset(
        _EVERYONE | {Capability.VIEW_PEOPLE, Capability.MANAGE_CHARTER, Capability.VIEW_INSIGHTS}
    ),
    Role.MANAGER: frozenset(
        _EVERYONE
        | {
            Capability.VIEW_PEOPLE,
            Capability.EDIT_PEOPLE,
            Capability.WORK_CASES,
            Capability.MANAGE_COMMERCE,
            Capability.VIEW_INSIGHTS,
        }
    ),
    Role.ADMIN: frozenset(Capability),
}

# API scopes, and the capability a token owner needs for each.
SCOPES: dict[str, Capability] = {
    "people:read": Capability.VIEW_PEOPLE,
    "people:write": Capability.EDIT_PEOPLE,
    "people:admin": Capability.ADMINISTER_PEOPLE,
    "collab:read": Capability.COLLABORATE,
    "collab:write": Capability.COLLABORATE,
    "care:read": Capability.WORK_CASES,
    "care:write": Capability.WORK_CASES,
    # Selling (opening groups, joining them for customers) resolves and creates persons.
    "commerce:read": Capability.VIEW_PEOPLE,
    "commerce:write": Capability.EDIT_PEOPLE,
    "commerce:checkin": Capability.CHECK_IN_TICKETS,
    "commerce:admin": Capability.MANAGE_COMMERCE,
    "insights:read": Capability.VIEW_INSIGHTS,
    "accounts:tokens": Capability.COLLABORATE,
    "accounts:admin": Capability.MANAGE_ACCOUNTS,
}


def role_has(role: str, capability: Capability) -> bool:
    return capability in CAPABILITIES.get(role, frozenset())


def roles_with(capability: Capability) -> list[str]:
    """The roles that may do this, to filter employees in one query (``role__in``)."""
    return [role for role in Role.values if role_has(role, capability)]


def scopes_allowed_for(role: str) -> list[str]:
    return [scope for scope, capability in SCOPES.items() if role_has(role, capability)]
