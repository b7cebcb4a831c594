"""The adoption dashboard, its CSV tables and its PDF report (managers, HR, admins)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from socius.core.csvfile import csv_download
from socius.core.http import AuthenticatedHttpRequest
from socius.core.pdf import render_pdf
from socius.insights.adoption.dashboard import Dashboard, dashboard_build
from socius.insights.adoption.selectors import Period, adoption_department_for
from socius.insights.forms import AdoptionRangeForm


def _dashboard(request: AuthenticatedHttpRequest) -> tuple[Dashboard, AdoptionRangeForm]:
    form = AdoptionRangeForm(request.GET)
    # An unreadable date falls back to the default weeks; the form shows what was wrong.
    data = form.cleaned_data if form.is_valid() else {}
    department = adoption_department_for(
        user=request.user, slug=data.get("department") or request.GET.get("department")
    )
    period = Period.of(data.get("start"), data.get("end"))
    return dashboard_build(user=request.user, department=department, period=period), form


@login_required
@require_GET
def adoption(request: AuthenticatedHttpRequest) -> HttpResponse:
    dashboard, form = _dashboard(request)
    query = request.GET.urlencode()
    return render(
        request,
        "insights/adoption/dashboard.html",
        {
            "dashboard": dashboard,
            "form": form,
            "charts": dashboard.charts(),
            "tables": dashboard.tables(),
            "query": query,
        },
        status=200 if form.is_valid() else 400,
    )


@login_required
@require_GET
def adoption_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    dashboard, _form = _dashboard(request)
    tables = dashboard.tables()
    name = request.GET.get("table", "weeks")
    if name not in tables:
        raise Http404()
    header, rows = tables[name]
    scope = dashboard.department.slug if dashboard.department else "company"
    return csv_download(f"adoption-{scope}-{name}-{dashboard.period.end}.csv", header, rows)


@login_required
@require_GET
def adoption_pdf(request: AuthenticatedHttpRequest) -> HttpResponse:
    dashboard, _form = _dashboard(request)
    html = render_to_string(
        "insights/adoption/report.html",
        {
            "dashboard": dashboard,
            "charts": dashboard.charts(),
            "tables": dashboard.tables(),
            "generated_at": timezone.localtime(),
        },
        request=request,
    )
    scope = dashboard.department.slug if dashboard.department else "company"
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="adoption-{scope}-{dashboard.period.end}.pdf"'
    )
    return response
