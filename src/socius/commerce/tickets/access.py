"""Who may see which tickets: the holder of a participant's access link, or the signed-in
portal customer. Anything else answers 404, exactly as what does not exist."""

from __future__ import annotations

import re
import uuid

from django.db.models import Q, QuerySet
from django.http import Http404

from socius.commerce.models import Participant, Ticket
from socius.people.models import Person

# ``secrets.token_urlsafe(32)``: 43 characters; anything else is not a token of ours.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def _shown(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    # A reissued ticket is replaced by its successor: only the live code is shown.
    return (
        tickets.filter(replaced_by__isnull=True)
        .select_related("offer", "holder")
        .order_by("offer__event_date", "participant_id", "seat_no")
    )


def participant_by_token(token: str) -> Participant:
    """The participant whose access link this is. The token is a unique column: the lookup
    is an index probe whose timing says nothing about how close a guess was."""
    if not _TOKEN.fullmatch(token):
        raise Http404
    participant = (
        Participant.objects.select_related("group__offer", "person")
        .filter(access_token=token)
        .first()
    )
    if participant is None:
        raise Http404
    return participant


def participant_tickets(participant: Participant) -> QuerySet[Ticket]:
    return _shown(participant.tickets.all())


def participant_ticket(participant: Participant, tid: uuid.UUID) -> Ticket:
    ticket = participant_tickets(participant).filter(tid=tid).first()
    if ticket is None:
        raise Http404
    return ticket


def person_tickets(person: Person) -> QuerySet[Ticket]:
    """The tickets a portal customer holds or bought, also under a record merged into theirs."""
    mine = Q(holder=person) | Q(participant__person=person)
    mine |= Q(holder__merged_into=person) | Q(participant__person__merged_into=person)
    return _shown(Ticket.objects.filter(mine))


def person_ticket(person: Person, tid: uuid.UUID) -> Ticket:
    ticket = person_tickets(person).filter(tid=tid).first()
    if ticket is None:
        raise Http404
    return ticket
