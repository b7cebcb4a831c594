"""The table behind the charter's "acknowledgment over time" chart, as a CSV download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from socius.core.csvfile import csv_download
from socius.core.errors import NotFound
from socius.core.http import AuthenticatedHttpRequest
from socius.insights.selectors import acknowledgment_over_time, may_manage_charter


@login_required
@require_GET
def charter_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One line per department and week; a week where the group was under 5 people has
    empty cells, not zeros."""
    if not may_manage_charter(request.user):
        raise NotFound()
    rows = [
        [row["department"], week["week_end"].isoformat(), *figures]
        for row in acknowledgment_over_time()
        for week in row["weeks"]
        for figures in [(week["employees"], week["acknowledged"], week["rate"])]
    ]
    header = [_("Department"), _("Week ending"), _("Employees"), _("Acknowledged"), _("Rate (%)")]
    return csv_download("charter-acknowledgments.csv", header, rows)
