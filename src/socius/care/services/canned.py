"""Canned replies: texts agents start from, with a few variables filled in.

Colleagues write these texts, so they are never run through the template engine (a
``{{ settings.SECRET_KEY }}`` or a ``{% load %}`` would be template injection): a variable
of the allowlist below is replaced with its value as plain text, and anything else stays
exactly as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.db.models import Q

from socius.accounts.models import User
from socius.care.models import CannedReply, Case

VARIABLES: dict[str, Callable[[Case, User], str]] = {
    "customer.first_name": lambda case, agent: case.person.given_name,
    "customer.last_name": lambda case, agent: case.person.family_name,
    "customer.name": lambda case, agent: (
        f"{case.person.given_name} {case.person.family_name}".strip()
    ),
    "agent.name": lambda case, agent: agent.full_name,
    "case.reference": lambda case, agent: case.reference,
    "case.subject": lambda case, agent: case.subject,
}

_VARIABLE = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")


def canned_replies_for(*, user: User, case: Case) -> list[CannedReply]:
    """The replies for everyone, those of the case's department and those of the agent's
    own (an agent helping another department keeps their usual texts)."""
    departments = {case.department_id, user.department_id} - {None}
    return list(
        CannedReply.objects.filter(Q(department__isnull=True) | Q(department_id__in=departments))
    )


def canned_render(*, reply: CannedReply, case: Case, agent: User) -> str:
    def fill(match: re.Match[str]) -> str:
        value = VARIABLES.get(match.group(1))
        return match.group(0) if value is None else value(case, agent)

    return _VARIABLE.sub(fill, reply.body)
