from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CharterDraftForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text (Markdown)"), widget=forms.Textarea(attrs={"rows": 16}), max_length=100_000
    )
    material = forms.BooleanField(
        label=_("Material change: every employee must acknowledge again"),
        required=False,
        initial=True,
    )


class AcknowledgeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    body_sha256 = forms.CharField(max_length=64, widget=forms.HiddenInput)


class AdoptionRangeForm(forms.Form):
    """The department and weeks of the adoption page (every field optional)."""

    department = forms.SlugField(required=False, label=_("Department"))
    start = forms.DateField(
        required=False, label=_("From"), widget=forms.DateInput({"type": "date"})
    )
    end = forms.DateField(required=False, label=_("To"), widget=forms.DateInput({"type": "date"}))
