"""Writes of the maturity assessment: campaigns and anonymous answers."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import Department, User
from socius.accounts.roles import Role
from socius.core.errors import Forbidden, InvalidInput, NotFound
from socius.core.services import ActivityDraft, ActivityObject, activity_append
from socius.core.verbs import register_verbs
from socius.insights.maturity.errors import (
    AlreadyAnswered,
    AnswersIncomplete,
    AudienceTooSmall,
    CampaignNotDraft,
    CampaignNotOpen,
)
from socius.insights.maturity.questionnaire import CURRENT_VERSION, QUESTIONNAIRES
from socius.insights.maturity.scoring import MIN_GROUP
from socius.insights.maturity.selectors import campaign_items, may_manage_campaigns
from socius.insights.models import Answer, Campaign, Invitation, Response

logger = logging.getLogger(__name__)

# Respondents are "management" or "staff" by role; HR and IT administrators answer as staff
# because the gap the spec asks for is between those who lead and those who are led.
MANAGEMENT_ROLES = frozenset({Role.MANAGER})

register_verbs(
    {
        "insights.campaign_created": _("Maturity campaign created"),
        "insights.campaign_opened": _("Maturity campaign opened"),
        "insights.campaign_closed": _("Maturity campaign closed"),
    }
)


def _record(
    verb: str,
    campaign: Campaign,
    *,
    actor: User,
    payload: dict[str, object],
    at: datetime | None = None,
) -> None:
    activity_append(
        ActivityDraft(
            verb=verb,
            actor_id=actor.pk,
            department_id=actor.department_id,
            about=ActivityObject.of(campaign),
            summary=f"{campaign.label} {campaign.name}",
            payload=payload,
            occurred_at=at,
        )
    )


def _ensure_manager(actor: User) -> None:
    if not may_manage_campaigns(actor):
        raise Forbidden()


@transaction.atomic
def campaign_create(
    *,
    actor: User,
    name: str,
    label: str,
    departments: Sequence[Department] = (),
    users: Sequence[User] = (),
    previous: Campaign | None = None,
    include_green: bool = False,
    closes_on: date | None = None,
    questionnaire_version: str = CURRENT_VERSION,
    now: datetime | None = None,
) -> Campaign:
    _ensure_manager(actor)
    name, label = name.strip(), label.strip()
    if not name:
        raise InvalidInput(details={"field": "name"})
    if not label:
        raise InvalidInput(details={"field": "label"})
    if questionnaire_version not in QUESTIONNAIRES:
        raise InvalidInput(details={"field": "questionnaire_version"})
    campaign = Campaign.objects.create(
        name=name,
        label=label,
        questionnaire_version=questionnaire_version,
        include_green=include_green,
        closes_on=closes_on,
        previous=previous,
        created_by=actor,
    )
    campaign.departments.set(departments)
    campaign.users.set(users)
    _record(
        "insights.campaign_created",
        campaign,
        actor=actor,
        payload={"label": label, "questionnaire_version": questionnaire_version},
        at=now,
    )
    return campaign


def _audience(campaign: Campaign) -> list[User]:
    chosen = Q(department__in=campaign.departments.all()) | Q(pk__in=campaign.users.all())
    return list(User.objects.filter(chosen, is_active=True).order_by("pk"))


@transaction.atomic
def campaign_open(
    *, actor: User, campaign: Campaign, now: datetime | None = None, notify: bool = True
) -> int:
    """Invite the chosen departments and people, and email each of them the link (unless
    ``notify`` is off, as for demo data). Returns how many were invited."""
    _ensure_manager(actor)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != Campaign.Status.DRAFT:
        raise CampaignNotDraft()
    audience = _audience(campaign)
    if len(audience) < MIN_GROUP:
        raise AudienceTooSmall(details={"field": "departments", "minimum": MIN_GROUP})
    Invitation.objects.bulk_create([Invitation(campaign=campaign, user=u) for u in audience])
    campaign.status = Campaign.Status.OPEN
    campaign.opened_on = timezone.localdate(now)
    campaign.save(update_fields=["status", "opened_on"])
    _record(
        "insights.campaign_opened",
        campaign,
        actor=actor,
        payload={"label": campaign.label, "invited": len(audience)},
        at=now,
    )
    if notify:
        transaction.on_commit(partial(_invitations_email, campaign, audience))
    return len(audience)


@transaction.atomic
def campaign_close(*, actor: User, campaign: Campaign, now: datetime | None = None) -> Campaign:
    _ensure_manager(actor)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != Campaign.Status.OPEN:
        raise CampaignNotOpen()
    campaign.status = Campaign.Status.CLOSED
    campaign.closed_on = timezone.localdate(now)
    campaign.save(update_fields=["status", "closed_on"])
    # No response count here: the log is read more widely than results are shown.
    _record(
        "insights.campaign_closed", campaign, actor=actor, payload={"label": campaign.label}, at=now
    )
    return campaign


def _cleaned(campaign: Campaign, answers: Mapping[str, int | None]) -> dict[str, int | None]:
    keys = [item.key for item in campaign_items(campaign)]
    missing = [key for key in keys if key not in answers]
    unknown = sorted(set(answers) - set(keys))
    wrong = [key for key in keys if answers.get(key) not in (None, 1, 2, 3, 4, 5)]
    if missing or unknown or wrong:
        raise AnswersIncomplete(details={"missing": missing, "unknown": unknown, "invalid": wrong})
    return {key: answers[key] for key in keys}


def _group_of(role: str) -> str:
    return Response.Group.MANAGEMENT if role in MANAGEMENT_ROLES else Response.Group.STAFF


def _profile(campaign: Campaign, user: User) -> tuple[str, int | None]:
    """The group and department a response records: each only when at least 5 invitees
    share it, so that no response narrows down to fewer than 5 people."""
    invitees = list(
        Invitation.objects.filter(campaign=campaign).values_list("user__role", "user__department")
    )
    groups = Counter(_group_of(role) for role, _department in invitees)

    def kept(group: str) -> str:
        return group if groups[group] >= MIN_GROUP else Response.Group.UNKNOWN

    cells: Counter[tuple[str, int | None]] = Counter(
        (kept(_group_of(role)), department) for role, department in invitees
    )
    group = kept(_group_of(user.role))
    department = user.department_id if cells[(group, user.department_id)] >= MIN_GROUP else None
    return group, department


def response_submit(
    *,
    user: User,
    campaign: Campaign,
    answers: Mapping[str, int | None],
    today: date | None = None,
) -> None:
    """Record one person's answers, anonymously, once.

    Nothing is returned and nothing is logged: the Activity log names actors, and a
    record of who answered when would undo the anonymity.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        campaign = Campaign.objects.get(pk=campaign.pk)
        if campaign.status != Campaign.Status.OPEN or (
            campaign.closes_on is not None and today > campaign.closes_on
        ):
            raise CampaignNotOpen()
        cleaned = _cleaned(campaign, answers)
        # A conditional update, not check-then-act: two tabs submitting at once record one.
        marked = Invitation.objects.filter(campaign=campaign, user=user, answered=False).update(
            answered=True
        )
        if not marked:
            if Invitation.objects.filter(campaign=campaign, user=user).exists():
                raise AlreadyAnswered()
            raise NotFound()
        group, department_id = _profile(campaign, user)
        response = Response.objects.create(
            campaign=campaign, group=group, department_id=department_id
        )
        Answer.objects.bulk_create(
            [Answer(response=response, item=key, value=value) for key, value in cleaned.items()]
        )


def _invitations_email(campaign: Campaign, audience: Sequence[User]) -> None:
    path = reverse("insights:maturity-campaign-answer", args=[campaign.pk])
    context = {
        "campaign": campaign,
        "url": f"{settings.SITE_URL}{path}",
        "company_name": getattr(settings, "COMPANY_NAME", ""),
    }
    for user in audience:
        try:
            with translation.override(user.language or settings.LANGUAGE_CODE):
                subject = render_to_string(
                    "insights/maturity/emails/invitation_subject.txt", context
                )
                body = render_to_string(
                    "insights/maturity/emails/invitation.txt", {**context, "user": user}
                )
            send_mail(
                subject=subject.strip(), message=body, from_email=None, recipient_list=[user.email]
            )
        except Exception:
            # One bad address must not stop the others; the link is also on the maturity page.
            logger.exception("Maturity invitation to user %s failed", user.pk)
