# ruff: noqa: E501
"""Recommendations (spec A.5): a rule library, ranked by gap and urgency. Pure, no database.

Links are URL names resolved by the page, so a rule never carries a path that could rot.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from socius.insights.maturity.questionnaire import EXTERNAL_FACTORS, FACTORS
from socius.insights.maturity.scoring import Assessment, Quadrant

TOP = 5
PER_FACTOR = 2
HIGH_URGENCY = 50.0
# Unknown pressure (nobody answered the pressure items) weighs as a middling market.
DEFAULT_URGENCY = 50.0
QUADRANT_GROUP = "quadrant"
PERCEPTION_GROUP = "perception"


class Effort(IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3


EFFORT_LABELS: dict[int, Promise] = {
    Effort.LOW: _("Low effort"),
    Effort.MEDIUM: _("Medium effort"),
    Effort.HIGH: _("High effort"),
}


@dataclass(frozen=True)
class Rule:
    id: str
    text: Promise
    effort: Effort
    links: tuple[str, ...] = ()
    factor: str | None = None
    levels: frozenset[int] = frozenset()
    quadrant: Quadrant | None = None
    min_urgency: float | None = None


@dataclass(frozen=True)
class Recommendation:
    rule: Rule
    priority: float
    group: str  # the factor it answers, "quadrant" or "perception"
    factors: tuple[str, ...] = ()


def _rule(
    id: str,
    text: Promise,
    effort: Effort,
    *links: str,
    factor: str | None = None,
    levels: tuple[int, ...] = (),
    quadrant: Quadrant | None = None,
    min_urgency: float | None = None,
) -> Rule:
    return Rule(id, text, effort, links, factor, frozenset(levels), quadrant, min_urgency)


LOW, MEDIUM, HIGH = Effort.LOW, Effort.MEDIUM, Effort.HIGH
SPACES, CHARTER, OFFERS, CARE = (
    "collab:space-list",
    "insights:charter",
    "commerce:offer-list",
    "care:figures",
)  # noqa: E501

RULES: tuple[Rule, ...] = (
    _rule(
        "co-champions",
        _(
            "Appoint a champion of the internal network in each department, who helps colleagues start and answers their questions."
        ),
        LOW,
        SPACES,
        factor="CO",
        levels=(1, 2),
    ),
    _rule(
        "co-training",
        _("Run short, hands-on trainings on the collaboration tools, department by department."),
        MEDIUM,
        SPACES,
        factor="CO",
        levels=(1, 2),
    ),
    _rule(
        "co-project-spaces",
        _("Open one cross-department space per active project and ask managers to reply there."),
        LOW,
        SPACES,
        factor="CO",
        levels=(2, 3),
    ),
    _rule(
        "co-charter",
        _("Publish the social-media charter so that people know what they may share and where."),
        LOW,
        CHARTER,
        factor="CO",
        levels=(1, 2, 3),
    ),
    _rule(
        "co-showcase",
        _("Share success stories of teams that changed how they work, to spread the practice."),
        LOW,
        SPACES,
        factor="CO",
        levels=(3, 4),
    ),
    _rule(
        "st-roadmap",
        _(
            "Write a one-page digital roadmap with an executive sponsor and 3 KPIs, then re-assess in 6 months."
        ),
        MEDIUM,
        "insights:maturity",
        factor="ST",
        levels=(1, 2),
    ),
    _rule(
        "st-budget",
        _(
            "Give digital projects a budget line and review them against business KPIs every quarter."
        ),
        HIGH,
        factor="ST",
        levels=(1, 2, 3),
    ),
    _rule(
        "st-data",
        _(
            "Decide which data each department owns, how it is secured and which decisions it supports."
        ),
        MEDIUM,
        factor="ST",
        levels=(3,),
    ),
    _rule(
        "cp-benchmark",
        _("Run a benchmark of your competitors' digital channels and offers."),
        LOW,
        factor="CP",
        levels=(1, 2),
        min_urgency=HIGH_URGENCY,
    ),
    _rule(
        "cp-pilot-channel",
        _("Pilot one online or social sales channel, for example a group-buy campaign."),
        MEDIUM,
        OFFERS,
        factor="CP",
        levels=(1, 2),
    ),
    _rule(
        "cp-partners",
        _("Work with an outside partner (a start-up or an innovation hub) on one digital project."),
        HIGH,
        factor="CP",
        levels=(2, 3),
    ),
    _rule(
        "cx-response-target",
        _("Publish a response-time target for customer channels and track it on the platform."),
        LOW,
        CARE,
        factor="CX",
        levels=(1, 2),
    ),
    _rule(
        "cx-feedback",
        _(
            "Collect customer feedback from online channels and review it monthly with the teams concerned."
        ),
        MEDIUM,
        CARE,
        factor="CX",
        levels=(1, 2, 3),
    ),
    _rule(
        "cx-digital-purchase",
        _(
            "Let customers complete a purchase end to end online: book, pay and receive an e-ticket."
        ),
        HIGH,
        OFFERS,
        factor="CX",
        levels=(2, 3),
    ),
    _rule(
        "q-beginner",
        _("Start small: one quick win per factor, visible to everyone."),
        LOW,
        SPACES,
        quadrant=Quadrant.BEGINNER,
    ),
    _rule(
        "q-fashionista",
        _("Build an overarching digital vision and a governance that spans the silos."),
        MEDIUM,
        quadrant=Quadrant.FASHIONISTA,
    ),
    _rule(
        "q-conservative",
        _("Launch one or two visible digital pilots to put the vision into practice."),
        MEDIUM,
        OFFERS,
        quadrant=Quadrant.CONSERVATIVE,
    ),
    _rule(
        "q-master",
        _("Keep measuring: re-assess every 6 to 12 months and share the results with the teams."),
        LOW,
        "insights:maturity",
        quadrant=Quadrant.DIGITAL_MASTER,
    ),
)

PERCEPTION_RULE = Rule(
    id="perception-gap",
    text=_(
        "What people declare and what the platform measures differ by more than 20 points: "
        "validate the perception with the teams before acting."
    ),
    effort=Effort.LOW,
    links=(SPACES,),
)


def factor_priority(factor: str, score: float, urgency: float | None) -> float:
    """``100 − score``, raised by urgency for the external factors (×0.5 to ×1.0)."""
    gap = 100 - score
    if factor in EXTERNAL_FACTORS:
        pressure = DEFAULT_URGENCY if urgency is None else urgency
        gap *= 0.5 + pressure / 200
    return gap


def _candidates(assessment: Assessment) -> list[Recommendation]:
    found: list[Recommendation] = []
    priorities: dict[str, float] = {}
    for factor in FACTORS:
        result = assessment.factors[factor]
        if result.final is None or result.level is None:
            continue
        priority = factor_priority(factor, result.final, assessment.urgency)
        priorities[factor] = priority
        for rule in RULES:
            if rule.factor != factor or result.level not in rule.levels:
                continue
            if rule.min_urgency is not None and (assessment.urgency or 0) < rule.min_urgency:
                continue
            found.append(Recommendation(rule, priority, factor, (factor,)))
    flagged = tuple(f for f in assessment.flagged if f in priorities)
    if flagged:
        # One rule naming every diverging factor, rather than one per factor.
        top = max(priorities[f] for f in flagged)
        found.append(Recommendation(PERCEPTION_RULE, top, PERCEPTION_GROUP, flagged))
    if assessment.quadrant is not None and priorities:
        # A quadrant rule speaks to the whole organisation: it ranks with the mean gap.
        overall = sum(priorities.values()) / len(priorities)
        for rule in RULES:
            if rule.quadrant == assessment.quadrant:
                found.append(Recommendation(rule, overall, QUADRANT_GROUP))
    return found


def recommend(assessment: Assessment, *, top: int = TOP) -> list[Recommendation]:
    """The ``top`` rules by priority, ties to the lower effort, at most 2 per factor.

    The perception-gap rule, when it applies, always comes first: acting on scores the
    teams do not recognise wastes the effort the other rules ask for.
    """
    candidates = _candidates(assessment)
    chosen = [r for r in candidates if r.group == PERCEPTION_GROUP]
    ranked = sorted(
        (r for r in candidates if r.group != PERCEPTION_GROUP),
        key=lambda r: (-r.priority, r.rule.effort, r.rule.id),
    )
    taken: dict[str, int] = defaultdict(int)
    for recommendation in ranked:
        if len(chosen) >= top:
            break
        if taken[recommendation.group] >= PER_FACTOR:
            continue
        taken[recommendation.group] += 1
        chosen.append(recommendation)
    return chosen


def rule_ids(recommendations: list[Recommendation]) -> list[str]:
    return [recommendation.rule.id for recommendation in recommendations]


def all_link_names(rules: Mapping[str, Rule] | None = None) -> set[str]:
    """Every URL name the library links to (a test reverses each one)."""
    library = rules.values() if rules is not None else (*RULES, PERCEPTION_RULE)
    return {link for rule in library for link in rule.links}
