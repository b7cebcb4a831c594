"""Agents say whether they take new requests, and how many open ones they carry at most."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import User
from socius.care.models import AgentStatus
from socius.care.services.common import ensure_agent
from socius.core.errors import InvalidInput
from socius.core.services import ActivityDraft, activity_append
from socius.core.verbs import register_verbs

register_verbs({"care.availability_set": _("Availability for new requests changed")})

MAX_LOAD = 500


def agent_status_of(user: User) -> AgentStatus:
    """The agent's status; an agent who never chose is available with the default limit."""
    return AgentStatus.objects.filter(user=user).first() or AgentStatus(user=user)


@transaction.atomic
def agent_availability_set(
    *, actor: User, available: bool, max_open_cases: int | None = None
) -> AgentStatus:
    ensure_agent(actor)
    if max_open_cases is not None and not 1 <= max_open_cases <= MAX_LOAD:
        raise InvalidInput(details={"field": "max_open_cases", "min": 1, "max": MAX_LOAD})
    status, _created = AgentStatus.objects.select_for_update().get_or_create(user=actor)
    status.available = available
    if max_open_cases is not None:
        status.max_open_cases = max_open_cases
    status.save(update_fields=["available", "max_open_cases"])
    activity_append(
        ActivityDraft(
            verb="care.availability_set",
            actor_id=actor.pk,
            department_id=actor.department_id,
            payload={"available": available, "max_open_cases": status.max_open_cases},
        )
    )
    return status
