"""Read API of insights: the charter and its acknowledgment per department."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Router, Schema

from socius.accounts.api_auth import TokenAuth
from socius.insights.adoption.api import router as adoption_router
from socius.insights.maturity.api import router as maturity_router
from socius.insights.selectors import acknowledgment_by_department, charter_current

router = Router()
READ = TokenAuth("insights:read")
router.add_router("/maturity", maturity_router)
router.add_router("", adoption_router)


class CharterVersionOut(Schema):
    id: int
    number: int
    title: str
    body: str
    material: bool
    body_sha256: str
    published_at: datetime | None


class DepartmentRateOut(Schema):
    department: str
    employees: int
    acknowledged: int
    rate: float  # percent of the employees, one decimal


class CharterOut(Schema):
    version: CharterVersionOut | None
    departments: list[DepartmentRateOut]


@router.get("/charter", response=CharterOut, auth=READ)
def charter(request: Any) -> dict[str, Any]:
    """The current charter and its acknowledgment rate per department (groups of at least
    5 employees; smaller ones are merged into "Other departments" or left out)."""
    return {
        "version": charter_current(),
        "departments": [
            {**row, "department": str(row["department"])} for row in acknowledgment_by_department()
        ],
    }
