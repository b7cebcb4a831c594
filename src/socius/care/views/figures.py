"""Customer care's figures per department, for agents, their managers and insights readers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from socius.care.figures import department_figures, may_see_figures
from socius.core.http import AuthenticatedHttpRequest

WINDOWS = (7, 30, 90)


@login_required
@require_GET
def figures(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not may_see_figures(request.user):
        raise Http404
    raw = request.GET.get("days", "")
    days = int(raw) if raw.isdigit() and int(raw) in WINDOWS else 30
    context = {"rows": department_figures(days=days), "days": days, "windows": WINDOWS}
    return render(request, "care/figures.html", context)
