"""E-tickets (one per seat), the gates that scan them, and every scan."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TicketState(models.TextChoices):
    ISSUED = "issued", _("Valid")
    CHECKED_IN = "checked_in", _("Checked in")
    REVOKED = "revoked", _("Revoked")


class Ticket(models.Model):
    """The QR code carries a signed payload without personal data (ticket id, offer,
    validity, key id); the holder is looked up here. A revoked ticket's code stays signed
    forever, so every scan also reads ``state``; a reissue revokes and points to its
    replacement."""

    tid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "commerce.Participant", on_delete=models.PROTECT, related_name="tickets"
    )
    offer = models.ForeignKey("commerce.Offer", on_delete=models.PROTECT, related_name="tickets")
    holder = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="tickets")
    seat_no = models.PositiveIntegerField()  # 1..participant.seats
    code = models.TextField()  # the signed string printed in the QR code
    kid = models.CharField(max_length=20)
    state = models.CharField(max_length=12, choices=TicketState.choices, default=TicketState.ISSUED)
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField()
    issued_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=40, blank=True)
    replaced_by = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaces"
    )
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_gate = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["participant", "seat_no", "issued_at"]
        constraints = [
            # One valid ticket per seat: a reissue revokes the old one first.
            models.UniqueConstraint(
                fields=["participant", "seat_no"],
                condition=~Q(state="revoked"),
                name="ticket_one_live_per_seat",
            )
        ]

    def __str__(self) -> str:
        return str(self.tid)


class Gate(models.Model):
    """An entrance where staff scan tickets, for one offer (a scan for another is refused)."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    offer = models.ForeignKey("commerce.Offer", on_delete=models.CASCADE, related_name="gates")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CheckInResult(models.TextChoices):
    OK = "ok", _("Welcome")
    ALREADY = "already_checked_in", _("Already checked in")
    REVOKED = "revoked", _("Revoked ticket")
    UNPAID = "unpaid", _("Not paid")
    WRONG_EVENT = "wrong_event", _("Ticket for another event")
    INVALID_SIGNATURE = "invalid_signature", _("Forged or damaged code")
    NOT_YET_VALID = "not_yet_valid", _("Not valid yet")
    EXPIRED = "expired", _("Expired")


class CheckIn(models.Model):
    """Every scan, admitted or refused. ``nonce`` (chosen by the scanner) makes an offline
    scan uploaded twice count once."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="checkins"
    )
    gate = models.CharField(max_length=60)
    result = models.CharField(max_length=20, choices=CheckInResult.choices)
    scanned_at = models.DateTimeField()  # at the gate (differs from now for offline scans)
    recorded_at = models.DateTimeField(auto_now_add=True)
    offline = models.BooleanField(default=False)
    nonce = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # SHA-256 of the scanned code: a nonce sent again replays its outcome only for the same
    # code at the same gate, so an old nonce cannot vouch for another code.
    code_digest = models.CharField(max_length=64, blank=True)
    scanned_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-scanned_at"]
        indexes = [models.Index(fields=["gate", "-scanned_at"], name="checkin_gate")]

    def __str__(self) -> str:
        return f"{self.gate} {self.result}"
