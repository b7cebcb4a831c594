"""Probabilistic duplicate detection runs: score every live person, store suggestions.

A run reads the persons (``detection.records``), scores candidate pairs with the
Splink pipeline (``detection.pipeline``, DuckDB or Spark), then stores each pair at or
above the suggestion threshold as a ``DuplicateSuggestion`` with its probability and its
per-field evidence. A pair once judged "not the same person" is never suggested again; a
pair already suggested gets the newer figures. Automatic merges happen only when a
threshold is configured, and never between two persons holding different values of one
strong identifier kind (two customer numbers, two emails...): those wait for a human.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Q
from django.db.models.constants import OnConflict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from socius.accounts.models import User
from socius.core.bulk import update_rows
from socius.core.errors import Conflict, DomainError
from socius.people.detection.incremental import Model, likely_duplicates
from socius.people.detection.pipeline import ScoredPair, score_persons
from socius.people.detection.records import person_records
from socius.people.models import DetectionRun, DuplicateSuggestion, Identifier, Person
from socius.people.rules import strong_identifier_kinds
from socius.people.services.merge import person_merge

logger = logging.getLogger(__name__)

REASON_DETECTED = gettext_noop("Names, birth date and address look alike.")
REASON_AUTO_MERGED = gettext_noop(
    "Merged automatically: duplicate detection was almost certain and nothing contradicted it."
)


class DetectionAlreadyRunning(Conflict):
    code = "detection_already_running"
    default_message = _("A duplicate detection is already waiting or running.")


# A run not finished after this long was lost (its worker stopped): it must not block the
# next one forever. The longest measured run, 100,000 persons, takes well under a minute.
STALE_AFTER = timedelta(hours=6)


def detection_run_request(*, actor: User | None, trigger: str) -> DetectionRun:
    """Queue a run for the worker; at most one waits or runs at a time (a database
    constraint keeps it so, whatever the concurrency)."""
    _fail_lost_runs()
    try:
        with transaction.atomic():
            run = DetectionRun.objects.create(
                trigger=trigger,
                requested_by=actor,
                backend=settings.DUPLICATES_BACKEND,
                threshold=settings.DUPLICATES_SUGGEST_THRESHOLD,
            )
            from socius.people.tasks import people_detection_run

            transaction.on_commit(lambda: people_detection_run.enqueue(run.pk))
    except IntegrityError:
        busy = DetectionRun.objects.filter(active=True).first()
        details = {"run": busy.pk, "status": busy.status} if busy else {}
        raise DetectionAlreadyRunning(details=details) from None
    return run


def _fail_lost_runs() -> None:
    DetectionRun.objects.filter(active=True, created_at__lt=timezone.now() - STALE_AFTER).update(
        status=DetectionRun.Status.FAILED,
        active=None,
        failure=str(_("The run stopped without finishing (its worker was stopped)."))[:300],
        finished_at=timezone.now(),
    )


def detection_run_execute(*, run_id: int) -> DetectionRun:
    """Run a queued detection once (a second call finds it claimed and does nothing)."""
    claimed = DetectionRun.objects.filter(pk=run_id, status=DetectionRun.Status.QUEUED).update(
        status=DetectionRun.Status.RUNNING, started_at=timezone.now()
    )
    run = DetectionRun.objects.get(pk=run_id)
    if not claimed:
        return run
    try:
        _execute(run)
    except DomainError as error:
        run.status, run.failure = DetectionRun.Status.FAILED, error.message[:300]
    except Exception:  # the worker must record the failure, whatever it is
        logger.exception("Duplicate detection run %s failed", run.pk)
        run.status = DetectionRun.Status.FAILED
        run.failure = str(_("The detection stopped unexpectedly."))
    else:
        run.status = DetectionRun.Status.DONE
        run.stage = DetectionRun.Stage.FINISHED
    run.finished_at = timezone.now()
    run.active = None
    run.save()
    return run


def _stage(run: DetectionRun, stage: str, **counts: Any) -> None:
    run.stage = stage
    for name, value in counts.items():
        setattr(run, name, value)
    run.save(update_fields=["stage", *counts])


def _execute(run: DetectionRun) -> None:
    _stage(run, DetectionRun.Stage.READING)
    records = list(person_records())
    train = len(records) >= settings.DUPLICATES_EM_MIN_PERSONS
    # Without estimation (a small base), scoring follows the reading at once.
    stage = DetectionRun.Stage.TRAINING if train else DetectionRun.Stage.SCORING
    _stage(run, stage, persons_count=len(records), trained=train)
    scoring = score_persons(
        records,
        threshold=run.threshold,
        backend=run.backend,
        train=train,
        on_stage=lambda: _stage(run, DetectionRun.Stage.SCORING),
    )
    run.model = scoring.model
    _stage(run, DetectionRun.Stage.STORING, pairs_count=len(scoring.pairs))
    outcome = suggestions_store(scoring.pairs, run=run)
    run.suggested_count = outcome.suggested
    run.skipped_count = outcome.skipped
    run.merged_count = outcome.merged
    run.held_count = len(outcome.held)


@dataclass
class StoreOutcome:
    suggested: int = 0
    skipped: int = 0
    merged: int = 0
    held: list[tuple[int, int]] = field(default_factory=list)
    """Pairs at or above the automatic-merge threshold left to a person."""


def suggestions_store(
    pairs: list[ScoredPair], *, run: DetectionRun | None = None, auto_merge: bool = True
) -> StoreOutcome:
    """Store scored pairs as suggestions, then merge the near-certain ones if allowed."""
    outcome = StoreOutcome()
    # A run scores what it read minutes ago: a person merged or erased since is left out,
    # and nothing the run knew of an erased person is written back.
    live = _live(pairs)
    pairs = [oriented(pair) for pair in pairs if pair.left in live and pair.right in live]
    if not pairs:
        return outcome
    existing = _existing_suggestions(pairs)
    fresh: list[DuplicateSuggestion] = []
    updated: list[tuple[int, float, dict[str, Any]]] = []
    for pair in pairs:
        evidence = pair.evidence(run_id=run.pk if run else None)
        suggestion = existing.get((pair.left, pair.right))
        if suggestion is None:
            fresh.append(
                DuplicateSuggestion(
                    person_a_id=pair.left,
                    person_b_id=pair.right,
                    origin=DuplicateSuggestion.Origin.DETECTION,
                    probability=pair.probability,
                    reason=REASON_DETECTED,
                    evidence=evidence,
                )
            )
        elif suggestion.status in (
            DuplicateSuggestion.Status.OPEN,
            DuplicateSuggestion.Status.LATER,
        ):
            merged = {**(suggestion.evidence or {}), **evidence}
            updated.append((suggestion.pk, pair.probability, merged))
        else:  # judged distinct (never again) or merged already
            outcome.skipped += 1
    with transaction.atomic():
        outcome.suggested = _insert_ignoring_conflicts(fresh)
        update_rows(
            DuplicateSuggestion,
            ["probability", "evidence"],
            [([probability, evidence], pk, None) for pk, probability, evidence in updated],
        )
    _scrub_erased_meanwhile(pairs)
    outcome.skipped += len(updated) + len(fresh) - outcome.suggested
    threshold = settings.DUPLICATES_AUTO_MERGE_THRESHOLD
    if auto_merge and threshold > 0:
        _auto_merge([p for p in pairs if p.probability >= threshold], outcome)
    return outcome


def oriented(pair: ScoredPair) -> ScoredPair:
    """The pair as suggestions store it, the smaller id first, its evidence turned along."""
    if pair.left < pair.right:
        return pair
    return replace(
        pair,
        left=pair.right,
        right=pair.left,
        fields=tuple(replace(f, left=f.right, right=f.left) for f in pair.fields),
    )


def _live(pairs: list[ScoredPair]) -> set[int]:
    ids = sorted({p.left for p in pairs} | {p.right for p in pairs})
    live: set[int] = set()
    for start in range(0, len(ids), 500):
        live.update(
            Person.objects.filter(
                pk__in=ids[start : start + 500], merged_into__isnull=True, erased_at__isnull=True
            ).values_list("pk", flat=True)
        )
    return live


def _scrub_erased_meanwhile(pairs: list[ScoredPair]) -> None:
    """An erasure committed between the check above and the write: its scrub could not see
    these rows, so do it here. (One committed after the write scrubs them itself.)"""
    from socius.people.services.privacy_erase import ERASED_JSON

    ids = sorted({p.left for p in pairs} | {p.right for p in pairs})
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        erased = list(
            Person.objects.filter(pk__in=chunk, erased_at__isnull=False).values_list(
                "pk", flat=True
            )
        )
        if erased:
            DuplicateSuggestion.objects.filter(
                Q(person_a_id__in=erased) | Q(person_b_id__in=erased)
            ).update(evidence=ERASED_JSON)


def _existing_suggestions(pairs: list[ScoredPair]) -> dict[tuple[int, int], DuplicateSuggestion]:
    persons = {p.left for p in pairs}  # oriented: a suggestion's person_a is the smaller
    found: dict[tuple[int, int], DuplicateSuggestion] = {}
    ids = sorted(persons)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for suggestion in DuplicateSuggestion.objects.filter(person_a_id__in=chunk).only(
            "pk", "person_a_id", "person_b_id", "status", "evidence"
        ):
            found[(suggestion.person_a_id, suggestion.person_b_id)] = suggestion
    return found


# A nightly run stores tens of thousands of rows: bulk_create compiles every value in
# Python, which costs more than the writes. This sends one plain statement per row in one
# executemany, values prepared by the fields themselves (updates: ``core.bulk.update_rows``).


def _insert_ignoring_conflicts(suggestions: list[DuplicateSuggestion]) -> int:
    """``bulk_create(suggestions, ignore_conflicts=True)``: a pair suggested meanwhile (by
    the check at ingestion) is kept as it is. Returns how many rows were inserted."""
    if not suggestions:
        return 0
    connection = connections[router.db_for_write(DuplicateSuggestion)]
    quote = connection.ops.quote_name
    meta = DuplicateSuggestion._meta
    fields_ = [f for f in meta.concrete_fields if not f.primary_key]
    # Only names from the model's own metadata reach the SQL text; values are parameters.
    sql = (
        f"{connection.ops.insert_statement(on_conflict=OnConflict.IGNORE)} "
        f"{quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields_)}) "
        f"VALUES ({', '.join(['%s'] * len(fields_))}) "
        f"{connection.ops.on_conflict_suffix_sql(fields_, OnConflict.IGNORE, None, None)}"
    )
    rows = [
        [f.get_db_prep_save(f.pre_save(suggestion, True), connection) for f in fields_]
        for suggestion in suggestions
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
        inserted: int = max(cursor.rowcount, 0)  # summed over the rows; ignored ones: 0
    return inserted


def strong_conflicts(left: int, right: int) -> list[str]:
    """Strong identifier kinds both persons hold with no value in common: two customer
    numbers, two loyalty cards, two emails. Such a pair is never merged automatically."""
    held: dict[int, dict[str, set[str]]] = {left: {}, right: {}}
    rows = Identifier.objects.filter(
        person_id__in=[left, right], kind__in=strong_identifier_kinds(), is_shared=False
    ).values_list("person_id", "kind", "value")
    for person_id, kind, value in rows:
        held[person_id].setdefault(kind, set()).add(value)
    return sorted(
        kind
        for kind in held[left].keys() & held[right].keys()
        if not held[left][kind] & held[right][kind]
    )


# A given name or a birth date that disagrees outright: the profile of a household
# member (same family name, same address), which only a person should rule out.
_IDENTITY_FIELDS = ("given_name", "birth_date")


def contradicted(pair: ScoredPair) -> list[str]:
    """The identity fields the two records fill with plainly different values."""
    return [f.field for f in pair.fields if f.field in _IDENTITY_FIELDS and f.gamma == 0]


def _auto_merge(pairs: list[ScoredPair], outcome: StoreOutcome) -> None:
    for pair in sorted(pairs, key=lambda p: -p.probability):
        try:
            with transaction.atomic():
                merged = _auto_merge_one(pair)
        except DomainError:  # a merge refused (a pair changed meanwhile): a human decides
            merged = False
        if merged:
            outcome.merged += 1
        else:
            outcome.held.append((pair.left, pair.right))


def _auto_merge_one(pair: ScoredPair) -> bool:
    """Merge one near-certain pair unless a person should look at it first."""
    suggestion = (
        DuplicateSuggestion.objects.select_for_update()
        .filter(person_a_id=pair.left, person_b_id=pair.right)
        .first()
    )
    # Locked: an employee's "not the same person" meanwhile wins, "later" stays theirs.
    if suggestion is None or suggestion.status != DuplicateSuggestion.Status.OPEN:
        return False
    persons = {
        p.pk: p
        for p in Person.objects.filter(
            pk__in=[pair.left, pair.right], merged_into__isnull=True, erased_at__isnull=True
        )
    }
    if len(persons) < 2:
        return False  # one of them was merged earlier in this pass; the next run sees it
    if contradicted(pair) or strong_conflicts(pair.left, pair.right):
        return False
    if Person.objects.filter(pk__in=persons, user__isnull=False).exists():
        return False  # an employee's own record: their login must not move unseen
    person_merge(
        survivor=persons[pair.left], absorbed=persons[pair.right], reason=REASON_AUTO_MERGED
    )
    return True


# The check at ingestion -------------------------------------------------------------


def duplicates_check_new(*, person_ids: list[int]) -> StoreOutcome:
    """Compare newly created persons with their likeliest candidates, now.

    Called after the creating transaction commits: a failure here must never lose the
    ingestion, so it is logged and the nightly run finds the pair instead.
    """
    outcome = StoreOutcome()
    try:
        model = Model.latest()
        for person in Person.objects.filter(
            pk__in=person_ids, merged_into__isnull=True, erased_at__isnull=True
        ):
            # Suggested only: the figure here lacks the nightly run's term frequencies.
            found = suggestions_store(likely_duplicates(person, model=model), auto_merge=False)
            outcome.suggested += found.suggested
            outcome.skipped += found.skipped
            outcome.merged += found.merged
    except Exception:  # the ingestion stands; the nightly run will catch the pair
        logger.exception("Duplicate check of new persons %s failed", person_ids[:20])
    return outcome


def duplicates_check_later(*, person_ids: list[int]) -> None:
    """Queue the check for persons created in bulk (batch ingestion), after commit."""
    if not person_ids:
        return
    from socius.people.tasks import people_duplicates_check

    ids = list(person_ids)
    transaction.on_commit(lambda: people_duplicates_check.enqueue(ids))
