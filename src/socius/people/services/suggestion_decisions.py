"""An employee's answer to a duplicate suggestion: merge, not the same person, or later."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

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
    """Accept every open suggestion scored at least ``min_probability``, best first.

    Each merge is the ordinary reversible one, in its own transaction: a refused merge (an
    employee's record, a pair changed meanwhile) stays open for a human and the others go on.
    """
    if not 0.5 <= min_probability <= 1:
        raise InvalidInput(details={"field": "min_probability", "minimum": 0.5, "maximum": 1})
    outcome = BulkMergeOutcome()
    candidates = list(
        _open_at_or_above(min_probability)
        .order_by("-probability", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for suggestion_id in candidates:
        suggestion = DuplicateSuggestion.objects.filter(pk=suggestion_id).first()
        if suggestion is None:
            continue
        try:
            suggestion_decide(suggestion=suggestion, decision="merge", actor=actor)
        except DomainError as error:
            outcome.refused.append((suggestion_id, error.code, str(error.message)))
        else:
            outcome.merged.append(suggestion_id)
    outcome.remaining = _open_at_or_above(min_probability).count()
    return outcome


def suggestions_count_above(*, min_probability: float) -> int:
    return _open_at_or_above(min_probability).count()
