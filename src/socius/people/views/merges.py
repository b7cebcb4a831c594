"""The merge screen, the merge record with its undo button, and the duplicate queue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms.boundfield import BoundWidget
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socius.core.errors import DomainError, InvalidInput, NotFound
from socius.core.forms import form_add_domain_error
from socius.core.http import AuthenticatedHttpRequest
from socius.people.errors import MergeRefused
from socius.people.models import DetectionRun, DuplicateSuggestion, Person
from socius.people.selectors.merges import (
    FIELD_LABELS,
    FieldComparison,
    MergeComparison,
    merge_comparison,
    merge_get_for_employee,
    person_get_for_merge,
    persons_sides,
    reference_label,
    suggestion_get_for_employee,
    suggestion_list_for_employee,
)
from socius.people.services.merge import merge_check, merge_undo, person_merge
from socius.people.services.suggestion_decisions import (
    suggestion_decide,
    suggestions_count_above,
)
from socius.people.services.types import PROFILE_FIELDS
from socius.people.views.access import require_editor

REASON_SCREEN_MERGE = gettext_noop("Merged by an employee on the merge screen.")


@dataclass(frozen=True)
class FieldRow:
    comparison: FieldComparison
    survivor_radio: BoundWidget | None = None
    absorbed_radio: BoundWidget | None = None


class MergeForm(forms.Form):
    """One radio pair per profile field on which the two records differ."""

    def __init__(self, data: Any = None, *, comparison: MergeComparison) -> None:
        super().__init__(data)
        self.comparison = comparison
        for item in comparison.differing_fields:
            self.fields[item.name] = forms.ChoiceField(
                label=item.label,
                choices=[("survivor", item.survivor_value), ("absorbed", item.absorbed_value)],
                widget=forms.RadioSelect,
                initial=item.default_side,
            )

    def rows(self) -> list[FieldRow]:
        rows = []
        for item in self.comparison.fields:
            if item.name in self.fields:
                survivor_radio, absorbed_radio = list(self[item.name])
                rows.append(FieldRow(item, survivor_radio, absorbed_radio))
            else:
                rows.append(FieldRow(item))
        return rows

    def chosen(self) -> dict[str, Any]:
        sides = {
            "survivor": self.comparison.survivor.person,
            "absorbed": self.comparison.absorbed.person,
        }
        return {name: getattr(sides[side], name) for name, side in self.cleaned_data.items()}


def _pair(request: AuthenticatedHttpRequest) -> tuple[Person, Person]:
    raw = [request.GET.get("survivor", ""), request.GET.get("absorbed", "")]
    if not all(value.isdigit() and len(value) < 19 for value in raw):
        raise NotFound()
    survivor, absorbed = (
        person_get_for_merge(user=request.user, person_id=int(value)) for value in raw
    )
    return survivor, absorbed


def merge_url(*, survivor_id: int, absorbed_id: int) -> str:
    query = urlencode({"survivor": survivor_id, "absorbed": absorbed_id})
    return f"{reverse('people:merge')}?{query}"


def _merge_or_refuse(request: AuthenticatedHttpRequest, form: MergeForm) -> int | DomainError:
    comparison = form.comparison
    try:
        merge = person_merge(
            survivor=comparison.survivor.person,
            absorbed=comparison.absorbed.person,
            reason=REASON_SCREEN_MERGE,
            actor_id=request.user.pk,
            chosen=form.chosen(),
        )
    except DomainError as error:
        return error
    return merge.pk


def _refusal(survivor: Person, absorbed: Person) -> MergeRefused | None:
    try:
        merge_check(survivor=survivor, absorbed=absorbed)
    except MergeRefused as error:
        return error
    return None


def _form_errors(form: MergeForm, refusal: DomainError | None) -> list[str]:
    """What to tell above the form: why the merge is refused, or which choice is missing."""
    if refusal is not None and form.is_bound:
        form_add_domain_error(form, refusal)
    # A refused pair has nothing to choose, and an unbound form cannot hold an error.
    if isinstance(refusal, MergeRefused) or not form.is_bound:
        return [refusal.message] if refusal is not None else []
    return [str(error) for error in form.non_field_errors()] + [
        f"{form.fields[name].label}: {message}"
        for name, field_errors in form.errors.items()
        if name in form.fields
        for message in field_errors
    ]


def _render_compare(
    request: AuthenticatedHttpRequest, form: MergeForm, refusal: DomainError | None
) -> HttpResponse:
    comparison = form.comparison
    context = {
        "form": form,
        "errors": _form_errors(form, refusal),
        "rows": form.rows(),
        "survivor": comparison.survivor,
        "absorbed": comparison.absorbed,
        "refused": isinstance(refusal, MergeRefused),
        "swap_url": merge_url(
            survivor_id=comparison.absorbed.person.pk, absorbed_id=comparison.survivor.person.pk
        ),
    }
    status = refusal.status_code if refusal is not None else 200
    return render(request, "people/merge.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def merge_compare(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_editor(request)
    survivor, absorbed = _pair(request)
    comparison = merge_comparison(survivor=survivor, absorbed=absorbed)
    # A pair with nothing to choose posts an empty form, which must still count as sent.
    form = MergeForm(request.POST if request.method == "POST" else None, comparison=comparison)
    refusal: DomainError | None = _refusal(survivor, absorbed)
    if refusal is None and request.method == "POST" and form.is_valid():
        outcome = _merge_or_refuse(request, form)
        if isinstance(outcome, int):
            messages.success(request, _("The two records are merged."))
            return redirect("people:merge-detail", merge_id=outcome)
        refusal = outcome
    return _render_compare(request, form, refusal)


@login_required
@require_GET
def merge_detail(request: AuthenticatedHttpRequest, merge_id: int) -> HttpResponse:
    require_editor(request)
    merge = merge_get_for_employee(user=request.user, merge_id=merge_id)
    sides = persons_sides(persons=[merge.survivor, merge.absorbed])
    context = {
        "merge": merge,
        "sides": [
            (sides[merge.survivor_id], "survivor-now"),
            (sides[merge.absorbed_id], "absorbed-now"),
        ],
        # JSON objects come back in another key order on PostgreSQL: order them here.
        "moved": [(reference_label(name), len(ids)) for name, ids in sorted(merge.moved.items())],
        "changes": [
            (FIELD_LABELS[name], *merge.survivor_before[name])
            for name in PROFILE_FIELDS
            if name in merge.survivor_before
        ],
    }
    return render(request, "people/merge_detail.html", context)


@login_required
@require_POST
def merge_undo_view(request: AuthenticatedHttpRequest, merge_id: int) -> HttpResponse:
    require_editor(request)
    merge = merge_get_for_employee(user=request.user, merge_id=merge_id)
    try:
        merge_undo(merge=merge, actor_id=request.user.pk)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The merge is undone: the two records are separate again."))
    return redirect("people:merge-detail", merge_id=merge.pk)


BULK_MERGE_DEFAULT = 0.99  # what the bulk merge form offers first

SUGGESTION_STATUSES = {
    DuplicateSuggestion.Status.OPEN: gettext_lazy("To review"),
    DuplicateSuggestion.Status.LATER: gettext_lazy("Later"),
}


@login_required
@require_GET
def suggestion_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_editor(request)
    status = request.GET.get("status", DuplicateSuggestion.Status.OPEN)
    if status not in SUGGESTION_STATUSES:
        raise NotFound()
    page = suggestion_list_for_employee(
        user=request.user, status=status, cursor=request.GET.get("cursor") or None
    )
    context = {
        "page": page,
        "status": status,
        "statuses": SUGGESTION_STATUSES,
        "run": DetectionRun.objects.order_by("-created_at", "-pk").first(),
        "bulk_probability": BULK_MERGE_DEFAULT,
        "bulk_count": suggestions_count_above(min_probability=BULK_MERGE_DEFAULT),
    }
    return render(request, "people/suggestion_list.html", context)


DECISION_MESSAGES = {
    "distinct": gettext_lazy("Noted: they are two different people; this pair won't come back."),
    "later": gettext_lazy("Moved to “Later”."),
}


@login_required
@require_POST
def suggestion_decide_view(request: AuthenticatedHttpRequest, suggestion_id: int) -> HttpResponse:
    require_editor(request)
    suggestion = suggestion_get_for_employee(user=request.user, suggestion_id=suggestion_id)
    decision = request.POST.get("decision", "")
    # Merging goes through the merge screen, where the employee sees and chooses the values.
    if decision not in DECISION_MESSAGES:
        raise InvalidInput(details={"field": "decision", "allowed": list(DECISION_MESSAGES)})
    try:
        suggestion_decide(suggestion=suggestion, decision=decision, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, DECISION_MESSAGES[decision])
    return redirect("people:suggestion-list")


urlpatterns: list[URLPattern] = [
    path("merge", merge_compare, name="merge"),
    path("merges/<int:merge_id>/", merge_detail, name="merge-detail"),
    path("merges/<int:merge_id>/undo", merge_undo_view, name="merge-undo"),
    path("duplicates/", suggestion_list, name="suggestion-list"),
    path("duplicates/<int:suggestion_id>/decide", suggestion_decide_view, name="suggestion-decide"),
]
