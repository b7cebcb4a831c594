"""Issuing, revoking and reissuing e-tickets: one per seat of a paid participant."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socius.commerce.models import Participant, ParticipantState, Ticket, TicketState
from socius.commerce.models.offers import Offer, OfferKind
from socius.commerce.tickets.codes import encode
from socius.core.errors import Conflict
from socius.core.models import Visibility
from socius.core.services import ActivityDraft, ActivityObject, activity_append
from socius.core.verbs import register_verbs
from socius.people.services import live_person

# Tickets and the gate belong to the park's operations ("Exploitation" in the demo).
OPERATIONS_DEPARTMENT_SLUG = "exploitation"
PAID = (ParticipantState.CONFIRMED, ParticipantState.TICKETED)
LIVE = (TicketState.ISSUED, TicketState.CHECKED_IN)

register_verbs(
    {
        "commerce.tickets_issued": _("E-tickets issued"),
        "commerce.tickets_revoked": _("E-tickets revoked"),
        "commerce.ticket_reissued": _("E-ticket reissued"),
        "commerce.ticket_checked_in": _("Checked in at the gate"),
    }
)


class TicketsNotIssuable(Conflict):
    code = "tickets_not_issuable"
    default_message = _("Tickets are issued only to a participant who has paid.")


class TicketNotReissuable(Conflict):
    code = "ticket_not_reissuable"
    default_message = _("Only a valid ticket that has not been used can be reissued.")


def operations_department_id() -> int | None:
    from socius.accounts.models import Department

    return (
        Department.objects.filter(slug=OPERATIONS_DEPARTMENT_SLUG)
        .values_list("pk", flat=True)
        .first()
    )


def validity(offer: Offer, *, issued_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """A dated event: the whole day where the park is, so the holder may come in from
    opening. An open-dated ticket: ``validity_days`` from its issue."""
    if offer.kind == OfferKind.DATED and offer.event_date is not None:
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        start = dt.datetime.combine(offer.event_date, dt.time.min, tzinfo=zone)
        end = dt.datetime.combine(offer.event_date + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        return start, end
    return issued_at, issued_at + dt.timedelta(days=offer.validity_days)


def _new_ticket(participant: Participant, seat_no: int, now: dt.datetime) -> Ticket:
    offer = participant.group.offer
    valid_from, valid_until = validity(offer, issued_at=now)
    tid = uuid.uuid4()
    code, kid = encode(tid=tid, oid=offer.pk, nbf=valid_from, exp=valid_until)
    return Ticket(
        tid=tid,
        participant=participant,
        offer=offer,
        holder=live_person(participant.person),
        seat_no=seat_no,
        code=code,
        kid=kid,
        valid_from=valid_from,
        valid_until=valid_until,
    )


def _email_on_commit(participant_id: int, ticket_ids: list[int]) -> None:
    from socius.commerce.tickets.emails import tickets_email_send

    transaction.on_commit(lambda: tickets_email_send(participant_id=participant_id, ids=ticket_ids))


def tickets_issue(participant: Participant) -> list[Ticket]:
    """One ticket per seat, for a participant who has paid; calling it again returns the
    live tickets without making more. Moves the participant from confirmed to ticketed."""
    with transaction.atomic():
        participant = (
            Participant.objects.select_for_update()
            .select_related("group__offer", "person")
            .get(pk=participant.pk)
        )
        if participant.state not in PAID:
            raise TicketsNotIssuable(details={"state": participant.state})
        live = {t.seat_no: t for t in participant.tickets.filter(state__in=LIVE)}
        now = timezone.now()
        missing = [
            _new_ticket(participant, seat_no, now)
            for seat_no in range(1, participant.seats + 1)
            if seat_no not in live
        ]
        if missing:
            try:
                with transaction.atomic():
                    Ticket.objects.bulk_create(missing)
            except IntegrityError:
                # Issued by a concurrent call meanwhile (the partial unique constraint on
                # the seat refused ours): theirs are the tickets.
                missing = []
            Participant.objects.filter(pk=participant.pk, state=ParticipantState.CONFIRMED).update(
                state=ParticipantState.TICKETED, updated_at=now
            )
        tickets = list(
            participant.tickets.filter(state__in=LIVE).order_by("seat_no").select_related("offer")
        )
        if missing:
            activity_append(
                ActivityDraft(
                    verb="commerce.tickets_issued",
                    person_id=tickets[0].holder_id,
                    department_id=operations_department_id(),
                    about=ActivityObject.of(participant),
                    channel="web",
                    visibility=Visibility.CUSTOMER,
                    summary=str(participant.group.offer.title),
                    payload={"tickets": [str(t.tid) for t in missing], "seats": len(missing)},
                )
            )
            _email_on_commit(participant.pk, [t.pk for t in tickets])
        return tickets


def tickets_revoke(participant: Participant, reason: str) -> int:
    """Revoke the participant's unused tickets (a refund, a cancellation); a used one stays
    as it is: it tells who came in. Returns how many were revoked."""
    with transaction.atomic():
        now = timezone.now()
        revoked = list(
            participant.tickets.filter(state=TicketState.ISSUED).values_list("tid", flat=True)
        )
        count = Ticket.objects.filter(participant=participant, state=TicketState.ISSUED).update(
            state=TicketState.REVOKED, revoked_at=now, revoke_reason=reason[:40]
        )
        if count:
            activity_append(
                ActivityDraft(
                    verb="commerce.tickets_revoked",
                    person_id=live_person(participant.person).pk,
                    department_id=operations_department_id(),
                    about=ActivityObject.of(participant),
                    visibility=Visibility.CUSTOMER,
                    summary=reason[:200],
                    payload={"tickets": [str(tid) for tid in revoked], "reason": reason[:40]},
                )
            )
        return count


def ticket_reissue(ticket: Ticket, reason: str, *, actor_id: int | None = None) -> Ticket:
    """A new code for the same seat (a transfer, a leaked QR): the old ticket is revoked
    and points to its replacement; the new one is emailed."""
    with transaction.atomic():
        now = timezone.now()
        claimed = Ticket.objects.filter(pk=ticket.pk, state=TicketState.ISSUED).update(
            state=TicketState.REVOKED, revoked_at=now, revoke_reason=reason[:40]
        )
        if not claimed:
            raise TicketNotReissuable(details={"ticket": str(ticket.tid)})
        participant = Participant.objects.select_related("group__offer", "person").get(
            pk=ticket.participant_id
        )
        replacement = _new_ticket(participant, ticket.seat_no, now)
        replacement.save()
        Ticket.objects.filter(pk=ticket.pk).update(replaced_by=replacement)
        activity_append(
            ActivityDraft(
                verb="commerce.ticket_reissued",
                actor_id=actor_id,
                person_id=replacement.holder_id,
                department_id=operations_department_id(),
                about=ActivityObject.of(replacement),
                visibility=Visibility.CUSTOMER,
                summary=reason[:200],
                payload={"old": str(ticket.tid), "new": str(replacement.tid)},
            )
        )
        _email_on_commit(participant.pk, [replacement.pk])
        return replacement
