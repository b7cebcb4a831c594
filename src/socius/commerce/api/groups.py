"""Group orders: open one for a customer, join one from its share link, follow it.

Scopes: commerce:write to open and join (an integration acting for its customers),
commerce:read to follow. A group read by id shows participants by display name only.
"""

from __future__ import annotations

from typing import Any

from ninja import Router, Status

from socius.accounts.api_auth import TokenAuth, api_user
from socius.commerce.api.schemas import GroupJoinIn, GroupOpenIn, GroupOut, JoinOut
from socius.commerce.models import GroupOrder
from socius.commerce.selectors import group_get, group_participants, group_progress, offer_get_for
from socius.commerce.services.groups import JoinOutcome, Party, group_join, group_open

READ, WRITE = TokenAuth("commerce:read"), TokenAuth("commerce:write")

router = Router(tags=["commerce"])


def join_out(outcome: JoinOutcome) -> dict[str, Any]:
    participant, payment = outcome.participant, outcome.payment
    group = participant.group
    return {
        "id": group.pk,
        "share_token": group.share_token,
        "state": GroupOrder.objects.values_list("state", flat=True).get(pk=group.pk),
        "participant": participant.pk,
        "participant_state": participant.state,
        "access_token": participant.access_token,
        "seats": participant.seats,
        "amount_cents": payment.amount_cents,
        "checkout_url": payment.checkout_url,
    }


def group_out(group: GroupOrder) -> dict[str, Any]:
    progress = group_progress(group)
    participants = [
        {
            "display_name": str(participant.person.display_name),
            "seats": participant.seats,
            "state": participant.state,
            "is_organiser": participant.is_organiser,
        }
        for participant in group_participants(group)
    ]
    return {
        "id": group.pk,
        "offer": group.offer_id,
        "title": group.title,
        "state": group.state,
        "share_token": group.share_token,
        "min_size": group.min_size,
        "max_size": group.max_size,
        "payment_mode": group.payment_mode,
        "base_price_cents": group.base_price_cents,
        "tipped_at": group.tipped_at,
        "ended_at": group.ended_at,
        "participants": participants,
        **{key: progress[key] for key in GroupOut.model_fields if key in progress},
    }


@router.post("/groups", response={201: JoinOut, 200: JoinOut}, auth=WRITE)
def groups_open(request: Any, data: GroupOpenIn) -> Status[dict[str, Any]]:
    """Open a group for its organiser, who pays their own seats at ``checkout_url``."""
    offer = offer_get_for(user=api_user(request), pk=data.offer)
    # An authenticated integration (commerce:write) vouches for every identifier it sends.
    organiser = Party(
        identifiers=data.organiser.identifiers_data(),
        profile=data.organiser.profile_data(),
        trusted=True,
    )
    outcome = group_open(
        offer=offer,
        organiser=organiser,
        seats=data.seats,
        title=data.title,
        idempotency_key=data.idempotency_key,
    )
    return Status(201 if outcome.created else 200, join_out(outcome))


@router.post("/groups/{group_id}/join", response={201: JoinOut, 200: JoinOut}, auth=WRITE)
def groups_join(request: Any, group_id: int, data: GroupJoinIn) -> Status[dict[str, Any]]:
    """201 for a new participant, 200 for a retried request (same key and body); 409
    ``sold_out``, ``group_full``, ``group_closed`` or ``already_in_group`` otherwise."""
    group = group_get(group_id, api_user(request))
    party = Party(identifiers=data.identifiers_data(), profile=data.profile_data(), trusted=True)
    outcome = group_join(
        group=group,
        share_token=data.share_token,
        party=party,
        seats=data.seats,
        idempotency_key=data.idempotency_key,
    )
    return Status(201 if outcome.created else 200, join_out(outcome))


@router.get("/groups/{group_id}", response=GroupOut, auth=READ)
def groups_detail(request: Any, group_id: int) -> dict[str, Any]:
    return group_out(group_get(group_id, api_user(request)))
