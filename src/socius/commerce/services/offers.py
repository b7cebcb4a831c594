"""Offers: what employees put on sale, with their group terms (R1, R2, R4 of the spec)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from socius.accounts.models import User
from socius.accounts.roles import Capability
from socius.commerce.errors import HoldWindowTooLong, InvalidOffer, OfferStateRefused
from socius.commerce.models import Offer, OfferKind, OfferStatus, PaymentMode, PriceTier
from socius.commerce.services.common import SALES_SLUGS, department_id, record
from socius.core.errors import Forbidden

# Visa lets a merchant hold a card-not-present authorisation for about five days.
MAX_HOLD_WINDOW_HOURS = 120


@dataclass
class OfferData:
    title: str
    capacity: int
    base_price_cents: int
    min_group_size: int = 2
    max_group_size: int = 10
    group_window_hours: int = 48
    tiers: list[tuple[int, int]] = field(default_factory=list)  # (min_group_size, unit price)
    event_date: dt.date | None = None
    sale_starts_at: dt.datetime | None = None
    sale_ends_at: dt.datetime | None = None
    kind: str = OfferKind.DATED
    payment_mode: str = PaymentMode.HOLD
    description: str = ""
    venue: str = ""
    max_seats_per_participant: int = 10
    validity_days: int = 365
    slug: str = ""


def event_starts_at(offer: Offer) -> dt.datetime | None:
    """A dated event starts, for deadlines, at midnight of its day in the site's zone."""
    if offer.kind != OfferKind.DATED or offer.event_date is None:
        return None
    midnight = dt.datetime.combine(offer.event_date, dt.time.min)
    return timezone.make_aware(midnight)


def _refuse(field_name: str, problem: str) -> InvalidOffer:
    return InvalidOffer(details={"field": field_name, "problem": problem})


def _check_sizes(data: OfferData) -> None:
    if data.capacity < 1:
        raise _refuse("capacity", "at_least_one")
    if data.base_price_cents < 1:
        raise _refuse("base_price_cents", "at_least_one_cent")
    if not 1 <= data.min_group_size <= data.max_group_size <= data.capacity:
        raise _refuse("min_group_size", "1 <= min_group_size <= max_group_size <= capacity")
    # Above the group's maximum it changes nothing: a join is also bounded by the group.
    if data.max_seats_per_participant < 1:
        raise _refuse("max_seats_per_participant", "at_least_one")
    if data.validity_days < 1:
        raise _refuse("validity_days", "at_least_one")


def _check_tiers(data: OfferData) -> None:
    sizes = [size for size, _price in data.tiers]
    if len(set(sizes)) != len(sizes):
        raise _refuse("tiers", "one_tier_per_size")
    previous_price = data.base_price_cents + 1
    for size, price in sorted(data.tiers):
        if not 1 <= size <= data.max_group_size:
            raise _refuse("tiers", "size_between_one_and_max_group_size")
        if price < 1 or price > data.base_price_cents:
            raise _refuse("tiers", "price_above_base_or_zero")
        # A bigger group never pays more per seat, else friends would be punished for joining.
        if price >= previous_price:
            raise _refuse("tiers", "price_must_fall_as_size_grows")
        previous_price = price


def _check_dates(data: OfferData) -> None:
    if data.kind not in OfferKind.values:
        raise _refuse("kind", "unknown")
    if data.payment_mode not in PaymentMode.values:
        raise _refuse("payment_mode", "unknown")
    if data.kind == OfferKind.DATED and data.event_date is None:
        raise _refuse("event_date", "dated_offer_needs_a_date")
    starts, ends = data.sale_starts_at, data.sale_ends_at
    if starts is not None and ends is not None and starts >= ends:
        raise _refuse("sale_ends_at", "sale_must_end_after_it_starts")
    if data.group_window_hours < 1:
        raise _refuse("group_window_hours", "at_least_one_hour")
    if data.payment_mode == PaymentMode.HOLD and data.group_window_hours > MAX_HOLD_WINDOW_HOURS:
        raise HoldWindowTooLong(
            details={"field": "group_window_hours", "max": MAX_HOLD_WINDOW_HOURS}
        )
    if data.kind == OfferKind.DATED and data.event_date is not None and ends is not None:
        midnight = timezone.make_aware(dt.datetime.combine(data.event_date, dt.time.min))
        # Every group must close (and settle) before the gates open.
        if ends > midnight:
            raise _refuse("sale_ends_at", "sale_must_end_before_the_event")


def offer_validate(data: OfferData) -> None:
    _check_sizes(data)
    _check_tiers(data)
    _check_dates(data)


def _may_manage(actor: User) -> None:
    if not actor.can(Capability.MANAGE_COMMERCE):
        raise Forbidden()


def _unique_slug(wanted: str, title: str, exclude: int | None = None) -> str:
    base = slugify(wanted or title)[:70] or "offer"
    slug, suffix = base, 2
    taken = Offer.objects.exclude(pk=exclude) if exclude else Offer.objects.all()
    while taken.filter(slug=slug).exists():
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug


_COPIED = (
    "title",
    "capacity",
    "base_price_cents",
    "min_group_size",
    "max_group_size",
    "group_window_hours",
    "event_date",
    "sale_starts_at",
    "sale_ends_at",
    "kind",
    "payment_mode",
    "description",
    "venue",
    "max_seats_per_participant",
    "validity_days",
)


def _tiers_set(offer: Offer, tiers: list[tuple[int, int]]) -> None:
    PriceTier.objects.filter(offer=offer).delete()
    PriceTier.objects.bulk_create(
        [
            PriceTier(offer=offer, min_group_size=size, unit_price_cents=price)
            for size, price in tiers
        ]
    )


@transaction.atomic
def offer_create(*, actor: User, data: OfferData) -> Offer:
    _may_manage(actor)
    offer_validate(data)
    offer = Offer(
        slug=_unique_slug(data.slug, data.title),
        created_by=actor,
        department_id=department_id(SALES_SLUGS) or actor.department_id,
        **{name: getattr(data, name) for name in _COPIED},
    )
    offer.save()
    _tiers_set(offer, sorted(data.tiers))
    record(
        "commerce.offer_created",
        offer,
        department=offer.department_id,
        actor_id=actor.pk,
        summary=offer.title,
        customer_visible=False,
    )
    return offer


@transaction.atomic
def offer_update(*, actor: User, offer: Offer, data: OfferData) -> Offer:
    """New terms apply to groups opened from now on: open groups keep the terms they copied."""
    _may_manage(actor)
    offer_validate(data)
    values = {name: getattr(data, name) for name in _COPIED}
    values["slug"] = _unique_slug(data.slug or offer.slug, data.title, exclude=offer.pk)
    # Conditional: joins may take seats meanwhile, and capacity never drops below them.
    changed = Offer.objects.filter(pk=offer.pk, seats_taken__lte=data.capacity).update(
        updated_at=timezone.now(), **values
    )
    if not changed:
        raise InvalidOffer(details={"field": "capacity", "problem": "below_seats_taken"})
    _tiers_set(offer, sorted(data.tiers))
    offer.refresh_from_db()
    record(
        "commerce.offer_updated",
        offer,
        department=offer.department_id,
        actor_id=actor.pk,
        summary=offer.title,
        customer_visible=False,
    )
    return offer


def _status_move(
    actor: User, offer: Offer, *, to: str, allowed: tuple[str, ...], verb: str
) -> Offer:
    _may_manage(actor)
    moved = Offer.objects.filter(pk=offer.pk, status__in=allowed).update(
        status=to, updated_at=timezone.now()
    )
    if not moved:
        raise OfferStateRefused(details={"status": offer.status, "to": to})
    offer.refresh_from_db()
    record(
        verb,
        offer,
        department=offer.department_id,
        actor_id=actor.pk,
        summary=offer.title,
        customer_visible=False,
    )
    return offer


@transaction.atomic
def offer_publish(*, actor: User, offer: Offer) -> Offer:
    return _status_move(
        actor,
        offer,
        to=OfferStatus.PUBLISHED,
        allowed=(OfferStatus.DRAFT,),
        verb="commerce.offer_published",
    )


@transaction.atomic
def offer_archive(*, actor: User, offer: Offer) -> Offer:
    """Off sale: no new group opens; groups already open run to their deadline."""
    return _status_move(
        actor,
        offer,
        to=OfferStatus.ARCHIVED,
        allowed=(OfferStatus.DRAFT, OfferStatus.PUBLISHED),
        verb="commerce.offer_archived",
    )
