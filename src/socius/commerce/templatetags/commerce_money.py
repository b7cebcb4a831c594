"""Money in the group-buying pages: integer cents shown as euros in the page's language."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter(name="euros")
def euros(cents: int | None) -> str:
    if cents is None:
        return ""
    amount = number_format(Decimal(int(cents)) / 100, decimal_pos=2, use_l10n=True)
    return f"{amount}\u00a0€"
