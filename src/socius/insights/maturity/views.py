"""Maturity pages: HR runs campaigns, invited employees answer, managers read results."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socius.core.errors import DomainError
from socius.core.forms import form_add_domain_error
from socius.core.http import AuthenticatedHttpRequest
from socius.core.pdf import render_pdf
from socius.insights.maturity import services
from socius.insights.maturity.forms import AnswerForm, CampaignForm
from socius.insights.maturity.presentation import results_context, results_csv
from socius.insights.maturity.questionnaire import FACTOR_LABELS
from socius.insights.maturity.selectors import (
    CampaignResults,
    campaign_get_for_manager,
    campaign_get_for_viewer,
    campaign_items,
    campaign_results_asked,
    campaigns_for,
    invitation_get_for_respondent,
    invitations_pending,
    may_manage_campaigns,
    may_view_results,
)
from socius.insights.models import Campaign


@login_required
@require_GET
def maturity(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everyone sees the questionnaires waiting for them; managers and HR the campaigns."""
    user = request.user
    return render(
        request,
        "insights/maturity/index.html",
        {
            "pending": invitations_pending(user),
            "campaigns": campaigns_for(user),
            "may_manage": may_manage_campaigns(user),
            "may_view": may_view_results(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not may_manage_campaigns(request.user):
        raise Http404
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Campaign saved as a draft. Open it to send invitations."))
            return redirect("insights:maturity-campaign", campaign_id=campaign.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "insights/maturity/campaign_form.html", {"form": form}, status=status)


@login_required
@require_GET
def campaign_detail(request: AuthenticatedHttpRequest, campaign_id: int) -> HttpResponse:
    campaign = campaign_get_for_viewer(user=request.user, campaign_id=campaign_id)
    results = _results(request, campaign)
    context: dict[str, Any] = {
        "campaign": campaign,
        "may_manage": may_manage_campaigns(request.user),
        **results_context(results),
    }
    return render(request, "insights/maturity/campaign.html", context)


def _results(request: AuthenticatedHttpRequest, campaign: Campaign) -> CampaignResults:
    """The slice asked for in the query string, if offered to this viewer; else the whole."""
    return campaign_results_asked(
        campaign=campaign,
        user=request.user,
        department_slug=request.GET.get("department", ""),
        group=request.GET.get("group", ""),
    )


@login_required
@require_POST
def campaign_open(request: AuthenticatedHttpRequest, campaign_id: int) -> HttpResponse:
    campaign = campaign_get_for_manager(user=request.user, campaign_id=campaign_id)
    try:
        invited = services.campaign_open(actor=request.user, campaign=campaign)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Campaign opened: %(count)s invitations sent.") % {"count": invited}
        )
    return redirect("insights:maturity-campaign", campaign_id=campaign.pk)


@login_required
@require_POST
def campaign_close(request: AuthenticatedHttpRequest, campaign_id: int) -> HttpResponse:
    campaign = campaign_get_for_manager(user=request.user, campaign_id=campaign_id)
    try:
        services.campaign_close(actor=request.user, campaign=campaign)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Campaign closed."))
    return redirect("insights:maturity-campaign", campaign_id=campaign.pk)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_answer(request: AuthenticatedHttpRequest, campaign_id: int) -> HttpResponse:
    invitation = invitation_get_for_respondent(user=request.user, campaign_id=campaign_id)
    campaign = invitation.campaign
    if invitation.answered:
        return render(request, "insights/maturity/answered.html", {"campaign": campaign})
    form = AnswerForm(request.POST or None, items=campaign_items(campaign))
    if request.method == "POST" and form.is_valid():
        try:
            services.response_submit(user=request.user, campaign=campaign, answers=form.answers())
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            return render(request, "insights/maturity/answered.html", {"campaign": campaign})
    status = 422 if request.method == "POST" else 200
    context = {"campaign": campaign, "form": form, "groups": _by_factor(form)}
    return render(request, "insights/maturity/answer.html", context, status=status)


def _by_factor(form: AnswerForm) -> list[tuple[str, str, list[Any]]]:
    """The statements grouped under their factor, in questionnaire order."""
    groups: dict[str, list[Any]] = {}
    for item in form.items:
        groups.setdefault(item.factor, []).append(form[item.key])
    return [(factor, str(FACTOR_LABELS[factor]), fields) for factor, fields in groups.items()]


@login_required
@require_GET
def campaign_csv(request: AuthenticatedHttpRequest, campaign_id: int) -> HttpResponse:
    campaign = campaign_get_for_viewer(user=request.user, campaign_id=campaign_id)
    results = _results(request, campaign)
    response = HttpResponse(results_csv(results), content_type="text/csv; charset=utf-8")
    name = slugify(f"maturity-{campaign.label}-{campaign.name}") or "maturity"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@login_required
@require_GET
def campaign_pdf(request: AuthenticatedHttpRequest, campaign_id: int) -> HttpResponse:
    """The results as a PDF for management: the same pictures and tables as the page."""
    campaign = campaign_get_for_viewer(user=request.user, campaign_id=campaign_id)
    results = _results(request, campaign)
    html = render_to_string(
        "insights/maturity/report.html",
        {"campaign": campaign, "generated_at": timezone.localtime(), **results_context(results)},
        request=request,
    )
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    name = slugify(f"maturity-{campaign.label}-{campaign.name}") or "maturity"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response
