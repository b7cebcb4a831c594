"""Money: one payment per participant at a provider, the provider events we have applied,
and the nightly reconciliation's findings."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentState(models.TextChoices):
    PENDING = "pending", _("Awaiting the customer")
    AUTHORIZED = "authorized", _("Authorised (held)")
    CAPTURED = "captured", _("Charged")
    VOIDED = "voided", _("Voided")
    REFUNDED = "refunded", _("Refunded")
    FAILED = "failed", _("Failed")


# A payment only moves forward: an event that would move it back is ignored (webhooks come
# out of order), e.g. "failed" arriving after "captured".
PAYMENT_RANK = {
    PaymentState.PENDING: 0,
    PaymentState.FAILED: 1,
    PaymentState.AUTHORIZED: 2,
    PaymentState.CAPTURED: 3,
    PaymentState.VOIDED: 4,
    PaymentState.REFUNDED: 4,
}


class Payment(models.Model):
    participant = models.ForeignKey(
        "commerce.Participant", on_delete=models.PROTECT, related_name="payments"
    )
    provider = models.CharField(max_length=20)  # "sandbox", "stripe"
    provider_ref = models.CharField(max_length=120, blank=True)  # the provider's intent id
    checkout_url = models.URLField(max_length=1000, blank=True)
    state = models.CharField(
        max_length=10, choices=PaymentState.choices, default=PaymentState.PENDING
    )
    amount_cents = models.PositiveIntegerField()  # authorised (held) or charged at once
    captured_cents = models.PositiveIntegerField(default=0)
    refunded_cents = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="EUR")
    # Sent to the provider with the creating call; each later call derives its own key from
    # the payment's id and the operation (``f"{pk}:capture"``), so a retry is never a second
    # charge at the provider.
    idempotency_key = models.CharField(max_length=80, unique=True)
    failure_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_ref"],
                condition=~models.Q(provider_ref=""),
                name="payment_provider_ref_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.provider_ref or self.pk}"


class WebhookEvent(models.Model):
    """A provider event applied once: inserted in the transaction of its effect."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=120)
    kind = models.CharField(max_length=60)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id}"


class Reconciliation(models.Model):
    """One nightly comparison of the provider's records with ours."""

    provider = models.CharField(max_length=20)
    ran_at = models.DateTimeField(auto_now_add=True)
    since = models.DateTimeField()
    checked = models.PositiveIntegerField(default=0)
    mismatches = models.JSONField(default=list)  # [{"ref", "problem", "ours", "theirs"}]

    class Meta:
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"{self.provider} {self.ran_at:%Y-%m-%d}: {len(self.mismatches)}"


class SandboxIntent(models.Model):
    """The built-in sandbox provider's own books, as a real provider keeps them on its side.
    Only ``commerce.payments.sandbox`` reads or writes this table."""

    ref = models.CharField(max_length=40, unique=True)
    amount_cents = models.PositiveIntegerField()
    captured_cents = models.PositiveIntegerField(default=0)
    refunded_cents = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="EUR")
    capture_now = models.BooleanField(default=False)
    status = models.CharField(max_length=30, default="awaiting_payment")
    description = models.CharField(max_length=200, blank=True)
    return_url = models.URLField(max_length=1000, blank=True)
    metadata = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.ref


class SandboxCall(models.Model):
    """Idempotency at the sandbox: a key seen again returns the first answer."""

    key = models.CharField(max_length=120, unique=True)
    operation = models.CharField(max_length=20)
    request_hash = models.CharField(max_length=64)
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key
