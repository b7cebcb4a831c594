"""The charter page: every employee reads and acknowledges; HR also drafts and publishes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from socius.core.errors import DomainError
from socius.core.forms import form_add_domain_error
from socius.core.http import AuthenticatedHttpRequest
from socius.core.markdown import render_markdown
from socius.insights import services
from socius.insights.charts import Series, line_chart
from socius.insights.forms import AcknowledgeForm, CharterDraftForm
from socius.insights.models import CharterVersion
from socius.insights.selectors import (
    acknowledgment_by_department,
    acknowledgment_over_time,
    charter_acknowledgment_of,
    charter_binding_version,
    charter_current,
    charter_pending_for,
    charter_version_get_for_manager,
    charter_versions,
    may_manage_charter,
)


def _context(request: AuthenticatedHttpRequest, **given: Any) -> dict[str, Any]:
    user = request.user
    current = charter_current()
    manager = may_manage_charter(user)
    context: dict[str, Any] = {
        "current": current,
        "body_html": render_markdown(current.body) if current else "",
        "binding": charter_binding_version(),
        "acknowledgment": (
            charter_acknowledgment_of(user=user, version=current) if current else None
        ),
        "pending": charter_pending_for(user),
        "may_manage": manager,
    }
    if manager:
        context["draft_form"] = given.get("draft_form") or CharterDraftForm()
        context["versions"] = charter_versions()
        context["departments"] = acknowledgment_by_department()
        over_time = acknowledgment_over_time()
        # Every department has the same weeks: the first one gives the columns.
        week_ends = [week["week_end"] for week in over_time[0]["weeks"]] if over_time else []
        context["over_time"] = over_time
        context["week_ends"] = week_ends
        context["over_time_chart"] = line_chart(
            [date_format(day, "SHORT_DATE_FORMAT") for day in week_ends],
            [
                Series(str(row["department"]), [week["rate"] for week in row["weeks"]])
                for row in over_time
            ],
            title=_("Acknowledgment rate per week"),
            y_max=100,
            unit="%",
        )
    return context


@login_required
@require_GET
def charter(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "insights/charter.html", _context(request))


@login_required
@require_POST
def charter_acknowledge(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The acknowledgment could not be recorded."))
        return redirect("insights:charter")
    version = get_object_or_404(
        CharterVersion, pk=form.cleaned_data["version"], status=CharterVersion.Status.PUBLISHED
    )
    try:
        services.charter_acknowledge(
            user=request.user, version=version, body_sha256=form.cleaned_data["body_sha256"]
        )
    except DomainError as error:
        # The page is shown again with the current text, and the refusal said once.
        messages.error(request, error.message)
        return render(request, "insights/charter.html", _context(request), status=409)
    messages.success(request, _("Thank you: your acknowledgment is recorded."))
    return redirect("insights:charter")


@login_required
@require_POST
def charter_draft(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not may_manage_charter(request.user):
        raise Http404
    form = CharterDraftForm(request.POST)
    if form.is_valid():
        try:
            services.charter_version_create(
                actor=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                material=form.cleaned_data["material"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Draft saved. Publish it when it is ready."))
            return redirect("insights:charter")
    return render(request, "insights/charter.html", _context(request, draft_form=form), status=422)


@login_required
@require_POST
def charter_publish(request: AuthenticatedHttpRequest, version_id: int) -> HttpResponse:
    version = charter_version_get_for_manager(user=request.user, version_id=version_id)
    services.charter_publish(actor=request.user, version=version)
    messages.success(request, _("Version published."))
    return redirect("insights:charter")
