"""Reads of the maturity assessment: who may see what, and the results of a campaign.

No figure describes fewer than ``MIN_GROUP`` respondents, directly or by difference:

- results exist only once a campaign is closed, so that reading them before and after a
  colleague answers cannot isolate that colleague's answers;
- a slice (a department, or management or staff) is offered only when it has at least 5
  responses and the rest of the campaign has none or at least 5, and only one dimension at
  a time: otherwise the whole minus the slice would describe fewer than 5 people.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
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
    """HR and administrators see every campaign; a manager only those sent to their own
    department (by department or to one of its people), so that nobody reads how another
    department sees itself."""
    if may_manage_campaigns(user):
        return Campaign.objects.all()
    if not may_view_results(user) or user.department_id is None:
        return Campaign.objects.none()
    sent_to_department = Campaign.departments.through.objects.filter(
        campaign_id=OuterRef("pk"), department_id=user.department_id
    )
    sent_to_its_people = Invitation.objects.filter(
        campaign_id=OuterRef("pk"), user__department_id=user.department_id
    )
    return Campaign.objects.exclude(status=Campaign.Status.DRAFT).filter(
        Exists(sent_to_department) | Exists(sent_to_its_people)
    )


def campaigns_for(user: User) -> list[Campaign]:
    return list(_visible(user).select_related("previous").order_by("-created_at", "-pk"))


@dataclass(frozen=True)
class CampaignFacts:
    campaign: Campaign
    invited: int
    responses: int | None  # None: fewer than 5


def _count_of(model: type[Invitation] | type[Response]) -> Coalesce:
    counted = (
        model.objects.filter(campaign=OuterRef("pk"))
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def campaign_facts_for(user: User) -> list[CampaignFacts]:
    """The campaigns ``user`` may see with their counts, in one query and without any
    score: scores are read one campaign at a time."""
    campaigns = (
        _visible(user)
        .annotate(invited_count=_count_of(Invitation), response_count=_count_of(Response))
        .order_by("-created_at", "-pk")
    )
    return [
        CampaignFacts(
            campaign=c,
            invited=c.invited_count,
            responses=shown_count(c.response_count),
        )
        for c in campaigns
    ]


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


def invited_count(campaign: Campaign) -> int:
    return Invitation.objects.filter(campaign=campaign).count()


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


def _apart(part: int, total: int) -> bool:
    """Whether a part may be shown beside the whole: it has 5 responses, and so has the
    rest (or there is no rest), so that no difference describes fewer than 5 people."""
    rest = total - part
    return part >= MIN_GROUP and (rest == 0 or rest >= MIN_GROUP)


@dataclass(frozen=True)
class Counts:
    """How many responses a campaign has, in all and per department and per group."""

    total: int
    by_department: Mapping[int, int]
    by_group: Mapping[str, int]

    def of(self, chosen: Slice) -> int:
        if chosen.department is not None:
            return self.by_department.get(chosen.department.pk, 0)
        if chosen.group:
            return self.by_group.get(chosen.group, 0)
        return self.total

    def allows(self, chosen: Slice) -> bool:
        if chosen.is_whole:
            return True
        if chosen.department is not None and chosen.group:
            return False  # one dimension at a time: crossing two narrows down too far
        return _apart(self.of(chosen), self.total)


def response_counts(campaign: Campaign) -> Counts:
    cells = (
        Response.objects.filter(campaign=campaign)
        .order_by()
        .values_list("department", "group")
        .annotate(n=Count("pk"))
    )
    by_department: dict[int, int] = defaultdict(int)
    by_group: dict[str, int] = defaultdict(int)
    total = 0
    for department_id, group, n in cells:
        total += n
        if department_id is not None:
            by_department[department_id] += n
        if group:
            by_group[group] += n
    return Counts(total=total, by_department=dict(by_department), by_group=dict(by_group))


@dataclass(frozen=True)
class Offered:
    """The slices of a campaign one viewer may choose between."""

    counts: Counts
    departments: list[Department]
    groups: list[str]

    def allows(self, chosen: Slice) -> bool:
        if chosen.is_whole:
            return True
        if chosen.department is not None:
            return not chosen.group and chosen.department in self.departments
        return chosen.group in self.groups


def slices_offered(campaign: Campaign, user: User) -> Offered:
    """No slice before the campaign is closed (there are no results yet); a manager is
    offered their own department only."""
    counts = response_counts(campaign)
    if campaign.status != Campaign.Status.CLOSED:
        return Offered(counts=counts, departments=[], groups=[])
    department_ids = [pk for pk, n in counts.by_department.items() if _apart(n, counts.total)]
    if not may_manage_campaigns(user):
        department_ids = [pk for pk in department_ids if pk == user.department_id]
    groups = sorted(g for g, n in counts.by_group.items() if _apart(n, counts.total))
    departments = list(Department.objects.filter(pk__in=department_ids).order_by("name"))
    return Offered(counts=counts, departments=departments, groups=groups)


@dataclass
class CampaignResults:
    campaign: Campaign
    slice: Slice
    invited: int
    responses: int | None  # in the slice; None: fewer than 5
    responses_total: int | None  # in the whole campaign; None: fewer than 5
    assessment: Assessment | None  # None: not closed yet, or fewer than 5
    previous: Campaign | None = None
    recommendations: list[Recommendation] = field(default_factory=list)
    departments: list[Department] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)

    @property
    def enough(self) -> bool:
        return self.assessment is not None

    @property
    def closed(self) -> bool:
        return self.campaign.status == Campaign.Status.CLOSED


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


def _measured_scope(campaign: Campaign, chosen: Slice) -> list[int] | None:
    if chosen.department is not None:
        return [chosen.department.pk]
    # A campaign sent to named people only is about the whole company.
    return list(campaign.departments.values_list("pk", flat=True)) or None


def campaign_assessment(
    campaign: Campaign,
    chosen: Slice = Slice(),
    *,
    compared: bool = True,
    with_previous: bool = True,
) -> Assessment | None:
    """The scores of one slice of a campaign, or None: while the campaign is not closed,
    for a slice that may not be shown (see ``Counts.allows``) and below 5 respondents.
    ``compared`` adds the measured scores and the previous campaign's (itself taken alone,
    so that a long chain of campaigns costs no more than two); the previous campaign's
    slice obeys the same rules, in that campaign. ``with_previous`` off leaves the previous
    campaign out (for a viewer who may not see it)."""
    if campaign.status != Campaign.Status.CLOSED:
        return None
    if not chosen.is_whole and not response_counts(campaign).allows(chosen):
        return None
    respondents = _respondents(campaign, chosen)
    if len(respondents) < MIN_GROUP:
        return None
    previous: Assessment | None = None
    if compared and with_previous and campaign.previous is not None:
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


def slice_from(
    campaign: Campaign,
    *,
    user: User,
    department_slug: str = "",
    group: str = "",
    offered: Offered | None = None,
) -> Slice:
    """The slice a results page asks for, if it is offered to ``user``; otherwise the whole
    campaign. A department wins over a group: one dimension at a time."""
    offered = offered if offered is not None else slices_offered(campaign, user)
    if department_slug:
        department = next((d for d in offered.departments if d.slug == department_slug), None)
        return Slice(department=department) if department is not None else Slice()
    return Slice(group=group) if group in offered.groups else Slice()


def campaign_results(
    *,
    campaign: Campaign,
    user: User,
    chosen: Slice = Slice(),
    offered: Offered | None = None,
) -> CampaignResults:
    """The results of a slice offered to ``user`` (any other falls back to the whole)."""
    offered = offered if offered is not None else slices_offered(campaign, user)
    if not offered.allows(chosen):
        chosen = Slice()
    # The previous campaign may have been sent to other departments than this viewer's.
    previous = campaign.previous
    if previous is not None and not may_manage_campaigns(user):
        previous = previous if _visible(user).filter(pk=previous.pk).exists() else None
    assessment = campaign_assessment(campaign, chosen, with_previous=previous is not None)
    return CampaignResults(
        campaign=campaign,
        slice=chosen,
        invited=invited_count(campaign),
        responses=shown_count(offered.counts.of(chosen)),
        responses_total=shown_count(offered.counts.total),
        assessment=assessment,
        previous=previous,
        recommendations=recommend(assessment) if assessment is not None else [],
        departments=offered.departments,
        groups=offered.groups,
    )


def campaign_results_asked(
    *, campaign: Campaign, user: User, department_slug: str = "", group: str = ""
) -> CampaignResults:
    """The results a page or export asks for by department slug or group."""
    offered = slices_offered(campaign, user)
    chosen = slice_from(
        campaign, user=user, department_slug=department_slug, group=group, offered=offered
    )
    return campaign_results(campaign=campaign, user=user, chosen=chosen, offered=offered)
