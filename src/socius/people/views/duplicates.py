"""Duplicate detection from the review queue: run it, follow it, merge the near-certain."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from socius.core.errors import DomainError, NotFound
from socius.core.http import AuthenticatedHttpRequest
from socius.people.models import DetectionRun
from socius.people.services.detection import detection_run_request
from socius.people.services.suggestion_decisions import suggestions_merge_above
from socius.people.views.access import require_editor


@login_required
@require_POST
def detection_run_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_editor(request)
    try:
        detection_run_request(actor=request.user, trigger=DetectionRun.Trigger.MANUAL)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Duplicate detection started; it runs in the background."))
    return redirect("people:suggestion-list")


@login_required
@require_GET
def detection_run_detail(request: AuthenticatedHttpRequest, run_id: int) -> HttpResponse:
    """The progress panel; the review queue polls it while the run is not finished."""
    require_editor(request)
    run = DetectionRun.objects.filter(pk=run_id).first()
    if run is None:
        raise NotFound()
    return render(request, "people/_detection_run.html", {"run": run})


@login_required
@require_POST
def suggestions_merge_above_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_editor(request)
    try:
        min_probability = float(request.POST.get("min_probability", ""))
    except ValueError:
        messages.error(request, _("Give a probability between 0.5 and 1, such as 0.99."))
        return redirect("people:suggestion-list")
    try:
        outcome = suggestions_merge_above(min_probability=min_probability, actor=request.user)
    except DomainError:
        messages.error(request, _("Give a probability between 0.5 and 1, such as 0.99."))
        return redirect("people:suggestion-list")
    merged, refused, remaining = len(outcome.merged), len(outcome.refused), outcome.remaining
    messages.success(
        request,
        ngettext(
            "%(count)d pair merged; each merge can be undone from its record.",
            "%(count)d pairs merged; each merge can be undone from its record.",
            merged,
        )
        % {"count": merged},
    )
    if refused:
        messages.warning(
            request,
            ngettext(
                "%(count)d pair was left for a person to review (names, birth dates or "
                "identifiers disagree, or the merge was refused).",
                "%(count)d pairs were left for a person to review (names, birth dates or "
                "identifiers disagree, or the merge was refused).",
                refused,
            )
            % {"count": refused},
        )
    if remaining:
        messages.info(
            request,
            ngettext(
                "%(count)d more pair at or above that probability remains; merge again.",
                "%(count)d more pairs at or above that probability remain; merge again.",
                remaining,
            )
            % {"count": remaining},
        )
    return redirect("people:suggestion-list")


urlpatterns: list[URLPattern] = [
    path("duplicates/run", detection_run_start, name="detection-run-start"),
    path("duplicates/runs/<int:run_id>/", detection_run_detail, name="detection-run"),
    path("duplicates/merge-above", suggestions_merge_above_view, name="suggestion-merge-above"),
]
