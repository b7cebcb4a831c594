"""Forms of the group-buying pages: the shape of what is typed, never the rules (services)."""

from __future__ import annotations

import re
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from socius.commerce.models import Offer, OfferKind, PaymentMode
from socius.commerce.services.offers import OfferData

MAX_CENTS = 100_000_00  # €100,000 a seat: beyond is a typing slip, not a ticket price
_AMOUNT = re.compile(r"^(\d{1,6})(?:[.,](\d{1,2}))?$")


def euros_to_cents(text: str) -> int:
    """ "24,50", "24.50", "24,5", "€ 24" → cents. French and English writers both type."""
    cleaned = text.strip().replace("€", "").replace("\u00a0", "").replace(" ", "")
    match = _AMOUNT.match(cleaned)
    if match is None:
        raise ValidationError(_("Enter an amount in euros, like 24,50."), code="amount")
    euros, fraction = match.groups()
    try:
        cents = int(Decimal(f"{euros}.{(fraction or '0').ljust(2, '0')}") * 100)
    except InvalidOperation as error:  # pragma: no cover - the pattern admits digits only
        raise ValidationError(_("Enter an amount in euros, like 24,50."), code="amount") from error
    if cents > MAX_CENTS:
        raise ValidationError(_("This amount is too large."), code="amount")
    return cents


def cents_to_euros(cents: int) -> str:
    """The inverse, as a French-looking "24,50", to prefill a field."""
    return f"{cents // 100},{cents % 100:02d}"


class EuroField(forms.Field):
    """An amount typed in euros, cleaned to integer cents."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.widget.attrs |= {"inputmode": "decimal", "autocomplete": "off", "maxlength": 20}

    def to_python(self, value: Any) -> int | None:
        text = str(value or "").strip()
        if not text:
            return None
        if len(text) > 20:
            raise ValidationError(_("Enter an amount in euros, like 24,50."), code="amount")
        return euros_to_cents(text)


def tiers_parse(text: str) -> list[tuple[int, int]]:
    """One tier a line, "size: price" ("5: 27,00" means from 5 seats, €27 each)."""
    tiers: dict[int, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        size, separator, price = line.partition(":")
        if not separator or not size.strip().isdigit():
            raise ValidationError(
                _("Line %(line)s: write the group size, a colon, then the price (5: 27,00)."),
                code="tier",
                params={"line": number},
            )
        try:
            cents = euros_to_cents(price)
        except ValidationError as error:
            raise ValidationError(
                _("Line %(line)s: the price is not an amount in euros."),
                code="tier",
                params={"line": number},
            ) from error
        seats = int(size)
        if seats < 1 or seats in tiers:
            raise ValidationError(
                _("Line %(line)s: each group size appears once, from 1 seat."),
                code="tier",
                params={"line": number},
            )
        tiers[seats] = cents
    return sorted(tiers.items())


def tiers_format(tiers: list[tuple[int, int]]) -> str:
    return "\n".join(f"{size}: {cents_to_euros(cents)}" for size, cents in tiers)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class OfferForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Markdown is accepted."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=OfferKind.choices)
    event_date = forms.DateField(
        label=_("Event date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("For a dated event only."),
    )
    validity_days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=3660,
        initial=365,
        help_text=_("An open-dated ticket is valid this many days from its issue."),
    )
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    capacity = forms.IntegerField(label=_("Capacity (seats)"), min_value=1, max_value=1_000_000)
    base_price = EuroField(label=_("Base price per seat (€)"))
    tiers = forms.CharField(
        label=_("Group prices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "4: 27,00\n8: 24,50"}),
        help_text=_("One line per tier: from this many seats in the group, this price per seat."),
    )
    min_group_size = forms.IntegerField(label=_("Minimum group size"), min_value=1, initial=2)
    max_group_size = forms.IntegerField(label=_("Maximum group size"), min_value=1, initial=10)
    max_seats_per_participant = forms.IntegerField(
        label=_("Seats per participant at most"), min_value=1, initial=10
    )
    group_window_hours = forms.IntegerField(
        label=_("A group stays open (hours)"), min_value=1, max_value=24 * 30, initial=48
    )
    payment_mode = forms.ChoiceField(label=_("Payment"), choices=PaymentMode.choices)
    sale_starts_at = forms.DateTimeField(
        label=_("Sale starts"), required=False, widget=DateTimeLocalInput()
    )
    sale_ends_at = forms.DateTimeField(
        label=_("Sale ends"), required=False, widget=DateTimeLocalInput()
    )

    def clean_tiers(self) -> list[tuple[int, int]]:
        return tiers_parse(self.cleaned_data.get("tiers") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_group_size"), data.get("max_group_size")
        if low and high and low > high:
            self.add_error("max_group_size", _("The maximum is below the minimum."))
        if data.get("kind") == OfferKind.DATED and not data.get("event_date"):
            self.add_error("event_date", _("A dated event needs its date."))
        starts, ends = data.get("sale_starts_at"), data.get("sale_ends_at")
        if starts and ends and ends <= starts:
            self.add_error("sale_ends_at", _("The sale must end after it starts."))
        return data

    def offer_data(self) -> OfferData:
        data = self.cleaned_data
        return OfferData(
            title=data["title"],
            capacity=data["capacity"],
            base_price_cents=data["base_price"],
            tiers=data["tiers"],
            min_group_size=data["min_group_size"],
            max_group_size=data["max_group_size"],
            group_window_hours=data["group_window_hours"],
            event_date=data["event_date"] if data["kind"] == OfferKind.DATED else None,
            sale_starts_at=data["sale_starts_at"],
            sale_ends_at=data["sale_ends_at"],
            kind=data["kind"],
            payment_mode=data["payment_mode"],
            description=data["description"],
            venue=data["venue"],
            max_seats_per_participant=data["max_seats_per_participant"],
            validity_days=data["validity_days"],
        )

    @classmethod
    def initial_from(cls, offer: Offer) -> dict[str, Any]:
        fields = [
            "title",
            "description",
            "kind",
            "event_date",
            "validity_days",
            "venue",
            "capacity",
            "min_group_size",
            "max_group_size",
            "max_seats_per_participant",
            "group_window_hours",
            "payment_mode",
            "sale_starts_at",
            "sale_ends_at",
        ]
        initial = {name: getattr(offer, name) for name in fields}
        initial["base_price"] = cents_to_euros(offer.base_price_cents)
        tiers = [(t.min_group_size, t.unit_price_cents) for t in offer.tiers.all()]
        initial["tiers"] = tiers_format(tiers)
        return initial


def new_idempotency_key() -> str:
    """One per rendered join form: sending the same form twice joins once."""
    return secrets.token_urlsafe(24)


class _PartyForm(forms.Form):
    given_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        widget=forms.TextInput({"autocomplete": "given-name"}),
    )
    family_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        required=False,
        widget=forms.TextInput({"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput({"autocomplete": "email"})
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=40,
        required=False,
        widget=forms.TextInput({"autocomplete": "tel", "inputmode": "tel"}),
    )
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=100, initial=1)
    idempotency_key = forms.CharField(max_length=80, widget=forms.HiddenInput)


class GroupOpenForm(_PartyForm):
    title = forms.CharField(
        label=_("Name of the group (optional)"),
        max_length=120,
        required=False,
        widget=forms.TextInput({"placeholder": _("Léa's birthday")}),
    )


class GroupJoinForm(_PartyForm):
    pass


class GroupCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, told to the participants"),
        max_length=40,
        widget=forms.TextInput({"placeholder": _("weather")}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that every participant is voided or refunded."), required=True
    )
