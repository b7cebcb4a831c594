"""Two maturity campaigns of the demo company, answered through the real services.

T0 ran about six months ago, T1 recently: culture and strategy improved in between (the
internal network took hold, a roadmap was written), while the external factors barely
moved. Managers answer a little more optimistically than staff, so that the
management/staff gap has something to show.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from socius.accounts.models import User
from socius.accounts.roles import Capability
from socius.insights.maturity.questionnaire import CURRENT_VERSION, questionnaire_get
from socius.insights.maturity.scoring import MIN_GROUP
from socius.insights.maturity.services import (
    MANAGEMENT_ROLES,
    campaign_close,
    campaign_create,
    campaign_open,
    response_submit,
)
from socius.insights.models import Campaign

# The mean answer (1..5) per factor; "P" is the external pressure.
T0_MEANS = {"CO": 2.3, "ST": 2.1, "CP": 2.6, "CX": 2.9, "P": 3.9}
T1_MEANS = {"CO": 3.6, "ST": 3.4, "CP": 2.8, "CX": 3.1, "P": 4.1}
MANAGEMENT_OPTIMISM = 0.5
ANSWER_SHARE = 0.75
DONT_KNOW_SHARE = 0.05


@dataclass(frozen=True)
class MaturityReport:
    campaigns: int
    responses: int


def _answers(
    rng: random.Random, means: dict[str, float], *, management: bool
) -> dict[str, int | None]:
    answers: dict[str, int | None] = {}
    for item in questionnaire_get(CURRENT_VERSION).items_for(include_green=False):
        if rng.random() < DONT_KNOW_SHARE:
            answers[item.key] = None
            continue
        mean = means["P"] if not item.scored else means[item.factor]
        mean += MANAGEMENT_OPTIMISM if management and item.scored else 0
        answers[item.key] = min(5, max(1, round(rng.gauss(mean, 0.8))))
    return answers


def _run(
    *,
    hr: User,
    users: Sequence[User],
    rng: random.Random,
    label: str,
    means: dict[str, float],
    opened: dt.datetime,
    closed: dt.datetime,
    previous: Campaign | None,
) -> tuple[Campaign, int]:
    campaign = campaign_create(
        actor=hr,
        name="Baromètre de maturité digitale",
        label=label,
        users=users,
        previous=previous,
        now=opened,
    )
    campaign_open(actor=hr, campaign=campaign, now=opened, notify=False)
    respondents = [user for user in users if rng.random() < ANSWER_SHARE]
    if len(respondents) < MIN_GROUP:  # a small demo still shows results
        respondents = list(users[:MIN_GROUP])
    for user in respondents:
        day = opened + dt.timedelta(days=rng.randint(0, max((closed - opened).days - 1, 0)))
        response_submit(
            user=user,
            campaign=campaign,
            answers=_answers(rng, means, management=user.role in MANAGEMENT_ROLES),
            today=timezone.localdate(day),
        )
    return campaign_close(actor=hr, campaign=campaign, now=closed), len(respondents)


def demo_maturity(
    *, users: list[User], seed: int = 0, now: dt.datetime | None = None
) -> MaturityReport:
    """T0 (about six months ago) and T1 (closed last week), each with at least 5 answers."""
    # Local noon: the campaigns' dates are local days, and a moment near midnight would
    # shift one of them across a change of daylight saving time.
    now = timezone.localtime(now or timezone.now()).replace(
        hour=12, minute=0, second=0, microsecond=0
    )
    hr = next((u for u in users if u.can(Capability.MANAGE_CHARTER)), None)
    active = [u for u in users if u.is_active]
    if hr is None or len(active) < 10:
        return MaturityReport(campaigns=0, responses=0)
    rng = random.Random(f"maturity-{seed}")
    t0, t0_count = _run(
        hr=hr,
        users=active,
        rng=rng,
        label="T0",
        means=T0_MEANS,
        opened=now - dt.timedelta(days=190),
        closed=now - dt.timedelta(days=176),
        previous=None,
    )
    _t1, t1_count = _run(
        hr=hr,
        users=active,
        rng=rng,
        label="T1",
        means=T1_MEANS,
        opened=now - dt.timedelta(days=21),
        closed=now - dt.timedelta(days=7),
        previous=t0,
    )
    return MaturityReport(campaigns=2, responses=t0_count + t1_count)
