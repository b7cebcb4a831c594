"""Employees follow a group order: who joined, who paid, what happened; and may cancel it,
refund one participant, or give one ticket a new code."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socius.commerce.forms import GroupCancelForm
from socius.commerce.models import (
    GROUP_FINAL,
    GroupOrder,
    GroupState,
    Participant,
    ParticipantState,
    Payment,
    Ticket,
    TicketState,
)
from socius.commerce.selectors import group_get
from socius.commerce.services import lifecycle
from socius.commerce.services.refunds import (
    REASON_MAX,
    REFUNDABLE,
    participant_get_for_staff,
    participant_refund,
    ticket_get_for_staff,
    ticket_reissue_for_staff,
)
from socius.commerce.views.offers_staff import commerce_staff
from socius.core.errors import DomainError
from socius.core.forms import form_add_domain_error
from socius.core.http import AuthenticatedHttpRequest
from socius.core.models import Activity

ACTIVITY_SHOWN = 50
# Only these can hold a live ticket; the tickets query runs only when someone is in them.
TICKET_HOLDING = (ParticipantState.CONFIRMED, ParticipantState.TICKETED)


class ParticipantRefundForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason, told to the customer"), max_length=REASON_MAX
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I understand that the payment is refunded, the seats go back on sale and the "
            "unused tickets stop working."
        ),
        required=True,
    )


class TicketReissueForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Why a new code"),
        choices=[
            ("transfer", gettext_lazy("Given to someone else")),
            ("leaked_code", gettext_lazy("The code leaked")),
        ],
    )


def _group(request: AuthenticatedHttpRequest, group_id: int) -> GroupOrder:
    return group_get(group_id, request.user)


def _participants(group: GroupOrder) -> list[Participant]:
    payments = Payment.objects.order_by("-created_at")
    participants = (
        Participant.objects.filter(group=group)
        .select_related("person")
        .prefetch_related(Prefetch("payments", queryset=payments, to_attr="payments_newest"))
        .order_by("joined_at", "pk")
    )
    listed: list[Participant] = list(participants)
    holders = [p.pk for p in listed if p.state in TICKET_HOLDING]
    tickets: dict[int, list[Ticket]] = {}
    if holders:
        live = Ticket.objects.filter(
            participant_id__in=holders, state__in=(TicketState.ISSUED, TicketState.CHECKED_IN)
        ).order_by("participant_id", "seat_no")
        for ticket in live:
            tickets.setdefault(ticket.participant_id, []).append(ticket)
    for participant in listed:
        newest = participant.payments_newest  # type: ignore[attr-defined]
        participant.payment = newest[0] if newest else None  # type: ignore[attr-defined]
        participant.live_tickets = tickets.get(participant.pk, [])  # type: ignore[attr-defined]
        participant.may_refund = (  # type: ignore[attr-defined]
            participant.state in REFUNDABLE and group.state != GroupState.SETTLING
        )
    return listed


def _activity(group: GroupOrder, participants: list[Participant]) -> list[Activity]:
    """What happened to the group, read through the participants' timelines (indexed by
    person), not by a scan of every activity's object."""
    about_group = Q(object_type="commerce.grouporder", object_id=str(group.pk))
    about_participants = Q(
        object_type="commerce.participant", object_id__in=[str(p.pk) for p in participants]
    )
    persons = {p.person_id for p in participants} | {group.organiser_id}
    entries = (
        Activity.objects.filter(person_id__in=persons, verb__startswith="commerce.")
        .filter(about_group | about_participants)
        .select_related("actor")
        .order_by("-occurred_at", "-pk")[:ACTIVITY_SHOWN]
    )
    return list(entries)


@commerce_staff
@require_GET
def group_detail(request: AuthenticatedHttpRequest, group_id: int) -> HttpResponse:
    group = _group(request, group_id)
    participants = _participants(group)
    context: dict[str, Any] = {
        "group": group,
        "offer": group.offer,
        "participants": participants,
        "activity": _activity(group, participants),
        "may_cancel": group.state not in GROUP_FINAL,
        "reissue_form": TicketReissueForm(),
    }
    return render(request, "commerce/groups/detail.html", context)


@commerce_staff
@require_http_methods(["GET", "POST"])
def group_cancel(request: AuthenticatedHttpRequest, group_id: int) -> HttpResponse:
    group = _group(request, group_id)
    form = GroupCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.group_cancel(
                actor=request.user, group=group, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The group is cancelled; its participants are told."))
            return redirect("commerce:group-detail", group.pk)
    status = 422 if form.is_bound else 200
    context = {"group": group, "offer": group.offer, "form": form}
    return render(request, "commerce/groups/cancel.html", context, status=status)


@commerce_staff
@require_http_methods(["GET", "POST"])
def participant_refund_view(
    request: AuthenticatedHttpRequest, group_id: int, participant_id: int
) -> HttpResponse:
    """Asks for a reason and a confirmation, then refunds: a second submission is refused
    by the service (the participant is no longer paid) and changes nothing."""
    participant = participant_get_for_staff(user=request.user, pk=participant_id, group_id=group_id)
    form = ParticipantRefundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = participant_refund(
                actor=request.user, participant=participant, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            if outcome.money_returned:
                messages.success(request, _("The participant is refunded."))
            else:
                messages.warning(
                    request,
                    _(
                        "The participant is refunded; the payment service did not answer, "
                        "the money goes back as soon as it does."
                    ),
                )
            return redirect("commerce:group-detail", group_id)
    status = 422 if form.is_bound else 200
    context = {
        "group": participant.group,
        "offer": participant.group.offer,
        "participant": participant,
        "form": form,
    }
    return render(request, "commerce/groups/refund.html", context, status=status)


@commerce_staff
@require_POST
def ticket_reissue_view(request: AuthenticatedHttpRequest, tid: uuid.UUID) -> HttpResponse:
    ticket = ticket_get_for_staff(user=request.user, tid=tid)
    group_id = ticket.participant.group_id
    form = TicketReissueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose why the ticket gets a new code."))
        return redirect("commerce:group-detail", group_id)
    try:
        ticket_reissue_for_staff(
            actor=request.user, ticket=ticket, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The ticket has a new code, sent to its holder."))
    return redirect("commerce:group-detail", group_id)
