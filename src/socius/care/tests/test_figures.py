"""Care figures per department: counts, response times, targets met and satisfaction."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from socius.accounts.services import token_create
from socius.care.figures import department_figures
from socius.care.models import RoutingRule, SlaPolicy, Status
from socius.care.services.conversation import case_reply
from socius.care.services.satisfaction import rating_submit, survey_token
from socius.care.tests.factories import inbound_api
from socius.conftest import signed_in_client

pytestmark = pytest.mark.django_db


def test_figures_per_department(cast) -> None:
    RoutingRule.objects.create(name="all", set_department=cast.agent.department)
    SlaPolicy.objects.create(priority="normal", first_response_minutes=60, resolution_minutes=600)
    start = timezone.now().replace(hour=10, minute=0) - dt.timedelta(days=7)
    while start.weekday() > 3:  # a Monday to Thursday: the targets fall within the day
        start -= dt.timedelta(days=1)
    with time_machine.travel(start, tick=False):
        fast = inbound_api("a@example.org", external_id="1").case
        slow = inbound_api("b@example.org", external_id="2").case
    with time_machine.travel(start + dt.timedelta(minutes=30), tick=False):
        case_reply(actor=cast.agent, case=fast, body="Réponse", status=Status.RESOLVED)
        rating_submit(token=survey_token(fast), score=4)
    with time_machine.travel(start + dt.timedelta(minutes=90), tick=False):
        case_reply(actor=cast.agent, case=slow, body="Réponse tardive")
    with time_machine.travel(start + dt.timedelta(days=1), tick=False):
        inbound_api("c@example.org", external_id="3")  # never answered: its target passed
    [row] = department_figures(days=30)
    assert row.slug == cast.agent.department.slug
    assert (row.opened, row.answered, row.resolved, row.ratings) == (3, 2, 1, 1)
    assert row.median_first_response_minutes == 60.0
    assert row.first_response_compliance == 33.3  # 1 met of 3 whose target passed
    assert row.satisfaction == 4.0


def test_the_page_and_the_api(cast) -> None:
    inbound_api(external_id="1")
    page = signed_in_client(cast.agent).get(reverse("care:figures") + "?days=7")
    assert page.status_code == 200
    assert 'data-testid="care-figures"' in page.content.decode()
    assert signed_in_client(cast.colleague).get(reverse("care:figures")).status_code == 404
    secret = token_create(user=cast.agent, name="t", scopes=["care:read"]).secret
    response = signed_in_client(cast.agent).get(
        "/api/v1/care/figures?days=7", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code == 200
    assert response.json()["departments"][0]["opened"] == 1
    bad = signed_in_client(cast.agent).get(
        "/api/v1/care/figures?days=0", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert bad.status_code == 422
