"""What every write of customer care shares: errors, access, the Activity, live nudges."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from socius.accounts.models import User
from socius.accounts.roles import Capability
from socius.care.models import Case
from socius.core.errors import Forbidden, InvalidInput
from socius.core.live import LiveEvent, publish_many_on_commit
from socius.core.models import Visibility
from socius.core.services import ActivityDraft, ActivityObject, activity_append

MAX_BODY = 20_000
INBOX_CHANNEL = "care:inbox"


class NotAnAgent(Forbidden):
    code = "not_an_agent"
    default_message = _("Only customer-care agents and their managers may do that.")


class CaseMerged(InvalidInput):
    code = "case_merged"
    default_message = _("This case was merged into another one.")


def ensure_agent(actor: User) -> None:
    if not actor.can(Capability.WORK_CASES):
        raise NotAnAgent()


def intake_key_of(person_id: int) -> str:
    return f"person:{person_id}"


def intake_key_free(person_id: int) -> str | None:
    """The person's intake key if no active case holds it (see ``Case.intake_key``)."""
    key = intake_key_of(person_id)
    return None if Case.objects.filter(intake_key=key).exists() else key


def clean_body(text: str, *, field: str = "body") -> str:
    body = (text or "").strip()
    if not body or len(body) > MAX_BODY:
        raise InvalidInput(details={"field": field, "min_length": 1, "max_length": MAX_BODY})
    return body


def case_activity(
    case: Case,
    verb: str,
    *,
    actor: User | None = None,
    summary: str = "",
    payload: dict[str, Any] | None = None,
    customer_sees: bool = False,
) -> None:
    """Append what happened on a case to the person's timeline, under the case's department
    (insights compute response times and satisfaction per department from these)."""
    activity_append(
        ActivityDraft(
            verb=verb,
            actor_id=actor.pk if actor else None,
            person_id=case.person_id,
            department_id=case.department_id,
            about=ActivityObject.of(case),
            channel=case.channel,
            visibility=Visibility.CUSTOMER if customer_sees else Visibility.INTERNAL,
            summary=summary[:200],
            payload={"case": case.pk, **(payload or {})},
        )
    )


def nudge(case: Case, *extra_user_ids: int | None) -> None:
    """Open inboxes and the case page refresh once the change is committed. Events carry
    ids only: each page re-reads what its viewer may see."""
    events = [
        LiveEvent(channel=INBOX_CHANNEL, name="case", data={"case": case.pk}),
        LiveEvent(channel=f"case:{case.pk}", name="case", data={"case": case.pk}),
    ]
    for user_id in {case.assignee_id, *extra_user_ids} - {None}:
        events.append(LiveEvent(channel=f"user:{user_id}", name="case", data={"case": case.pk}))
    publish_many_on_commit(events)
