"""Read API of the maturity assessment (scope ``insights:read``).

Below 5 responses a campaign has ``responses: null`` and ``results: null``: neither a
score nor a count describes fewer than 5 people. Results exist only once a campaign is
closed (``results: null`` before), and only for the whole campaign.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Router, Schema

from socius.accounts.api_auth import TokenAuth, api_user
from socius.insights.maturity.questionnaire import FACTORS
from socius.insights.maturity.recommendations import rule_ids
from socius.insights.maturity.scoring import Assessment
from socius.insights.maturity.selectors import (
    CampaignResults,
    campaign_facts_for,
    campaign_get_for_viewer,
    campaign_results,
)
from socius.insights.models import Campaign

router = Router()
READ = TokenAuth("insights:read")


class FactorOut(Schema):
    factor: str
    declared: float | None
    measured: float | None
    coverage: float
    final: float | None
    level: int | None
    spread: float | None
    previous: float | None
    delta: float | None
    perception_gap: float | None
    flagged: bool  # declared and measured differ by more than 20 points


class ResultsOut(Schema):
    overall_declared: float | None
    overall_final: float | None
    level: int | None
    overall_delta: float | None
    what: float | None
    how: float | None
    quadrant: str | None
    urgency: float | None
    green: float | None
    factors: list[FactorOut]
    flags: list[str]
    recommendations: list[str]


class CampaignFactsOut(Schema):
    id: int
    name: str
    label: str
    status: str
    questionnaire_version: str
    opened_on: date | None
    closes_on: date | None
    closed_on: date | None
    previous_id: int | None
    invited: int
    responses: int | None  # null: fewer than 5


class CampaignOut(CampaignFactsOut):
    results: ResultsOut | None  # null: not closed yet, or fewer than 5 responses


def _rounded(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def _results(assessment: Assessment, recommendations: list[str]) -> dict[str, Any]:
    factors = [assessment.factors[f] for f in FACTORS]
    return {
        "overall_declared": _rounded(assessment.overall_declared),
        "overall_final": _rounded(assessment.overall_final),
        "level": assessment.overall_level,
        "overall_delta": _rounded(assessment.overall_delta),
        "what": _rounded(assessment.what),
        "how": _rounded(assessment.how),
        "quadrant": assessment.quadrant.value if assessment.quadrant else None,
        "urgency": _rounded(assessment.urgency),
        "green": _rounded(assessment.green),
        "factors": [
            {
                "factor": f.factor,
                "declared": _rounded(f.declared),
                "measured": _rounded(f.measured),
                "coverage": round(f.coverage, 2),
                "final": _rounded(f.final),
                "level": f.level,
                "spread": _rounded(f.spread),
                "previous": _rounded(f.previous),
                "delta": _rounded(f.delta),
                "perception_gap": _rounded(f.perception_gap),
                "flagged": f.flagged,
            }
            for f in factors
        ],
        "flags": assessment.flagged,
        "recommendations": recommendations,
    }


def _facts(campaign: Campaign, *, invited: int, responses: int | None) -> dict[str, Any]:
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "label": campaign.label,
        "status": campaign.status,
        "questionnaire_version": campaign.questionnaire_version,
        "opened_on": campaign.opened_on,
        "closes_on": campaign.closes_on,
        "closed_on": campaign.closed_on,
        "previous_id": campaign.previous_id,
        "invited": invited,
        "responses": responses,
    }


def _campaign(campaign: Campaign, results: CampaignResults) -> dict[str, Any]:
    assessment = results.assessment
    return {
        **_facts(campaign, invited=results.invited, responses=results.responses_total),
        "results": (
            _results(assessment, rule_ids(results.recommendations)) if assessment else None
        ),
    }


@router.get("/campaigns", response=list[CampaignFactsOut], auth=READ)
def campaign_list(request: Any) -> list[dict[str, Any]]:
    """The campaigns the caller may see, newest first: facts only (names, status, dates,
    how many were invited, how many answered or ``null`` below 5). No score: read each
    campaign's results at ``/campaigns/{id}``, so that listing costs one query."""
    return [
        _facts(facts.campaign, invited=facts.invited, responses=facts.responses)
        for facts in campaign_facts_for(api_user(request))
    ]


@router.get("/campaigns/{campaign_id}", response=CampaignOut, auth=READ)
def campaign_detail(request: Any, campaign_id: int) -> dict[str, Any]:
    """One campaign's facts and its results for the whole campaign (``null`` while it is
    open, or below 5 responses)."""
    user = api_user(request)
    campaign = campaign_get_for_viewer(user=user, campaign_id=campaign_id)
    return _campaign(campaign, campaign_results(campaign=campaign, user=user))
