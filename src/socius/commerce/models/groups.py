"""Group orders and their participants, each with an explicit state machine.

Transitions are conditional updates on ``state`` (``filter(state=...).update(...)``), so a
transition happens once even when the worker and a webhook race for it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class GroupState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    TIPPED = "tipped", _("Tipped")  # enough seats confirmed: the group will happen
    FULL = "full", _("Full")
    SETTLING = "settling", _("Settling")  # window closed, payments being captured
    COMPLETED = "completed", _("Completed")  # paid, tickets issued
    FAILED = "failed", _("Failed")  # not enough friends in time: everyone voided
    CANCELLED = "cancelled", _("Cancelled")


GROUP_JOINABLE = (GroupState.OPEN, GroupState.TIPPED)
GROUP_LIVE = (GroupState.OPEN, GroupState.TIPPED, GroupState.FULL, GroupState.SETTLING)
GROUP_FINAL = (GroupState.COMPLETED, GroupState.FAILED, GroupState.CANCELLED)


class ParticipantState(models.TextChoices):
    RESERVED = "reserved", _("Seats held, awaiting payment")
    AUTHORIZED = "authorized", _("Payment authorised")
    CONFIRMED = "confirmed", _("Paid")
    TICKETED = "ticketed", _("Tickets issued")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    RELEASED = "released", _("Reservation expired")
    VOIDED = "voided", _("Payment voided")
    REFUNDED = "refunded", _("Refunded")


# States whose seats count against the offer's capacity and the group's maximum.
HOLDING_SEATS = (
    ParticipantState.RESERVED,
    ParticipantState.AUTHORIZED,
    ParticipantState.CONFIRMED,
    ParticipantState.TICKETED,
)
# States that count towards the group's tipping point (money is secured).
SECURED = (ParticipantState.AUTHORIZED, ParticipantState.CONFIRMED, ParticipantState.TICKETED)


class GroupOrder(models.Model):
    """Friends buying one offer together. ``seats_held`` (every holding participant's seats)
    and ``seats_secured`` (authorised or paid) move by conditional updates, like the offer's
    ``seats_taken``; sizes and prices are copied from the offer when the group opens, so a
    later edit of the offer never changes a group's terms."""

    offer = models.ForeignKey("commerce.Offer", on_delete=models.PROTECT, related_name="groups")
    organiser = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="organised_group_orders"
    )
    state = models.CharField(max_length=10, choices=GroupState.choices, default=GroupState.DRAFT)
    share_token = models.CharField(max_length=43, unique=True)  # 256 random bits, URL-safe
    title = models.CharField(max_length=120, blank=True)  # "Léa's birthday"
    # The organiser's key for opening: a retried or double-clicked "open" finds this group.
    idempotency_key = models.CharField(max_length=80, blank=True)
    min_size = models.PositiveIntegerField()
    max_size = models.PositiveIntegerField()
    payment_mode = models.CharField(max_length=8)
    base_price_cents = models.PositiveIntegerField()
    tiers = models.JSONField(default=list)  # [[min_group_size, unit_price_cents], ...] ascending
    seats_held = models.PositiveIntegerField(default=0)
    seats_secured = models.PositiveIntegerField(default=0)
    unit_price_cents = models.PositiveIntegerField(null=True, blank=True)  # set at settlement
    deadline = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    tipped_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "deadline"], name="group_state_deadline"),
            models.Index(fields=["organiser", "-created_at"], name="group_organiser"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats_held__lte=F("max_size")), name="group_never_overfull"
            ),
            models.UniqueConstraint(
                fields=["offer", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="group_open_once",
            ),
            models.CheckConstraint(
                condition=Q(seats_secured__lte=F("seats_held")), name="group_secured_held"
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"#{self.pk}"


class Participant(models.Model):
    """One person in a group, for one or more seats, paying their own share."""

    group = models.ForeignKey(GroupOrder, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="group_participations"
    )
    is_organiser = models.BooleanField(default=False)
    seats = models.PositiveIntegerField()
    state = models.CharField(
        max_length=10, choices=ParticipantState.choices, default=ParticipantState.RESERVED
    )
    reserved_until = models.DateTimeField(null=True, blank=True)
    # The client's key for this join: a retried request finds this row instead of a second one.
    idempotency_key = models.CharField(max_length=80)
    request_hash = models.CharField(max_length=64, blank=True)
    # Unguessable, for the participant's own links (payment, tickets) without signing in.
    access_token = models.CharField(max_length=43, unique=True)
    unit_price_cents = models.PositiveIntegerField()  # the price held (base) or charged
    amount_authorized_cents = models.PositiveIntegerField(default=0)
    amount_captured_cents = models.PositiveIntegerField(default=0)
    amount_refunded_cents = models.PositiveIntegerField(default=0)
    joined_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["group", "joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "idempotency_key"], name="participant_join_once"
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="participant_has_seats"),
        ]
        indexes = [
            models.Index(fields=["state", "reserved_until"], name="participant_reservation"),
            models.Index(fields=["person", "-joined_at"], name="participant_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} × {self.seats} in {self.group_id}"
