"""Offers: what employees put on sale (scope commerce:admin to change, commerce:read to read)."""

from __future__ import annotations

from typing import Any

import pydantic
from django.db import transaction
from ninja import Router, Status

from socius.accounts.api_auth import TokenAuth, api_user
from socius.commerce.api.schemas import OfferIn, OfferOut, OfferPatchIn
from socius.commerce.models import Offer
from socius.commerce.selectors import offer_get_for, offers_list
from socius.commerce.services.offers import (
    offer_archive,
    offer_create,
    offer_publish,
    offer_update,
)
from socius.core.errors import InvalidInput

READ, ADMIN = TokenAuth("commerce:read"), TokenAuth("commerce:admin")

router = Router(tags=["commerce"])


def offer_out(offer: Offer) -> dict[str, Any]:
    fields = {name: getattr(offer, name) for name in OfferOut.model_fields if name != "tiers"}
    tiers = [
        {"min_group_size": tier.min_group_size, "unit_price_cents": tier.unit_price_cents}
        for tier in offer.tiers.all()
    ]
    return {**fields, "id": offer.pk, "tiers": tiers}


@router.get("/offers", response=list[OfferOut], auth=READ)
def offers_index(request: Any) -> list[dict[str, Any]]:
    """Every offer, newest first."""
    return [offer_out(offer) for offer in offers_list(user=api_user(request))[:200]]


@router.post("/offers", response={201: OfferOut}, auth=ADMIN)
def offers_create(request: Any, data: OfferIn) -> Status[dict[str, Any]]:
    actor = api_user(request)
    with transaction.atomic():
        offer = offer_create(actor=actor, data=data.to_data())
        if data.publish:
            offer_publish(actor=actor, offer=offer)
    return Status(201, offer_out(offer_get_for(user=actor, pk=offer.pk)))


@router.get("/offers/{offer_id}", response=OfferOut, auth=READ)
def offers_detail(request: Any, offer_id: int) -> dict[str, Any]:
    return offer_out(offer_get_for(user=api_user(request), pk=offer_id))


@router.patch("/offers/{offer_id}", response=OfferOut, auth=ADMIN)
def offers_update(request: Any, offer_id: int, data: OfferPatchIn) -> dict[str, Any]:
    """Any subset of the creation fields; the result is checked whole, as at creation."""
    actor = api_user(request)
    offer = offer_get_for(user=actor, pk=offer_id)
    try:
        merged = OfferIn.model_validate({**_editable(offer), **data.model_dump(exclude_unset=True)})
    except pydantic.ValidationError as error:  # e.g. a required field set to null
        raise InvalidInput(details={"errors": error.errors(include_url=False)}) from None
    offer_update(actor=actor, offer=offer, data=merged.to_data())
    return offer_out(offer_get_for(user=actor, pk=offer.pk))


def _editable(offer: Offer) -> dict[str, Any]:
    current = offer_out(offer)
    return {name: current[name] for name in OfferPatchIn.model_fields if name in current} | {
        "slug": offer.slug
    }


@router.post("/offers/{offer_id}/publish", response=OfferOut, auth=ADMIN)
def offers_publish(request: Any, offer_id: int) -> dict[str, Any]:
    actor = api_user(request)
    offer = offer_publish(actor=actor, offer=offer_get_for(user=actor, pk=offer_id))
    return offer_out(offer_get_for(user=actor, pk=offer.pk))


@router.post("/offers/{offer_id}/archive", response=OfferOut, auth=ADMIN)
def offers_archive(request: Any, offer_id: int) -> dict[str, Any]:
    actor = api_user(request)
    offer = offer_archive(actor=actor, offer=offer_get_for(user=actor, pk=offer_id))
    return offer_out(offer_get_for(user=actor, pk=offer.pk))
