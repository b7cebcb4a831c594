"""Forms of the person page: they check shape; the services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socius.people.models import ConsentPurpose, ConsentState, RelationKind
from socius.people.services.discussion import MAX_BODY_LENGTH


class DiscussionForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "discussion-%s")  # unique ids beside the other forms
        super().__init__(*args, **kwargs)

    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_BODY_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Visible to employees only, never to the customer. Markdown allowed."),
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Reply"),
        max_length=MAX_BODY_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ConsentForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "consent-%s")
        super().__init__(*args, **kwargs)

    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    state = forms.ChoiceField(label=_("Answer"), choices=ConsentState.choices)
    source = forms.ChoiceField(
        label=_("How the person told us"),
        choices=[
            ("phone", _("On the phone")),
            ("email", _("By email")),
            ("in_person", _("In person")),
            ("letter", _("By letter")),
        ],
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        max_length=500,
        help_text=_("Where the proof is kept, e.g. the call reference."),
    )


class RelationForm(forms.Form):
    other = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    kind = forms.ChoiceField(label=_("Relation"), choices=RelationKind.choices)


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, email, phone, handle or customer number"),
        required=False,
        max_length=200,
    )
