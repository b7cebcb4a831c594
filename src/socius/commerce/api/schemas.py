"""The shape of offers and group orders in the API; the rules are the services'."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from socius.commerce.services.offers import OfferData
from socius.core.ids import MAX_DIGITS
from socius.people.schemas_ingest import MAX_IDENTIFIERS, IdentifierIn, ProfileIn
from socius.people.services.types import IdentifierIn as IdentifierData
from socius.people.services.types import Profile

Id = Annotated[int, Field(strict=True, ge=1, lt=10**MAX_DIGITS)]
Count = Annotated[int, Field(ge=0, le=1_000_000)]
Cents = Annotated[int, Field(ge=0, le=100_000_000)]


class TierIn(Schema):
    model_config = ConfigDict(extra="forbid")

    min_group_size: Count
    unit_price_cents: Cents


class OfferIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    capacity: Count
    base_price_cents: Cents
    tiers: list[TierIn] = Field(default_factory=list, max_length=20)
    min_group_size: Count = 2
    max_group_size: Count = 10
    group_window_hours: Count = 48
    event_date: dt.date | None = None
    sale_starts_at: dt.datetime | None = None
    sale_ends_at: dt.datetime | None = None
    kind: Literal["dated", "open_dated"] = "dated"
    payment_mode: Literal["hold", "pay_now"] = "hold"
    description: str = Field("", max_length=20_000)
    venue: str = Field("", max_length=200)
    max_seats_per_participant: Count = 10
    validity_days: Count = 365
    slug: str = Field("", max_length=80)
    publish: bool = Field(False, description="Put it on sale at once.")

    def to_data(self) -> OfferData:
        values = self.model_dump(exclude={"tiers", "publish"})
        tiers = [(tier.min_group_size, tier.unit_price_cents) for tier in self.tiers]
        return OfferData(tiers=tiers, **values)


class OfferPatchIn(Schema):
    """Any subset of ``OfferIn``'s fields (without ``publish``)."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=200)
    capacity: Count | None = None
    base_price_cents: Cents | None = None
    tiers: list[TierIn] | None = Field(None, max_length=20)
    min_group_size: Count | None = None
    max_group_size: Count | None = None
    group_window_hours: Count | None = None
    event_date: dt.date | None = None
    sale_starts_at: dt.datetime | None = None
    sale_ends_at: dt.datetime | None = None
    kind: Literal["dated", "open_dated"] | None = None
    payment_mode: Literal["hold", "pay_now"] | None = None
    description: str | None = Field(None, max_length=20_000)
    venue: str | None = Field(None, max_length=200)
    max_seats_per_participant: Count | None = None
    validity_days: Count | None = None
    slug: str | None = Field(None, max_length=80)


class TierOut(Schema):
    min_group_size: int
    unit_price_cents: int


class OfferOut(Schema):
    id: int
    slug: str
    title: str
    status: str
    kind: str
    event_date: dt.date | None
    venue: str
    description: str
    capacity: int
    seats_taken: int
    remaining_seats: int
    base_price_cents: int
    currency: str
    tiers: list[TierOut]
    min_group_size: int
    max_group_size: int
    max_seats_per_participant: int
    group_window_hours: int
    payment_mode: str
    sale_starts_at: dt.datetime | None
    sale_ends_at: dt.datetime | None
    validity_days: int


class _Identified(Schema):
    identifiers: list[IdentifierIn]
    profile: ProfileIn | None

    def identifiers_data(self) -> list[IdentifierData]:
        return [IdentifierData(item.kind, item.value) for item in self.identifiers]

    def profile_data(self) -> Profile:
        return self.profile.to_data() if self.profile else Profile()


class PartyIn(_Identified):
    model_config = ConfigDict(extra="forbid")

    identifiers: list[IdentifierIn] = Field(min_length=1, max_length=MAX_IDENTIFIERS)
    profile: ProfileIn | None = None


class GroupOpenIn(Schema):
    model_config = ConfigDict(extra="forbid")

    offer: Id
    organiser: PartyIn
    seats: int = Field(ge=1, le=1000)
    title: str = Field("", max_length=120)
    idempotency_key: str = Field("", max_length=64)


class GroupJoinIn(_Identified):
    model_config = ConfigDict(extra="forbid")

    share_token: str = Field(min_length=1, max_length=100)
    identifiers: list[IdentifierIn] = Field(min_length=1, max_length=MAX_IDENTIFIERS)
    profile: ProfileIn | None = None
    seats: int = Field(ge=1, le=1000)
    idempotency_key: str = Field(min_length=1, max_length=64)


class JoinOut(Schema):
    """What the person who opened or joined needs: where to pay, and their own link."""

    id: int  # the group
    share_token: str
    state: str
    participant: int
    participant_state: str
    access_token: str
    seats: int
    amount_cents: int
    checkout_url: str


class ParticipantOut(Schema):
    display_name: str
    seats: int
    state: str
    is_organiser: bool


class GroupOut(Schema):
    id: int
    offer: int
    title: str
    state: str
    share_token: str
    min_size: int
    max_size: int
    payment_mode: str
    base_price_cents: int
    unit_price_cents: int
    seats_held: int
    seats_secured: int
    seats_needed_to_tip: int
    next_tier_seats_needed: int | None
    next_tier_unit_price_cents: int | None
    deadline: dt.datetime
    tipped_at: dt.datetime | None
    ended_at: dt.datetime | None
    participants: list[ParticipantOut]
