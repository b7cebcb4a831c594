"""Importing prepared rows, inline or as a background run, and the error report."""

from __future__ import annotations

import csv
import io
import logging
import uuid
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socius.core.csvfile import inert
from socius.core.errors import DomainError
from socius.core.services import ActivityDraft, ActivityObject, activity_append
from socius.people.models import (
    ConsentPurpose,
    ConsentState,
    ImportRun,
)
from socius.people.services.consent import consent_record, consent_states

# Importing -----------------------------------------------------------------------------
from socius.people.services.imports.fields import INLINE_MAX_ROWS, ROWS_PER_TRANSACTION
from socius.people.services.imports.mapping import (
    PreparedRow,
    import_source,
    mapping_check,
    row_prepare,
)
from socius.people.services.imports.reading import (
    CsvRow,
    CsvTable,
    import_upload_delete,
    import_upload_table,
)
from socius.people.services.resolve import person_resolve
from socius.people.services.types import ResolveContext

logger = logging.getLogger(__name__)


@dataclass
class ImportSummary:
    total: int
    processed: int = 0
    created: int = 0
    attached: int = 0
    merged: int = 0
    suggested: int = 0
    consents: int = 0
    refusals_kept: int = 0
    refused: list[tuple[CsvRow, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.total,
            "created": self.created,
            "attached": self.attached,
            "merged": self.merged,
            "suggested": self.suggested,
            "refused": len(self.refused),
            "consents": self.consents,
            "refusals_kept": self.refusals_kept,
        }


def _import_row(
    prepared: PreparedRow, summary: ImportSummary, *, source: str, label: str, actor_id: int | None
) -> None:
    resolution = person_resolve(
        identifiers=prepared.identifiers,
        profile=prepared.profile,
        context=ResolveContext(source=source, channel="import", actor_id=actor_id),
    )
    if prepared.consent:
        purpose = ConsentPurpose.EMAIL_MARKETING
        current = consent_states(person=resolution.person).get(purpose)
        # A contact file says nothing of when consent was given: it never overturns a
        # refusal the person expressed.
        if prepared.consent == ConsentState.GRANTED and current in {
            ConsentState.DENIED,
            ConsentState.WITHDRAWN,
        }:
            summary.refusals_kept += 1
        else:
            consent_record(
                person=resolution.person,
                purpose=purpose,
                state=prepared.consent,
                source=source,
                evidence=_("%(file)s, line %(line)s") % {"file": label, "line": prepared.row.line},
                actor_id=actor_id,
            )
            summary.consents += 1
    setattr(summary, resolution.outcome, getattr(summary, resolution.outcome) + 1)


def _rows_import(
    table: CsvTable,
    mapping: list[str],
    summary: ImportSummary,
    *,
    source: str,
    label: str,
    actor_id: int | None,
    on_progress: Callable[[ImportSummary], None] | None,
) -> None:
    for start in range(0, len(table.rows), ROWS_PER_TRANSACTION):
        with transaction.atomic():
            for row in table.rows[start : start + ROWS_PER_TRANSACTION]:
                summary.processed += 1
                prepared = row_prepare(row, mapping, source=source)
                if prepared.errors:
                    summary.refused.append((row, " ".join(prepared.errors)))
                    continue
                try:
                    with transaction.atomic():  # the row is written whole or not at all
                        _import_row(
                            prepared, summary, source=source, label=label, actor_id=actor_id
                        )
                except DomainError as error:
                    summary.refused.append((row, error.message))
                except DatabaseError:
                    logger.exception("Import row %s of %s failed", row.line, label)
                    summary.refused.append((row, _("This row could not be saved.")))
            if on_progress is not None:
                on_progress(summary)


def people_import(
    *,
    table: CsvTable,
    mapping: list[str],
    filename: str,
    source: str = "",
    actor_id: int | None = None,
    department_id: int | None = None,
    dry_run: bool = False,
    run: ImportRun | None = None,
    on_progress: Callable[[ImportSummary], None] | None = None,
) -> ImportSummary:
    """Import every row (each in its own savepoint) and append one "people.imported".

    A dry run does all of it and rolls everything back: the counts are the real ones.
    """
    mapping_check(mapping, table.header)
    source = source or import_source(filename)
    summary = ImportSummary(total=len(table.rows))
    with transaction.atomic() if dry_run else nullcontext():
        _rows_import(
            table,
            mapping,
            summary,
            source=source,
            label=filename,
            actor_id=actor_id,
            on_progress=on_progress,
        )
        with transaction.atomic():
            activity_append(
                ActivityDraft(
                    verb="people.imported",
                    actor_id=actor_id,
                    department_id=department_id,
                    about=ActivityObject.of(run) if run is not None else None,
                    channel="import",
                    summary=filename[:200],
                    payload={"file": filename[:200], "source": source, **summary.counts()},
                )
            )
        if dry_run:
            transaction.set_rollback(True)
    return summary


def error_report(table: CsvTable, refused: list[tuple[CsvRow, str]]) -> str:
    """The refused rows with the file's own columns and delimiter, plus an "error" column;
    with a BOM so that spreadsheet software reads it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=table.delimiter, lineterminator="\r\n")
    writer.writerow([inert(cell) for cell in [*table.header, "error"]])
    for row, message in refused:
        writer.writerow([inert(cell) for cell in [*row.values, message]])
    return "\ufeff" + out.getvalue()


# Runs: an import started from the browser ----------------------------------------------


def import_run_start(
    *,
    token: uuid.UUID,
    filename: str,
    source_name: str,
    mapping: list[str],
    actor: Any,
) -> ImportRun:
    """Import inline up to ``INLINE_MAX_ROWS`` rows; otherwise queue it for the worker."""
    table = import_upload_table(token=token)
    mapping_check(mapping, table.header)
    run = ImportRun.objects.create(
        created_by=actor,
        filename=filename[:255],
        source=import_source(source_name or filename),
        upload=token,
        mapping=mapping,
        total_rows=len(table.rows),
    )
    if len(table.rows) <= INLINE_MAX_ROWS:
        return import_run_execute(run_id=run.pk)
    from socius.people.import_tasks import people_import_run

    transaction.on_commit(lambda: people_import_run.enqueue(run.pk))
    return run


def _progress(run: ImportRun, summary: ImportSummary) -> None:
    run.processed_rows = summary.processed
    run.created_count = summary.created
    run.attached_count = summary.attached
    run.merged_count = summary.merged
    run.suggested_count = summary.suggested
    run.refused_count = len(summary.refused)
    run.consents_count = summary.consents
    run.refusals_kept_count = summary.refusals_kept
    run.save(
        update_fields=[
            "processed_rows",
            "created_count",
            "attached_count",
            "merged_count",
            "suggested_count",
            "refused_count",
            "consents_count",
            "refusals_kept_count",
        ]
    )


def import_run_execute(*, run_id: int) -> ImportRun:
    """Run a queued import once (a second call finds it claimed and does nothing)."""
    claimed = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.QUEUED).update(
        status=ImportRun.Status.RUNNING, started_at=timezone.now()
    )
    run = ImportRun.objects.select_related("created_by").get(pk=run_id)
    if not claimed or run.upload is None:
        return run
    token = run.upload
    try:
        table = import_upload_table(token=token)
        actor = run.created_by
        summary = people_import(
            table=table,
            mapping=run.mapping,
            filename=run.filename,
            source=run.source,
            actor_id=actor.pk if actor else None,
            department_id=actor.department_id if actor else None,
            run=run,
            on_progress=lambda summary: _progress(run, summary),
        )
    except DomainError as error:
        run.status, run.failure = ImportRun.Status.FAILED, error.message[:300]
    except Exception:  # the worker must record the failure, whatever it is
        logger.exception("Import run %s failed", run.pk)
        run.status, run.failure = ImportRun.Status.FAILED, _("The import stopped unexpectedly.")
    else:
        _progress(run, summary)
        run.status = ImportRun.Status.DONE
        run.error_report = error_report(table, summary.refused) if summary.refused else ""
    import_upload_delete(token=token)
    run.upload = None
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "failure", "error_report", "upload", "finished_at"])
    return run
