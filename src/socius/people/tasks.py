"""Jobs of the people context, run by the worker."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from socius.core.periodic import register_periodic
from socius.people.services.retention import retention_apply


@task()
def people_retention_apply() -> int:
    """Erase the prospects whose retention period is over; returns how many."""
    return len(retention_apply().erased)


register_periodic(
    name="people.retention_apply", every=timedelta(days=1), task=people_retention_apply
)


@task()
def people_detection_run(run_id: int) -> str:
    """A duplicate detection run queued from the review queue, the API or the schedule."""
    from socius.people.services.detection import detection_run_execute

    return detection_run_execute(run_id=run_id).status


@task()
def people_detection_nightly() -> int | None:
    """Queue the nightly detection, unless one is already waiting or running."""
    from socius.people.models import DetectionRun
    from socius.people.services.detection import DetectionAlreadyRunning, detection_run_request

    try:
        return detection_run_request(actor=None, trigger=DetectionRun.Trigger.NIGHTLY).pk
    except DetectionAlreadyRunning:
        return None


register_periodic(
    name="people.detection_nightly", every=timedelta(days=1), task=people_detection_nightly
)


@task()
def people_duplicates_check(person_ids: list[int]) -> int:
    """The duplicate check of persons created by a batch ingestion; returns suggestions."""
    from socius.people.services.detection import duplicates_check_new

    return duplicates_check_new(person_ids=person_ids).suggested
