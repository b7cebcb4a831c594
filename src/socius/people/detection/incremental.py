"""The check at ingestion: a new person is compared at once with the likeliest candidates.

The nightly run compares everyone with everyone (through blocking); this check answers
within the request that created a person, so that the agent looking at the new record
already sees "possible duplicate". It fetches candidates with three indexed lookups (same
birth date; same folded full name; same postcode and family name), reads them as the
batch run does (``records.py``), and scores each pair in Python with the match weights of
the last finished run (the priors before the first one). Term-frequency adjustments are
left out here; the nightly run, which has them, refines the figure.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q

from socius.people.detection.comparisons import (
    Comparison,
    comparisons,
    level_of,
    prior_model,
    shown,
)
from socius.people.detection.pipeline import FieldEvidence, ScoredPair
from socius.people.detection.records import PersonRecord, person_records
from socius.people.models import DetectionRun, Person
from socius.people.names import fold

MAX_CANDIDATES = 200
# Before a first run, the prior probability that two persons are the same human.
DEFAULT_LAMBDA = 1e-4


@dataclass(frozen=True)
class Model:
    log2_prior_odds: float
    weights: dict[str, dict[int, float]]
    compared: tuple[Comparison, ...]

    @classmethod
    def latest(cls) -> Model:
        run = (
            DetectionRun.objects.filter(status=DetectionRun.Status.DONE)
            .exclude(model={})
            .order_by("-finished_at", "-pk")
            .only("model", "persons_count")
            .first()
        )
        summary = run.model if run is not None else prior_model()
        prior = summary.get("lambda") or (
            min(0.5, 0.1 / run.persons_count) if run is not None and run.persons_count else None
        )
        return cls.from_summary(summary, prior or DEFAULT_LAMBDA)

    @classmethod
    def from_summary(cls, summary: dict[str, Any], prior: float) -> Model:
        weights = {
            name: {int(level["gamma"]): float(level["weight"]) for level in levels}
            for name, levels in summary.get("fields", {}).items()
        }
        # The run's own comparisons: its weights are indexed by their levels.
        compared = comparisons(summary.get("address") or "one")
        return cls(math.log2(prior / (1 - prior)), weights, compared)

    def score(self, left: PersonRecord, right: PersonRecord) -> ScoredPair:
        a, b = left.as_row(), right.as_row()
        total = self.log2_prior_odds
        evidence = []
        for comparison in self.compared:
            gamma = level_of(comparison, a, b)
            if gamma < 0:
                continue
            weight = self.weights.get(comparison.field, {}).get(gamma, 0.0)
            total += weight
            evidence.append(
                FieldEvidence(
                    comparison.field, gamma, weight, shown(comparison, a), shown(comparison, b)
                )
            )
        probability = 1.0 / (1.0 + 2.0 ** (-total))
        return ScoredPair(
            left=left.unique_id,
            right=right.unique_id,
            probability=probability,
            match_weight=total,
            fields=tuple(evidence),
        )


def candidate_ids(person: Person) -> list[int]:
    """Live persons sharing a birth date, a full name, or a postcode and a family name."""
    conditions = Q()
    if person.birth_date:
        conditions |= Q(birth_date=person.birth_date)
    if person.search_name:
        conditions |= Q(search_name=person.search_name)
    family = fold(person.family_name)
    if person.postcode and family:
        conditions |= Q(postcode=person.postcode, search_name__endswith=f" {family}")
    if not conditions:
        return []
    # Live persons are kept here, not in the query: there, SQLite (no statistics unless
    # ANALYZE ran) would walk the merged_into index, every live person, instead of the
    # three indexed lookups; a few dozen rows come back either way.
    rows = (
        Person.objects.filter(conditions)
        .exclude(pk=person.pk)
        .order_by("-pk")
        .values_list("pk", "merged_into_id", "erased_at")[: MAX_CANDIDATES * 5]
    )  # a very common name must not pull in all its namesakes
    live = (pk for pk, merged_into, erased_at in rows if merged_into is None and erased_at is None)
    return list(itertools.islice(live, MAX_CANDIDATES))


def likely_duplicates(person: Person, *, model: Model | None = None) -> list[ScoredPair]:
    """The candidates scoring at or above the suggestion threshold, best first."""
    ids = candidate_ids(person)
    if not ids:
        return []
    records = {record.unique_id: record for record in person_records([person.pk, *ids])}
    own = records.pop(person.pk, None)
    if own is None:
        return []
    model = model or Model.latest()
    threshold = settings.DUPLICATES_SUGGEST_THRESHOLD
    pairs = [model.score(own, other) for other in records.values()]
    return sorted((p for p in pairs if p.probability >= threshold), key=lambda p: -p.probability)
