"""The agents' inbox: views of the active cases, refreshed live."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from socius.care.figures import may_see_figures
from socius.care.selectors import VIEWS, View, inbox_counts, inbox_page, may_work_cases
from socius.care.services.agents import agent_availability_set, agent_status_of
from socius.care.services.common import INBOX_CHANNEL
from socius.core.errors import DomainError
from socius.core.http import AuthenticatedHttpRequest


def _view(request: AuthenticatedHttpRequest) -> View:
    wanted = request.GET.get("view", "")
    if wanted in VIEWS:
        return wanted  # type: ignore[return-value]
    return "mine" if may_work_cases(request.user) else "all"


@login_required
@require_GET
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The page, or (htmx) its list alone: a live nudge re-reads the current view."""
    view = _view(request)
    page = inbox_page(user=request.user, view=view, cursor=request.GET.get("cursor") or None)
    context = {
        "view": view,
        "views": VIEWS,
        "page": page,
        "counts": inbox_counts(user=request.user),
        "live_url": f"{reverse('core:live-events')}?channel={INBOX_CHANNEL}",
        "may_work": may_work_cases(request.user),
        "may_see_figures": may_see_figures(request.user),
        "agent_status": agent_status_of(request.user) if may_work_cases(request.user) else None,
    }
    if request.headers.get("HX-Request") and request.GET.get("part") == "list":
        return render(request, "care/inbox.html#inbox-list", context)
    return render(request, "care/inbox.html", context)


@login_required
@require_POST
def availability(request: AuthenticatedHttpRequest) -> HttpResponse:
    """An agent stops or resumes taking new requests, and sets their load limit."""
    raw_limit = request.POST.get("max_open_cases", "").strip()
    try:
        agent_availability_set(
            actor=request.user,
            available=request.POST.get("available") == "1",
            max_open_cases=int(raw_limit) if raw_limit.isdigit() else None,
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("care:inbox")
