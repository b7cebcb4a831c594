from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class IdentifierKind(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    FACEBOOK = "facebook", _("Facebook")
    INSTAGRAM = "instagram", _("Instagram")
    X = "x", _("X")
    LINKEDIN = "linkedin", _("LinkedIn")
    WHATSAPP = "whatsapp", _("WhatsApp")
    CUSTOMER_NUMBER = "customer_number", _("Customer number")
    LOYALTY_CARD = "loyalty_card", _("Loyalty card")
    EMPLOYEE_NUMBER = "employee_number", _("Employee number")
    EXTERNAL = "external", _("External id")


class Person(models.Model):
    """The one record of a human being, whoever in the company meets them."""

    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=120, blank=True)
    locale = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="absorbed"
    )
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["family_name", "given_name"], name="person_name")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        name = f"{self.given_name} {self.family_name}".strip()
        return name or _("Person #%(id)s") % {"id": self.pk}

    @property
    def is_live(self) -> bool:
        return self.merged_into_id is None and self.erased_at is None


class Identifier(models.Model):
    """A normalized way to recognise a person: an email, an E.164 phone, a handle, a number.

    A value belongs to one person at a time unless it is marked shared (a family landline,
    a household email): the unique constraint makes concurrent resolutions safe.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=32, choices=IdentifierKind.choices)
    value = models.CharField(max_length=320)
    raw_value = models.CharField(max_length=320, blank=True)
    source = models.CharField(max_length=64, blank=True)
    is_shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "value"],
                condition=Q(is_shared=False),
                name="identifier_owned_once",
            ),
            models.UniqueConstraint(
                fields=["person", "kind", "value"], name="identifier_once_per_person"
            ),
        ]
        indexes = [models.Index(fields=["kind", "value"], name="identifier_lookup")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class ResolutionConflict(models.Model):
    """Identifiers of one interaction pointed to several persons; a human must decide."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    chosen_person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    other_person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    evidence = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["chosen_person", "other_person"],
                condition=Q(status="open"),
                name="conflict_open_once_per_pair",
            )
        ]

    def __str__(self) -> str:
        return f"{self.chosen_person_id} vs {self.other_person_id}: {self.reason}"
