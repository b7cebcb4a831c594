"""Forms of the maturity pages: shape only; the services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import Department, User
from socius.insights.maturity.questionnaire import SCALE, Item
from socius.insights.models import Campaign

DONT_KNOW = "dk"


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    label = forms.CharField(
        label=_("Label"), max_length=20, help_text=_("T0 for the baseline, then T1, T2…")
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments invited"),
        queryset=Department.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    users = forms.ModelMultipleChoiceField(
        label=_("Other people invited"),
        queryset=User.objects.filter(is_active=True).order_by("full_name"),
        required=False,
    )
    previous = forms.ModelChoiceField(
        label=_("Compare with"),
        queryset=Campaign.objects.order_by("-created_at"),
        required=False,
        empty_label=_("No earlier campaign"),
    )
    closes_on = forms.DateField(
        label=_("Closes on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    include_green = forms.BooleanField(
        label=_("Add the two optional statements on green digitalisation"), required=False
    )


class AnswerForm(forms.Form):
    """One required choice per statement: 1 to 5, or "don't know" (kept apart from the
    scale, and stored as no answer rather than as a low one)."""

    def __init__(self, *args: Any, items: tuple[Item, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(value), label) for value, label in SCALE] + [(DONT_KNOW, _("Don't know"))]
        self.items = items
        for item in items:
            self.fields[item.key] = forms.ChoiceField(
                label=str(item.text), choices=choices, widget=forms.RadioSelect, required=True
            )

    def answers(self) -> dict[str, int | None]:
        return {
            key: None if value == DONT_KNOW else int(value)
            for key, value in self.cleaned_data.items()
        }
