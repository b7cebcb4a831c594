"""Reads of the maturity assessment: who may see what, and the results of a campaign.

No figure describes fewer than ``MIN_GROUP`` respondents: a campaign, a department or a
group (management, staff) with fewer responses shows "fewer than 5" and nothing else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone

from socius.accounts.models import Department, User
from socius.accounts.roles import Capability
from socius.core.errors import NotFound
from socius.insights.maturity.questionnaire import Item, questionnaire_get
from socius.insights.maturity.recommendations import Recommendation, recommend
from socius.insights.maturity.scoring import MIN_GROUP, Assessment, Measured, Respondent, assess
from socius.insights.models import Answer, Campaign, Invitation, Response


def may_manage_campaigns(user: User) -> bool:
    # HR runs assessments as it runs the charter; administrators hold every capability.
    return user.is_authenticated and user.can(Capability.MANAGE_CHARTER)


def may_view_results(user: User) -> bool:
    return user.is_authenticated and user.can(Capability.VIEW_INSIGHTS)


def campaign_items(campaign: Campaign) -> tuple[Item, ...]:
    questionnaire = questionnaire_get(campaign.questionnaire_version)
    return questionnaire.items_for(include_green=campaign.include_green)


def _visible(user: User) -> QuerySet[Campaign]:
    if may_manage_campaigns(user):
        return Campaign.objects.all()
    if may_view_results(user):
        return Campaign.objects.exclude(status=Campaign.Status.DRAFT)
    return Campaign.objects.none()


def campaigns_for(user: User) -> list[Campaign]:
    return list(_visible(user).select_related("previous").order_by("-created_at", "-pk"))


def campaign_get_for_viewer(*, user: User, campaign_id: int) -> Campaign:
    """A campaign whose results ``user`` may read; 404 for everyone else."""
    campaign = _visible(user).select_related("previous").filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound()
    return campaign


def campaign_get_for_manager(*, user: User, campaign_id: int) -> Campaign:
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None or not may_manage_campaigns(user):
        raise NotFound()
    return campaign


def invitation_get_for_respondent(*, user: User, campaign_id: int) -> Invitation:
    """The invitation of ``user`` to an open campaign; 404 for anyone not invited."""
    invitation = (
        Invitation.objects.select_related("campaign")
        .filter(user=user, campaign_id=campaign_id, campaign__status=Campaign.Status.OPEN)
        .first()
    )
    if invitation is None:
        raise NotFound()
    return invitation


def invitations_pending(user: User) -> list[Invitation]:
    return list(
        Invitation.objects.select_related("campaign")
        .filter(user=user, answered=False, campaign__status=Campaign.Status.OPEN)
        .order_by("campaign__closes_on", "campaign_id")
    )


def shown_count(count: int) -> int | None:
    """A count fit to show, or None for "fewer than 5"."""
    return count if count >= MIN_GROUP else None


def campaign_counts(campaign: Campaign) -> tuple[int, int]:
    """(invited, responses) of a campaign."""
    invited = Invitation.objects.filter(campaign=campaign).count()
    return invited, Response.objects.filter(campaign=campaign).count()


def measured_factors(
    *, department_ids: Sequence[int] | None = None, as_of: date | None = None
) -> Mapping[str, Measured]:
    """The platform's own measurement per factor (``socius.insights.measured``), or nothing
    while that module is not installed: declared scores then stand alone."""
    try:
        from socius.insights.measured import measured_factors as measure
    except ImportError:
        return {}
    result: Mapping[str, Measured] = measure(department_ids=department_ids, as_of=as_of)
    return result


@dataclass(frozen=True)
class Slice:
    department: Department | None = None
    group: str = ""  # "management", "staff", or "" for everyone

    @property
    def is_whole(self) -> bool:
        return self.department is None and not self.group


@dataclass
class CampaignResults:
    campaign: Campaign
    slice: Slice
    invited: int
    responses: int | None  # in the slice; None: fewer than 5
    responses_total: int | None  # in the whole campaign; None: fewer than 5
    assessment: Assessment | None  # None: fewer than 5
    previous: Campaign | None = None
    recommendations: list[Recommendation] = field(default_factory=list)
    departments: list[Department] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)

    @property
    def enough(self) -> bool:
        return self.assessment is not None


def _responses(campaign: Campaign, chosen: Slice) -> QuerySet[Response]:
    responses = Response.objects.filter(campaign=campaign)
    if chosen.department is not None:
        responses = responses.filter(department=chosen.department)
    if chosen.group:
        responses = responses.filter(group=chosen.group)
    return responses


def _respondents(campaign: Campaign, chosen: Slice) -> list[Respondent]:
    groups = dict(_responses(campaign, chosen).values_list("pk", "group"))
    answers: dict[Any, dict[str, int | None]] = defaultdict(dict)
    rows = Answer.objects.filter(response__in=list(groups)).values_list("response", "item", "value")
    for response_id, item, value in rows:
        answers[response_id][item] = value
    return [
        Respondent(answers=answers[pk], management=group == Response.Group.MANAGEMENT)
        for pk, group in groups.items()
    ]


def _slices_available(campaign: Campaign) -> tuple[list[Department], list[str]]:
    by_department = (
        Response.objects.filter(campaign=campaign, department__isnull=False)
        .values("department")
        .annotate(n=Count("pk"))
        .filter(n__gte=MIN_GROUP)
        .values_list("department", flat=True)
    )
    by_group = (
        Response.objects.filter(campaign=campaign)
        .exclude(group="")
        .values("group")
        .annotate(n=Count("pk"))
        .filter(n__gte=MIN_GROUP)
        .values_list("group", flat=True)
    )
    return list(Department.objects.filter(pk__in=list(by_department))), sorted(by_group)


def _measured_scope(campaign: Campaign, chosen: Slice) -> list[int] | None:
    if chosen.department is not None:
        return [chosen.department.pk]
    # A campaign sent to named people only is about the whole company.
    return list(campaign.departments.values_list("pk", flat=True)) or None


def campaign_assessment(
    campaign: Campaign, chosen: Slice = Slice(), *, compared: bool = True
) -> Assessment | None:
    """The scores of one slice of a campaign, or None below 5 respondents. ``compared``
    adds the measured scores and the previous campaign's (itself taken alone, so that a
    long chain of campaigns costs no more than two)."""
    respondents = _respondents(campaign, chosen)
    if len(respondents) < MIN_GROUP:
        return None
    previous: Assessment | None = None
    if compared and campaign.previous is not None:
        previous = campaign_assessment(campaign.previous, chosen, compared=False)
    measured: Mapping[str, Measured] = {}
    if compared:
        as_of = campaign.closed_on or timezone.localdate()
        measured = measured_factors(department_ids=_measured_scope(campaign, chosen), as_of=as_of)
    return assess(
        campaign_items(campaign),
        respondents,
        measured=measured,
        previous={f: r.declared for f, r in previous.factors.items()} if previous else None,
        previous_overall=previous.overall_declared if previous else None,
        weights=getattr(settings, "MATURITY_FACTOR_WEIGHTS", None),
    )


def campaign_results(*, campaign: Campaign, chosen: Slice = Slice()) -> CampaignResults:
    invited, total = campaign_counts(campaign)
    assessment = campaign_assessment(campaign, chosen)
    departments, groups = _slices_available(campaign)
    count = total if chosen.is_whole else _responses(campaign, chosen).count()
    return CampaignResults(
        campaign=campaign,
        slice=chosen,
        invited=invited,
        responses=shown_count(count),
        responses_total=shown_count(total),
        assessment=assessment,
        previous=campaign.previous,
        recommendations=recommend(assessment) if assessment is not None else [],
        departments=departments,
        groups=groups,
    )


def slice_from(campaign: Campaign, *, department_slug: str = "", group: str = "") -> Slice:
    """The slice a results page asks for; an unknown department or group is ignored. A
    slice with fewer than 5 responses shows "fewer than 5", like any other."""
    department = None
    if department_slug:
        department = Department.objects.filter(slug=department_slug).first()
    if group not in (Response.Group.MANAGEMENT, Response.Group.STAFF):
        group = ""
    return Slice(department=department, group=group)
