from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from socius.collab.models import Post, Reaction, Space
from socius.collab.services.common import MAX_BODY


class SpaceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    visibility = forms.ChoiceField(
        label=_("Who sees it"), choices=Space.Visibility.choices, initial=Space.Visibility.PUBLIC
    )
    goal = forms.CharField(label=_("Goal"), max_length=300, required=False)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )


class BodyForm(forms.Form):
    body = forms.CharField(
        label=_("Message (Markdown)"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 4})
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class PostForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Post.Kind.choices, initial=Post.Kind.POST)
    body = forms.CharField(
        label=_("Message (Markdown)"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Mention a colleague with @firstname.lastname, a department with @its-name; "
            "add topics with #word."
        ),
    )


class EditForm(forms.Form):
    body = forms.CharField(
        label=_("Message (Markdown)"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 8})
    )


class ReactionForm(forms.Form):
    kind = forms.ChoiceField(choices=Reaction.Kind.choices)
    comment = forms.IntegerField(required=False, min_value=1)


class AnswerForm(forms.Form):
    comment = forms.IntegerField(required=False, min_value=1)
