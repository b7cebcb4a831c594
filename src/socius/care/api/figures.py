"""GET /api/v1/care/figures: the care team's figures per department."""

from __future__ import annotations

from typing import Any

from ninja import Query, Router, Schema
from pydantic import Field

from socius.care.api.auth import READ
from socius.care.figures import MAX_DAYS, department_figures

router = Router(tags=["care"])


class FiguresQuery(Schema):
    days: int = Field(default=30, ge=1, le=MAX_DAYS)


@router.get("/figures", auth=READ, summary="Figures per department over the last days")
def figures(request: Any, query: Query[FiguresQuery]) -> dict[str, Any]:
    """Requests opened in the window: answered, resolved, median first response (minutes),
    share of targets met (percent), number of ratings and average satisfaction (1-5)."""
    rows = department_figures(days=query.days)
    return {"days": query.days, "departments": [row.as_dict() for row in rows]}
