"""Routing: rules set a new case's department, priority and tags; then the case goes to
the available agent of its department who has waited longest for one, under their load
limit."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Count, F
from django.utils import timezone

from socius.accounts.models import User
from socius.accounts.roles import Capability, roles_with
from socius.care.models import AgentStatus, Case, RoutingRule, Tag, active_cases
from socius.people.models import Identifier


def _fold(text: str) -> str:
    """Lower case without accents: "Remboursement" and "rembourser" match "rembours"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass
class Route:
    department_id: int | None
    priority: str
    tags: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)


def _attribute_matches(rule: RoutingRule, case: Case, kinds: set[str]) -> bool:
    person = case.person
    wanted = _fold(rule.attribute_value.strip())
    match rule.attribute:
        case RoutingRule.Attribute.LOCALE:
            return _fold(person.locale).startswith(wanted)
        case RoutingRule.Attribute.CITY:
            return _fold(person.city) == wanted
        case RoutingRule.Attribute.POSTCODE_PREFIX:
            return bool(wanted) and person.postcode.startswith(wanted)
        case RoutingRule.Attribute.IDENTIFIER_KIND:
            return wanted in kinds
    return True


def _matches(rule: RoutingRule, case: Case, text: str, kinds: set[str]) -> bool:
    if rule.channel and rule.channel != case.channel:
        return False
    words = [_fold(word.strip()) for word in rule.keywords.split(",") if word.strip()]
    # A keyword matches at the start of a word: "rembours" finds "remboursé", and a short
    # keyword does not fire inside unrelated words.
    if words and not any(re.search(r"(?<!\w)" + re.escape(word), text) for word in words):
        return False
    return _attribute_matches(rule, case, kinds)


def route(case: Case, first_message: str) -> Route:
    """What the active rules say of this new case (two queries whatever the rules)."""
    result = Route(department_id=case.department_id, priority=case.priority)
    rules = list(RoutingRule.objects.filter(is_active=True))
    if not rules:
        return result
    text = _fold(f"{case.subject}\n{first_message}")
    kinds = set(Identifier.objects.filter(person_id=case.person_id).values_list("kind", flat=True))
    for rule in rules:
        if not _matches(rule, case, text, kinds):
            continue
        result.rules.append(rule.name)
        if rule.set_department_id:
            result.department_id = rule.set_department_id
        if rule.set_priority:
            result.priority = rule.set_priority
        result.tags += [t.strip()[:40] for t in rule.add_tags.split(",") if t.strip()]
        if rule.stop:
            break
    return result


def apply_tags(case: Case, names: list[str]) -> None:
    if not names:
        return
    Tag.objects.bulk_create([Tag(name=name) for name in names], ignore_conflicts=True)
    case.tags.add(*Tag.objects.filter(name__in=names))


def next_agent(department_id: int | None) -> User | None:
    """The available agent of this department under their load limit who got a case
    longest ago, claimed under a lock of their row so that two concurrent cases neither
    take the same "longest waiting" agent nor both take an agent's last slot."""
    if department_id is None:
        return None
    agents = User.objects.filter(
        department_id=department_id, is_active=True, role__in=roles_with(Capability.WORK_CASES)
    )
    # Agents who never said otherwise take cases, with the default load limit.
    AgentStatus.objects.bulk_create(
        [
            AgentStatus(user_id=pk)
            for pk in agents.filter(care_status__isnull=True).values_list("pk", flat=True)
        ],
        ignore_conflicts=True,
    )
    available = list(
        AgentStatus.objects.filter(user__in=agents, available=True)
        .order_by(F("last_assigned_at").asc(nulls_first=True), "user_id")
        .values_list("user_id", "last_assigned_at", "max_open_cases")
    )
    # Each agent's open cases, read through the active cases' index: an agent's history
    # of closed cases is never counted.
    loads = dict(
        Case.objects.filter(active_cases(), assignee_id__in=[row[0] for row in available])
        .values_list("assignee_id")
        .annotate(open_cases=Count("pk"))
        .values_list("assignee_id", "open_cases")
    )
    candidates = [(pk, last) for pk, last, limit in available if loads.get(pk, 0) < limit][:5]
    now = timezone.now()
    for user_id, last in candidates:
        # Lock the agent's row, then count again: a concurrent case that took this agent's
        # last slot has committed by then (SQLite runs one writer at a time anyway).
        status = AgentStatus.objects.select_for_update().get(user_id=user_id)
        if status.last_assigned_at != last or not status.available:
            continue  # taken meanwhile: the next one in the round
        load = Case.objects.filter(active_cases(), assignee_id=user_id).count()
        if load >= status.max_open_cases:
            continue
        status.last_assigned_at = now
        status.save(update_fields=["last_assigned_at"])
        return User.objects.get(pk=user_id)
    return None
