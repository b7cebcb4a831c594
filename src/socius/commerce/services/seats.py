"""Seats move only by conditional updates, always group first and offer second.

``UPDATE ... WHERE seats_taken + n <= capacity`` holds on SQLite (where row locks do
nothing; every write transaction there starts IMMEDIATE) as on PostgreSQL (where the second
writer re-reads the row once the first commits). One order for every writer, group then
offer, so two PostgreSQL transactions never wait on each other in a cycle.
"""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from socius.commerce.errors import GroupClosed, GroupFull, SoldOut
from socius.commerce.models import (
    GROUP_JOINABLE,
    SECURED,
    GroupOrder,
    Offer,
    Participant,
)


def seats_reserve(*, group: GroupOrder, seats: int) -> None:
    """Take ``seats`` in the group and from the offer, or raise (the caller's transaction
    then rolls the group's share back)."""
    now = timezone.now()
    taken = GroupOrder.objects.filter(
        pk=group.pk,
        state__in=GROUP_JOINABLE,
        deadline__gt=now,
        seats_held__lte=F("max_size") - seats,
    ).update(seats_held=F("seats_held") + seats, updated_at=now)
    if not taken:
        fresh = GroupOrder.objects.only("state", "deadline").get(pk=group.pk)
        if fresh.state not in GROUP_JOINABLE or fresh.deadline <= now:
            raise GroupClosed(details={"state": fresh.state})
        raise GroupFull(details={"seats_free": group.max_size - group.seats_held})
    sold = Offer.objects.filter(pk=group.offer_id, seats_taken__lte=F("capacity") - seats).update(
        seats_taken=F("seats_taken") + seats, updated_at=now
    )
    if not sold:
        raise SoldOut()


def participant_move(
    participant: Participant, *, from_states: tuple[str, ...], to: str, **fields: object
) -> str | None:
    """Move the participant from one of ``from_states`` to ``to``, once: returns the state
    it left, or None when it was in none of them (someone else moved it first)."""
    now = timezone.now()
    for state in from_states:
        moved = Participant.objects.filter(pk=participant.pk, state=state).update(
            state=to, updated_at=now, **fields
        )
        if moved:
            participant.state = to
            for name, value in fields.items():
                if not hasattr(value, "resolve_expression"):
                    setattr(participant, name, value)
            return state
    return None


def seats_return(*, participant: Participant, left: str) -> None:
    """Give back the seats of a participant who just left state ``left`` (which held them)."""
    now = timezone.now()
    seats = participant.seats
    secured = seats if left in SECURED else 0
    GroupOrder.objects.filter(pk=participant.group_id).update(
        seats_held=F("seats_held") - seats,
        seats_secured=F("seats_secured") - secured,
        updated_at=now,
    )
    Offer.objects.filter(pk=participant.group.offer_id).update(
        seats_taken=F("seats_taken") - seats, updated_at=now
    )


def seats_secure(*, participant: Participant) -> None:
    GroupOrder.objects.filter(
        pk=participant.group_id, seats_secured__lte=F("seats_held") - participant.seats
    ).update(seats_secured=F("seats_secured") + participant.seats, updated_at=timezone.now())
