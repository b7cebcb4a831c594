"""Reads of CSV imports: an import is seen only by the employee who started it."""

from __future__ import annotations

from socius.accounts.models import User
from socius.accounts.roles import Capability
from socius.core.errors import NotFound
from socius.people.models import ImportRun

RECENT_RUNS = 10


def import_run_get_for_employee(*, user: User, run_id: int) -> ImportRun:
    """The import with this id if this employee started it (and may still edit people)."""
    if not user.can(Capability.EDIT_PEOPLE):
        raise NotFound()
    run = ImportRun.objects.filter(pk=run_id, created_by=user).first()
    if run is None:
        raise NotFound()
    return run


def import_runs_recent(*, user: User) -> list[ImportRun]:
    if not user.can(Capability.EDIT_PEOPLE):
        return []
    # The error report can be large: the list only needs to know whether there is one.
    runs = ImportRun.objects.filter(created_by=user).defer("error_report", "mapping")
    return list(runs.order_by("-created_at", "-pk")[:RECENT_RUNS])
