"""The table behind the charter's "acknowledgment over time" chart, as a CSV download."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from socius.core.csvfile import inert
from socius.core.errors import NotFound
from socius.core.http import AuthenticatedHttpRequest
from socius.insights.selectors import acknowledgment_over_time, may_manage_charter


def _figure(value: float | int | None) -> str:
    # A week where the group was under 5 people has no figure at all, not a zero.
    return "" if value is None else str(value)


def acknowledgment_csv(rows: Sequence[dict[str, Any]]) -> str:
    """One line per department and week; with a BOM so that spreadsheets read UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [_("Department"), _("Week ending"), _("Employees"), _("Acknowledged"), _("Rate (%)")]
    )
    for row in rows:
        for week in row["weeks"]:
            writer.writerow(
                [
                    inert(str(row["department"])),
                    week["week_end"].isoformat(),
                    _figure(week["employees"]),
                    _figure(week["acknowledged"]),
                    _figure(week["rate"]),
                ]
            )
    return "\ufeff" + out.getvalue()


@login_required
@require_GET
def charter_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not may_manage_charter(request.user):
        raise NotFound()
    body = acknowledgment_csv(acknowledgment_over_time())
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="charter-acknowledgments.csv"'
    return response
