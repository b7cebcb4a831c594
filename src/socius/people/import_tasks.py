"""The background job of CSV imports too large to run during the request."""

from __future__ import annotations

from django_tasks import task

from socius.people.services.imports import import_run_execute


@task()
def people_import_run(run_id: int) -> str:
    return import_run_execute(run_id=run_id).status
