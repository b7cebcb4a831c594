"""An employee's answer to a duplicate suggestion: merge, not the same person, or later."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from socius.accounts.models import User
from socius.core.errors import Conflict, DomainError, InvalidInput
from socius.core.services import ActivityDraft, ActivityObject, activity_append
from socius.core.verbs import register_verbs
from socius.people.models import DuplicateSuggestion, Person
from socius.people.services.merge import person_merge

Decision = Literal["merge", "distinct", "later"]
DECISIONS: tuple[Decision, ...] = ("merge", "distinct", "later")

REASON_MERGED_FROM_SUGGESTION = gettext_noop("An employee confirmed the duplicate suggestion.")

register_verbs(
    {
        "person.duplicate_merge": _("Duplicate confirmed and merged"),
        "person.duplicate_distinct": _("Judged not the same person"),
        "person.duplicate_later": _("Duplicate review postponed"),
    }
)


class SuggestionAlreadyDecided(Conflict):
    code = "suggestion_already_decided"
    default_message = _("This suggestion was already decided.")


# "Later" is not final: the suggestion may still be decided for good.
_UNDECIDED = (DuplicateSuggestion.Status.OPEN, DuplicateSuggestion.Status.LATER)


@transaction.atomic
def suggestion_decide(
    *, suggestion: DuplicateSuggestion, decision: str, actor: User
) -> DuplicateSuggestion:
    """Record the decision; "distinct" is remembered forever, so the pair is never suggested
    again; "merge" merges the newer record into the older one."""
    if decision not in DECISIONS:
        raise InvalidInput(details={"field": "decision", "allowed": list(DECISIONS)})
    suggestion = DuplicateSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status not in _UNDECIDED:
        raise SuggestionAlreadyDecided(
            details={"suggestion": suggestion.pk, "status": suggestion.status}
        )
    if decision == "merge":
        older, newer = Person.objects.filter(
            pk__in=[suggestion.person_a_id, suggestion.person_b_id]
        ).order_by("pk")
        person_merge(
            survivor=older, absorbed=newer, reason=REASON_MERGED_FROM_SUGGESTION, actor_id=actor.pk
        )
        suggestion.refresh_from_db()
    else:
        suggestion.status = decision
        suggestion.decided_at = timezone.now()
        suggestion.decided_by = actor
        suggestion.save(update_fields=["status", "decided_at", "decided_by"])
    pair = (suggestion.person_a_id, suggestion.person_b_id)
    for person_id, other_id in (pair, pair[::-1]):
        activity_append(
            ActivityDraft(
                verb=f"person.duplicate_{decision}",
                actor_id=actor.pk,
                person_id=person_id,
                department_id=actor.department_id,
                about=ActivityObject.of(suggestion),
                payload={"suggestion": suggestion.pk, "decision": decision, "other": other_id},
            )
        )
    return suggestion


@dataclass
class BulkMergeOutcome:
    merged: list[int] = field(default_factory=list)
    refused: list[tuple[int, str, str]] = field(default_factory=list)  # id, code, message
    remaining: int = 0


def _open_at_or_above(min_probability: float) -> QuerySet[DuplicateSuggestion]:
    return DuplicateSuggestion.objects.filter(
        status=DuplicateSuggestion.Status.OPEN,
        probability__gte=min_probability,
        person_a__merged_into__isnull=True,
        person_b__merged_into__isnull=True,
        person_a__erased_at__isnull=True,
        person_b__erased_at__isnull=True,
    )


def suggestions_merge_above(
    *, min_probability: float, actor: User, limit: int = 200
) -> BulkMergeOutcome:
    """Accept up to ``limit`` open suggestions scored at least ``min_probability``, best
    first.

    Each merge is the ordinary reversible one, in its own transaction. A pair that needs a
    person's look is left open and reported, as for automatic merges: given names or birth
    dates that plainly differ, two different values of a strong identifier kind, or a merge
    the merge service refuses (two employees, a pair changed meanwhile).
    """
    from socius.people.services.detection import strong_conflicts

    if not 0.5 <= min_probability <= 1:
        raise InvalidInput(details={"field": "min_probability", "minimum": 0.5, "maximum": 1})
    outcome = BulkMergeOutcome()
    # Read before writing; pairs left to a person do not use up the limit (up to a point).
    candidates = list(
        _open_at_or_above(min_probability).order_by("-probability", "pk")[: limit * 5]
    )
    for suggestion in candidates:
        if len(outcome.merged) >= limit:
            break
        reason = _needs_a_look(suggestion.evidence or {})
        if reason is None and strong_conflicts(suggestion.person_a_id, suggestion.person_b_id):
            reason = ("strong_identifiers_differ", str(_STRONG_CONFLICT))
        if reason is not None:
            outcome.refused.append((suggestion.pk, *reason))
            continue
        try:
            suggestion_decide(suggestion=suggestion, decision="merge", actor=actor)
        except DomainError as error:
            outcome.refused.append((suggestion.pk, error.code, str(error.message)))
        else:
            outcome.merged.append(suggestion.pk)
    refused = [pk for pk, _code, _message in outcome.refused]
    outcome.remaining = _open_at_or_above(min_probability).exclude(pk__in=refused).count()
    return outcome


_CONTRADICTED = _("Their given names or birth dates plainly differ: a person should look.")
_STRONG_CONFLICT = _("They hold two different values of one strong identifier kind.")


def _needs_a_look(evidence: dict[str, Any]) -> tuple[str, str] | None:
    """The detection evidence says a given name or a birth date disagrees outright."""
    for item in evidence.get("fields", []):
        if item.get("field") in ("given_name", "birth_date") and item.get("gamma") == 0:
            return ("contradicted", str(_CONTRADICTED))
    return None


def suggestions_count_above(*, min_probability: float) -> int:
    return _open_at_or_above(min_probability).count()
