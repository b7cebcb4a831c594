"""Forms of the data-subject rights pages: they check shape; the services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socius.people.models import Person


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        strip=True,
        help_text=_("Kept as proof of the erasure: write why, not who (no name, no email)."),
    )
    confirm = forms.CharField(
        label=_("Type the person's number to confirm"),
        max_length=20,
        strip=True,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_confirm(self) -> str:
        typed: str = self.cleaned_data["confirm"]
        if typed.lstrip("#") != str(self.person.pk):
            raise forms.ValidationError(
                _("Type %(number)s to confirm the erasure."), params={"number": self.person.pk}
            )
        return typed


class RectificationForm(forms.Form):
    given_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    birth_date = forms.DateField(
        label=_("Birth date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=20, required=False)
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    locale = forms.CharField(
        label=_("Language"),
        max_length=10,
        required=False,
        help_text=_("A language code, such as fr or en."),
    )

    @classmethod
    def for_person(cls, person: Person, data: Any = None) -> RectificationForm:
        initial = {name: getattr(person, name) for name in cls.base_fields}
        return cls(data, initial=initial)


class RefusalForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason given to the person"),
        max_length=500,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
