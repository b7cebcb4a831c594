"""Reads of group buying, each checking who asks.

Employees who may see people see every offer and group; customers reach a group through
its share token (constant-time compared) and their own participation through its access
token, never through a bare id.
"""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from socius.accounts.models import User
from socius.accounts.roles import Capability
from socius.commerce.errors import InvalidShareToken
from socius.commerce.models import (
    GROUP_JOINABLE,
    HOLDING_SEATS,
    GroupOrder,
    GroupState,
    Offer,
    OfferStatus,
    Participant,
    PriceTier,
)
from socius.core.errors import NotFound
from socius.people.models import Person

TOKEN_LENGTH = 43  # secrets.token_urlsafe(32)


def may_view_commerce(user: User) -> bool:
    return user.can(Capability.VIEW_PEOPLE)


def _offers() -> QuerySet[Offer]:
    return Offer.objects.prefetch_related(
        Prefetch("tiers", queryset=PriceTier.objects.order_by("min_group_size"))
    )


def offer_get(pk: int) -> Offer:
    """An offer by id, for employees (the API and staff pages check the caller first)."""
    offer = _offers().filter(pk=pk).first()
    if offer is None:
        raise NotFound()
    return offer


def offer_get_for(*, user: User, pk: int) -> Offer:
    if not may_view_commerce(user):
        raise NotFound()
    return offer_get(pk)


def offers_list(*, user: User) -> QuerySet[Offer]:
    if not may_view_commerce(user):
        raise NotFound()
    return _offers().order_by("-created_at", "-pk")


def offers_on_sale(*, now: dt.datetime | None = None) -> QuerySet[Offer]:
    """Published offers whose sale window is open now, soonest event first."""
    now = now or timezone.now()
    return (
        _offers()
        .filter(status=OfferStatus.PUBLISHED)
        .filter(Q(sale_starts_at__isnull=True) | Q(sale_starts_at__lte=now))
        .filter(Q(sale_ends_at__isnull=True) | Q(sale_ends_at__gt=now))
        .order_by("event_date", "title", "pk")
    )


def offer_on_sale(offer: Offer, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        offer.status == OfferStatus.PUBLISHED
        and (offer.sale_starts_at is None or offer.sale_starts_at <= now)
        and (offer.sale_ends_at is None or offer.sale_ends_at > now)
    )


def _groups() -> QuerySet[GroupOrder]:
    return GroupOrder.objects.select_related("offer", "organiser")


def group_get_by_token(share_token: str) -> GroupOrder:
    """The group a share link names; ``InvalidShareToken`` for anything else."""
    if not isinstance(share_token, str) or len(share_token) != TOKEN_LENGTH:
        raise InvalidShareToken()
    group = _groups().filter(share_token=share_token).first()
    # The lookup is by an indexed equality; the comparison below keeps the final check
    # constant-time, as for every token.
    if group is None or not hmac.compare_digest(group.share_token, share_token):
        raise InvalidShareToken()
    return group


def share_token_matches(group: GroupOrder, share_token: str) -> bool:
    return isinstance(share_token, str) and hmac.compare_digest(
        group.share_token.encode(), share_token.encode()
    )


def group_get(pk: int, user: User) -> GroupOrder:
    """A group, for an employee who may see people; "not found" for anyone else."""
    if not may_view_commerce(user):
        raise NotFound()
    group = _groups().filter(pk=pk).first()
    if group is None:
        raise NotFound()
    return group


def participant_get_by_access(access_token: str) -> Participant:
    if not isinstance(access_token, str) or len(access_token) != TOKEN_LENGTH:
        raise NotFound()
    participant = (
        Participant.objects.select_related("group__offer", "person")
        .filter(access_token=access_token)
        .first()
    )
    if participant is None or not hmac.compare_digest(participant.access_token, access_token):
        raise NotFound()
    return participant


def person_group_orders(person: Person) -> QuerySet[Participant]:
    """Every participation of a person, newest first, with its group and offer."""
    return (
        Participant.objects.filter(person=person)
        .select_related("group__offer", "group__organiser")
        .order_by("-joined_at", "-pk")
    )


def group_participants(group: GroupOrder) -> QuerySet[Participant]:
    return (
        Participant.objects.filter(group=group).select_related("person").order_by("joined_at", "pk")
    )


def _tiers_of(group_or_offer: GroupOrder | Offer) -> tuple[int, list[tuple[int, int]]]:
    if isinstance(group_or_offer, GroupOrder):
        tiers = [(int(size), int(price)) for size, price in group_or_offer.tiers]
    else:
        tiers = [
            (tier.min_group_size, tier.unit_price_cents) for tier in group_or_offer.tiers.all()
        ]
    return group_or_offer.base_price_cents, sorted(tiers)


def tier_price(group_or_offer: GroupOrder | Offer, seats: int) -> int:
    """The unit price for a group of ``seats`` secured seats (R4): the cheapest tier reached."""
    price, tiers = _tiers_of(group_or_offer)
    for size, tier_unit_price in tiers:
        if seats >= size:
            price = min(price, tier_unit_price)
    return price


def next_tier(group_or_offer: GroupOrder | Offer, seats: int) -> tuple[int, int] | None:
    """(seats still needed, unit price then) for the next cheaper tier, or None."""
    _base, tiers = _tiers_of(group_or_offer)
    current = tier_price(group_or_offer, seats)
    for size, price in tiers:
        if size > seats and price < current:
            return size - seats, price
    return None


def group_progress(group: GroupOrder) -> dict[str, Any]:
    upcoming = next_tier(group, group.seats_secured)
    return {
        "unit_price_cents": group.unit_price_cents or tier_price(group, group.seats_secured),
        "seats_secured": group.seats_secured,
        "seats_held": group.seats_held,
        "seats_needed_to_tip": max(group.min_size - group.seats_secured, 0),
        "seats_free": group.max_size - group.seats_held,
        "next_tier_seats_needed": upcoming[0] if upcoming else None,
        "next_tier_unit_price_cents": upcoming[1] if upcoming else None,
        "deadline": group.deadline,
        "joinable": group.state in GROUP_JOINABLE and group.deadline > timezone.now(),
    }


def active_participation(group: GroupOrder, person: Person) -> Participant | None:
    return Participant.objects.filter(group=group, person=person, state__in=HOLDING_SEATS).first()


def participant_url(participant: Participant) -> str:
    """Where a participant follows their payment and tickets (a customer page, by token)."""
    try:
        path = reverse("groups:participant", kwargs={"access_token": participant.access_token})
    except NoReverseMatch:  # the customer pages are not mounted: the site's root will do
        path = "/"
    return f"{settings.SITE_URL}{path}"


def group_share_url(group: GroupOrder) -> str:
    try:
        path = reverse("groups:detail", kwargs={"share_token": group.share_token})
    except NoReverseMatch:
        path = "/"
    return f"{settings.SITE_URL}{path}"


def group_buying_figures(
    *, since: dt.datetime, until: dt.datetime, department_ids: list[int] | None = None
) -> dict[str, int]:
    """What insights measure of group buying over a period: offers put on sale, and groups
    that ended (completed, or failed for want of friends) — two counting queries."""
    offers = Offer.objects.filter(created_at__gte=since, created_at__lt=until).exclude(
        status=OfferStatus.DRAFT
    )
    groups = GroupOrder.objects.filter(opened_at__gte=since, opened_at__lt=until)
    if department_ids is not None:
        offers = offers.filter(department_id__in=department_ids)
        groups = groups.filter(offer__department_id__in=department_ids)
    ended = groups.aggregate(
        completed=Count("pk", filter=Q(state=GroupState.COMPLETED)),
        failed=Count("pk", filter=Q(state=GroupState.FAILED)),
    )
    return {"offers": offers.count(), **ended}
