"""Checking a ticket in at a gate: every scan answered and recorded, each ticket admitted
once.

The admission is one conditional UPDATE (``state = issued`` → ``checked_in``): when two
gates scan the same ticket at the same instant, the database lets exactly one of them
change the row, on SQLite (where row locks do nothing) as on PostgreSQL; the other reads
"already checked in". A scanner's nonce makes a scan uploaded twice (an offline batch sent
again) answer its first outcome instead of counting twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import User
from socius.commerce.models import (
    CheckIn,
    CheckInResult,
    Gate,
    ParticipantState,
    Ticket,
    TicketState,
)
from socius.commerce.tickets.codes import InvalidCode, verify
from socius.commerce.tickets.issue import operations_department_id
from socius.core.errors import Conflict, NotFound
from socius.core.models import Visibility
from socius.core.services import ActivityDraft, ActivityObject, activity_append

PAID = (ParticipantState.CONFIRMED, ParticipantState.TICKETED)


class GateNotFound(NotFound):
    code = "gate_not_found"


@dataclass(frozen=True)
class CheckInOutcome:
    result: str
    ticket: Ticket | None = None
    holder_name: str = ""
    seat: int | None = None
    replayed: bool = False  # the answer of an earlier upload of the same scan

    @property
    def admitted(self) -> bool:
        return self.result == CheckInResult.OK


# What judging a scan reads; the rest of the rows stays in the database.
_SCAN_FIELDS = (
    "tid", "code", "state", "offer_id", "seat_no", "valid_from", "valid_until",
    "holder__given_name", "holder__family_name", "participant__state",
)  # fmt: skip


class NonceReused(Conflict):
    code = "nonce_reused"
    default_message = _("This scan's nonce was already used for another code or gate.")


def gate_get(slug: str) -> Gate:
    gate = Gate.objects.select_related("offer").filter(slug=slug).order_by().first()
    if gate is None:
        raise GateNotFound
    return gate


def _outcome(result: str, ticket: Ticket | None, *, replayed: bool = False) -> CheckInOutcome:
    if ticket is None:
        return CheckInOutcome(result=result, replayed=replayed)
    return CheckInOutcome(
        result=result,
        ticket=ticket,
        holder_name=str(ticket.holder.display_name),
        seat=ticket.seat_no,
        replayed=replayed,
    )


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _replay(nonce: str, *, code: str, gate: Gate) -> CheckInOutcome | None:
    """The first outcome of a scan uploaded again, which must be the same scan: an old nonce
    must not vouch for another code (nor reveal the holder of the first one)."""
    first = CheckIn.objects.select_related("ticket__holder").filter(nonce=nonce).order_by().first()
    if first is None:
        return None
    same_scan = first.gate == gate.slug and constant_time_compare(first.code_digest, _digest(code))
    if not same_scan:
        raise NonceReused(details={"nonce": nonce})
    return _outcome(first.result, first.ticket, replayed=True)


def _ticket_for(code: str) -> Ticket | None:
    """The ticket an authentic code names, or None for a forgery. The stored code must
    match too: a code signed for a ticket id we never issued is not ours to admit."""
    try:
        payload = verify(code)
    except InvalidCode:
        return None
    ticket = (
        Ticket.objects.filter(tid=payload.tid)
        .select_related("holder", "participant")
        .only(*_SCAN_FIELDS)
        .order_by()  # one row by a unique column: no ordering joins
        .first()
    )
    if ticket is None or not constant_time_compare(ticket.code, code):
        return None
    return ticket


def _judge(ticket: Ticket | None, gate: Gate, at: dt.datetime) -> str:
    """The first refusal that applies, in the order a gate agent needs them, else ok."""
    if ticket is None:
        return CheckInResult.INVALID_SIGNATURE
    if ticket.offer_id != gate.offer_id:
        return CheckInResult.WRONG_EVENT
    if ticket.state == TicketState.REVOKED:
        return CheckInResult.REVOKED
    if ticket.participant.state not in PAID:
        return CheckInResult.UNPAID
    if at < ticket.valid_from:
        return CheckInResult.NOT_YET_VALID
    if at >= ticket.valid_until:
        return CheckInResult.EXPIRED
    if ticket.state == TicketState.CHECKED_IN:
        return CheckInResult.ALREADY
    return CheckInResult.OK


def _admit(ticket: Ticket, gate: Gate, at: dt.datetime) -> str:
    admitted = Ticket.objects.filter(pk=ticket.pk, state=TicketState.ISSUED).update(
        state=TicketState.CHECKED_IN, checked_in_at=at, checked_in_gate=gate.slug
    )
    if admitted:
        return CheckInResult.OK
    # Another gate won the race, or the ticket was revoked a moment ago.
    state = Ticket.objects.filter(pk=ticket.pk).values_list("state", flat=True).get()
    return CheckInResult.REVOKED if state == TicketState.REVOKED else CheckInResult.ALREADY


def checkin(
    *,
    code: str,
    gate_slug: str,
    nonce: str | None = None,
    scanned_at: dt.datetime | None = None,
    offline: bool = False,
    user: User | None = None,
) -> CheckInOutcome:
    """Answer one scan at a gate, record it, and admit the ticket if everything holds."""
    gate = gate_get(gate_slug)
    nonce = nonce or None
    code = code.strip()
    if nonce is not None and (replayed := _replay(nonce, code=code, gate=gate)) is not None:
        return replayed
    now = timezone.now()
    if scanned_at is not None and timezone.is_naive(scanned_at):
        scanned_at = timezone.make_aware(scanned_at, dt.UTC)  # scanners send UTC
    # An offline scan is judged at the moment it was made, never in the future.
    at = min(scanned_at, now) if scanned_at is not None else now
    ticket = _ticket_for(code)
    try:
        with transaction.atomic():
            result = _judge(ticket, gate, at)
            if result == CheckInResult.OK and ticket is not None:
                result = _admit(ticket, gate, at)
            CheckIn.objects.create(
                ticket=ticket,
                gate=gate.slug,
                result=result,
                scanned_at=at,
                offline=offline,
                nonce=nonce,
                code_digest=_digest(code),
                scanned_by=user,
            )
            if result == CheckInResult.OK and ticket is not None:
                _activity(ticket, gate, user, offline)
    except IntegrityError:
        # The same nonce recorded by a concurrent upload: everything above rolled back,
        # the first upload's answer stands.
        replayed = _replay(nonce, code=code, gate=gate) if nonce is not None else None
        if replayed is None:
            raise
        return replayed
    return _outcome(result, ticket)


def _activity(ticket: Ticket, gate: Gate, user: User | None, offline: bool) -> None:
    activity_append(
        ActivityDraft(
            verb="commerce.ticket_checked_in",
            actor_id=user.pk if user is not None else None,
            person_id=ticket.holder_id,
            department_id=operations_department_id(),
            about=ActivityObject.of(ticket),
            channel="gate",
            visibility=Visibility.CUSTOMER,
            summary=gate.name,
            payload={"gate": gate.slug, "seat": ticket.seat_no, "offline": offline},
        )
    )


def revoked_since(*, offer_id: int, since: dt.datetime | None = None) -> list[str]:
    """Ticket ids an offline scanner must refuse although their signature holds."""
    revoked = Ticket.objects.filter(offer_id=offer_id, state=TicketState.REVOKED)
    if since is not None:
        revoked = revoked.filter(revoked_at__gte=since)
    return [str(tid) for tid in revoked.order_by("revoked_at").values_list("tid", flat=True)]
