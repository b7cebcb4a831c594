"""What is on sale: an offer (a dated event or an open-dated ticket) and its group prices."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class OfferKind(models.TextChoices):
    DATED = "dated", _("Dated event")
    OPEN_DATED = "open_dated", _("Open-dated ticket")


class PaymentMode(models.TextChoices):
    # Groupon and Tilt: a hold when joining, captured when the group tips and closes.
    HOLD = "hold", _("Authorise now, charge when the group succeeds")
    # Pinduoduo and Leetchi: charged when joining, refunded if the group fails.
    PAY_NOW = "pay_now", _("Charge when joining, refund if the group fails")


class OfferStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("On sale")
    ARCHIVED = "archived", _("Archived")


class Offer(models.Model):
    """One thing to buy with friends. ``seats_taken`` is changed only by conditional updates
    (``seats_taken + n <= capacity``), which hold on SQLite, where row locks do nothing, as on
    PostgreSQL; the check constraint is the last line of defence."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)  # Markdown, sanitized when shown
    kind = models.CharField(max_length=12, choices=OfferKind.choices, default=OfferKind.DATED)
    event_date = models.DateField(null=True, blank=True)  # dated events only
    # Open-dated tickets are valid this many days from their issue (and dated ones on the day).
    validity_days = models.PositiveIntegerField(default=365)
    venue = models.CharField(max_length=200, blank=True)
    capacity = models.PositiveIntegerField()
    seats_taken = models.PositiveIntegerField(default=0)
    base_price_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, default="EUR")
    min_group_size = models.PositiveIntegerField(default=2)
    max_group_size = models.PositiveIntegerField(default=10)
    max_seats_per_participant = models.PositiveIntegerField(default=10)
    group_window_hours = models.PositiveIntegerField(default=48)
    payment_mode = models.CharField(
        max_length=8, choices=PaymentMode.choices, default=PaymentMode.HOLD
    )
    sale_starts_at = models.DateTimeField(null=True, blank=True)
    sale_ends_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=OfferStatus.choices, default=OfferStatus.DRAFT)
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats_taken__lte=F("capacity")), name="offer_never_oversold"
            ),
            models.CheckConstraint(
                condition=Q(min_group_size__gte=1) & Q(min_group_size__lte=F("max_group_size")),
                name="offer_group_sizes",
            ),
            models.CheckConstraint(
                condition=Q(kind="open_dated") | Q(event_date__isnull=False),
                name="offer_dated_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def remaining_seats(self) -> int:
        return max(self.capacity - self.seats_taken, 0)


class PriceTier(models.Model):
    """From ``min_group_size`` seats in the group, each seat costs ``unit_price_cents``."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="tiers")
    min_group_size = models.PositiveIntegerField()
    unit_price_cents = models.PositiveIntegerField()

    class Meta:
        ordering = ["offer", "min_group_size"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "min_group_size"], name="tier_once_per_size")
        ]

    def __str__(self) -> str:
        return f"{self.min_group_size}+ → {self.unit_price_cents}"
