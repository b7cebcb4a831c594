"""Scoring of the maturity questionnaire (spec A.4 and A.6): pure functions, no database.

Answers are 1..5 or ``None`` ("don't know"), which is skipped, never counted as 0. Every
score is kept unrounded on 0..100: templates and exports round for display only, so that
rounding never compounds across steps (the DCAM advice of spec A.1).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from socius.insights.maturity.questionnaire import FACTORS, Axis, Item

Answers = Mapping[str, int | None]

MIN_ITEMS_PER_FACTOR = 3
MIN_GROUP = 5
QUADRANT_THRESHOLD = 50.0
PERCEPTION_GAP = 20.0
MEASURED_WEIGHT = 0.3  # the share of the final score a fully covered measurement takes


class Quadrant(StrEnum):
    BEGINNER = "beginner"
    FASHIONISTA = "fashionista"
    CONSERVATIVE = "conservative"
    DIGITAL_MASTER = "digital_master"


class Measured(Protocol):
    """What blending needs of ``socius.insights.measured.MeasuredFactor``."""

    @property
    def score(self) -> float | None: ...

    @property
    def coverage(self) -> float: ...


def item_score(answer: int | None) -> float | None:
    if answer is None:
        return None
    if not 1 <= answer <= 5:
        raise ValueError(f"An answer is 1 to 5, not {answer}.")
    return (answer - 1) / 4 * 100


def _mean(values: Iterable[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return statistics.fmean(present) if present else None


def _factor_mean(items: Sequence[Item], scores: Mapping[str, float | None]) -> float | None:
    """The mean of a factor's scored items, or None below ``MIN_ITEMS_PER_FACTOR`` answers:
    two answers out of six say too little about a factor to score it."""
    present = [scores[item.key] for item in items if scores.get(item.key) is not None]
    if len(present) < MIN_ITEMS_PER_FACTOR:
        return None
    return statistics.fmean(value for value in present if value is not None)


def _scored_items_of(items: Sequence[Item], factor: str) -> list[Item]:
    return [item for item in items if item.factor == factor and item.scored]


def respondent_factor_scores(items: Sequence[Item], answers: Answers) -> dict[str, float | None]:
    """One respondent's score per factor (used for the spread, never shown per person)."""
    scores = {item.key: item_score(answers.get(item.key)) for item in items}
    return {factor: _factor_mean(_scored_items_of(items, factor), scores) for factor in FACTORS}


def item_medians(items: Sequence[Item], responses: Sequence[Answers]) -> dict[str, float | None]:
    """The organisation's score per item: the median over those who answered it, robust to
    a single enthusiast or a single cynic."""
    medians: dict[str, float | None] = {}
    for item in items:
        scores = [item_score(answers.get(item.key)) for answers in responses]
        present = [score for score in scores if score is not None]
        medians[item.key] = statistics.median(present) if present else None
    return medians


def organisation_factor_scores(
    items: Sequence[Item], medians: Mapping[str, float | None]
) -> dict[str, float | None]:
    return {factor: _factor_mean(_scored_items_of(items, factor), medians) for factor in FACTORS}


def weighted_overall(
    scores: Mapping[str, float | None], weights: Mapping[str, float] | None = None
) -> float | None:
    """The weighted mean of the valid factors (equal weights by default, as DMAT does)."""
    weights = weights or {}
    valid = [(score, weights.get(f, 1.0)) for f, score in scores.items() if score is not None]
    total = sum(weight for _score, weight in valid)
    if not valid or total <= 0:
        return None
    return sum(score * weight for score, weight in valid) / total


def axis_score(
    items: Sequence[Item], medians: Mapping[str, float | None], axis: str
) -> float | None:
    """The mean of the four factors' items on one MIT axis; the optional green block stays
    out so that campaigns with and without it remain comparable."""
    return _mean(medians.get(i.key) for i in items if i.axis == axis and i.factor in FACTORS)


def quadrant(what: float | None, how: float | None) -> Quadrant | None:
    if what is None or how is None:
        return None
    high_what, high_how = what >= QUADRANT_THRESHOLD, how >= QUADRANT_THRESHOLD
    if high_what and high_how:
        return Quadrant.DIGITAL_MASTER
    if high_what:
        return Quadrant.FASHIONISTA
    if high_how:
        return Quadrant.CONSERVATIVE
    return Quadrant.BEGINNER


def urgency(items: Sequence[Item], medians: Mapping[str, float | None]) -> float | None:
    """0..100 from the external-pressure items: how hard the market pushes."""
    return axis_score(items, medians, Axis.PRESSURE)


def level(score: float | None) -> int | None:
    """1 Basic (<25), 2 Emerging (<50), 3 Developing (<75), 4 Advanced."""
    if score is None:
        return None
    if score < 25:
        return 1
    if score < 50:
        return 2
    if score < 75:
        return 3
    return 4


def interquartile_range(values: Sequence[float]) -> float | None:
    """How far respondents disagree: Q3 − Q1 (inclusive method, so that five values give
    the quartiles a reader would compute by hand)."""
    if len(values) < 2:
        return None
    first, _median, third = statistics.quantiles(values, n=4, method="inclusive")
    return third - first


def factor_spreads(items: Sequence[Item], responses: Sequence[Answers]) -> dict[str, float | None]:
    per_respondent = [respondent_factor_scores(items, answers) for answers in responses]
    spreads: dict[str, float | None] = {}
    for factor in FACTORS:
        values = [scores[factor] for scores in per_respondent]
        spreads[factor] = interquartile_range([v for v in values if v is not None])
    return spreads


def declared_scores(items: Sequence[Item], responses: Sequence[Answers]) -> dict[str, float | None]:
    return organisation_factor_scores(items, item_medians(items, responses))


def group_gap(
    items: Sequence[Item], management: Sequence[Answers], staff: Sequence[Answers]
) -> dict[str, float | None] | None:
    """Management minus staff per factor, or None unless each side has at least 5 people."""
    if len(management) < MIN_GROUP or len(staff) < MIN_GROUP:
        return None
    top, floor = declared_scores(items, management), declared_scores(items, staff)
    return {factor: delta(top[factor], floor[factor]) for factor in FACTORS}


@dataclass(frozen=True)
class Blend:
    final: float | None
    alpha: float
    perception_gap: float | None  # declared − measured
    flagged: bool


def blend(declared: float | None, measured: Measured | None) -> Blend:
    """``final = (1 − α)·declared + α·measured`` with ``α = 0.3 × coverage`` (spec A.6):
    the platform's own data can temper what people say, never replace it."""
    measured_score = measured.score if measured is not None else None
    if declared is None:
        return Blend(final=None, alpha=0.0, perception_gap=None, flagged=False)
    if measured is None or measured_score is None:
        return Blend(final=declared, alpha=0.0, perception_gap=None, flagged=False)
    alpha = MEASURED_WEIGHT * min(max(measured.coverage, 0.0), 1.0)
    gap = declared - measured_score
    return Blend(
        final=(1 - alpha) * declared + alpha * measured_score,
        alpha=alpha,
        perception_gap=gap,
        flagged=abs(gap) > PERCEPTION_GAP,
    )


def delta(current: float | None, previous: float | None) -> float | None:
    return current - previous if current is not None and previous is not None else None


@dataclass(frozen=True)
class FactorResult:
    factor: str
    declared: float | None
    measured: float | None
    coverage: float
    final: float | None
    alpha: float
    flagged: bool
    perception_gap: float | None
    spread: float | None
    level: int | None
    previous: float | None  # the previous campaign's declared score
    delta: float | None  # declared, against the previous campaign
    management_gap: float | None


@dataclass(frozen=True)
class Assessment:
    respondents: int
    factors: dict[str, FactorResult]
    overall_declared: float | None
    overall_final: float | None
    overall_level: int | None
    overall_delta: float | None
    what: float | None
    how: float | None
    quadrant: Quadrant | None
    urgency: float | None
    green: float | None
    gap_shown: bool
    medians: dict[str, float | None] = field(default_factory=dict)

    @property
    def flagged(self) -> list[str]:
        return [factor for factor, result in self.factors.items() if result.flagged]


@dataclass(frozen=True)
class Respondent:
    answers: Answers
    management: bool


def assess(
    items: Sequence[Item],
    respondents: Sequence[Respondent],
    *,
    measured: Mapping[str, Measured] | None = None,
    previous: Mapping[str, float | None] | None = None,
    previous_overall: float | None = None,
    weights: Mapping[str, float] | None = None,
) -> Assessment:
    """Everything the results page shows, for one group of respondents (the caller checks
    it holds at least 5 people)."""
    responses = [respondent.answers for respondent in respondents]
    medians = item_medians(items, responses)
    declared = organisation_factor_scores(items, medians)
    spreads = factor_spreads(items, responses)
    gaps = group_gap(
        items,
        [r.answers for r in respondents if r.management],
        [r.answers for r in respondents if not r.management],
    )
    measured = measured or {}
    previous = previous or {}
    factors: dict[str, FactorResult] = {}
    for factor in FACTORS:
        source = measured.get(factor)
        mixed = blend(declared[factor], source)
        factors[factor] = FactorResult(
            factor=factor,
            declared=declared[factor],
            measured=source.score if source is not None else None,
            coverage=source.coverage if source is not None else 0.0,
            final=mixed.final,
            alpha=mixed.alpha,
            flagged=mixed.flagged,
            perception_gap=mixed.perception_gap,
            spread=spreads[factor],
            level=level(mixed.final),
            previous=previous.get(factor),
            delta=delta(declared[factor], previous.get(factor)),
            management_gap=gaps[factor] if gaps is not None else None,
        )
    what, how = axis_score(items, medians, Axis.WHAT), axis_score(items, medians, Axis.HOW)
    overall_declared = weighted_overall(declared, weights)
    overall_final = weighted_overall({f: r.final for f, r in factors.items()}, weights)
    green = _mean(medians[item.key] for item in items if item.factor == "G")
    return Assessment(
        respondents=len(respondents),
        factors=factors,
        overall_declared=overall_declared,
        overall_final=overall_final,
        overall_level=level(overall_final),
        overall_delta=delta(overall_declared, previous_overall),
        what=what,
        how=how,
        quadrant=quadrant(what, how),
        urgency=urgency(items, medians),
        green=green,
        gap_shown=gaps is not None,
        medians=medians,
    )
