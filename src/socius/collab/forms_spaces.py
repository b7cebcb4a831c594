"""Forms of a space's pages: settings, members, requests to join, posts with files."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socius.collab.forms import BodyForm
from socius.collab.models import Membership, Post


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; each one is checked by the attachments service."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        clean_one = super().clean
        if isinstance(data, list | tuple):
            return [clean_one(item, initial) for item in data]
        return [clean_one(data, initial)] if data else []


class PostWithFilesForm(BodyForm):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Post.Kind.choices, initial=Post.Kind.POST, required=False
    )
    attachments = MultipleFileField(
        label=_("Attach images or documents"),
        required=False,
        help_text=_("PNG, JPEG, GIF, WebP, PDF, text, CSV, Word, Excel, PowerPoint, OpenDocument."),
    )

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or Post.Kind.POST  # a plain post unless chosen


class SpaceSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    goal = forms.CharField(label=_("Goal"), max_length=300, required=False)
    description = forms.CharField(
        label=_("Description (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
    )


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label=_("A word for the owners (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MemberAddForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's email address"))


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)
