"""Forms of customer care's pages, for agents and for customers in the portal."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from socius.care.models import CaseLink, Priority, Status
from socius.care.services.common import MAX_BODY
from socius.care.services.conversation import REPLY_STATUSES
from socius.collab.forms_spaces import MultipleFileField

_FILES_HELP = _("PNG, JPEG, GIF, WebP, PDF, text, CSV, Word, Excel, PowerPoint, OpenDocument.")


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply to the customer"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    status = forms.ChoiceField(
        label=_("Then"),
        choices=[(s.value, s.label) for s in Status if s in REPLY_STATUSES],
        initial=Status.WAITING,
    )
    seen_message_id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0)
    attachments = MultipleFileField(label=_("Attach files"), required=False, help_text=_FILES_HELP)


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Private note for colleagues"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Never sent to the customer. Mention @colleague or @department."),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[c for c in Status.choices if c[0] != Status.NEW]
    )


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)


class AssignForm(forms.Form):
    assignee = forms.IntegerField(label=_("Assignee"), required=False, min_value=1)


class DepartmentForm(forms.Form):
    department = forms.SlugField(label=_("Department"), required=False)


class TagsForm(forms.Form):
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=900, help_text=_("Comma-separated.")
    )

    def names(self) -> list[str]:
        return [t for t in self.cleaned_data["tags"].split(",") if t.strip()]


class EscalateForm(forms.Form):
    department = forms.SlugField(label=_("To the department"), required=False)
    reason = forms.CharField(label=_("Why"), required=False, max_length=300)


class LinkForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CaseLink.Kind.choices)
    reference = forms.CharField(label=_("Reference"), max_length=100)


class MergeForm(forms.Form):
    absorbed = forms.IntegerField(label=_("Request number to merge into this one"), min_value=1)


class PortalRequestForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Your message"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 6})
    )
    attachments = MultipleFileField(label=_("Attach files"), required=False, help_text=_FILES_HELP)


class PortalReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachments = MultipleFileField(label=_("Attach files"), required=False, help_text=_FILES_HELP)
