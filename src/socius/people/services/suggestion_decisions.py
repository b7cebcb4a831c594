"""An employee's answer to a duplicate suggestion: merge, not the same person, or later."""

from __future__ import annotations

from typing import Literal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from socius.accounts.models import User
from socius.core.errors import Conflict, InvalidInput
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
