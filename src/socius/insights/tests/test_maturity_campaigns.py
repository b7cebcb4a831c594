"""Maturity campaigns: services, anonymity, answering once, permissions, pages, CSV, API."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from socius.accounts.models import Department, User
from socius.accounts.roles import Role
from socius.accounts.services import token_create
from socius.conftest import Cast, make_employee, signed_in_client
from socius.core.errors import Forbidden, NotFound
from socius.core.models import Activity
from socius.insights.maturity.errors import (
    AlreadyAnswered,
    AnswersIncomplete,
    AudienceTooSmall,
    CampaignNotOpen,
)
from socius.insights.maturity.questionnaire import CURRENT_VERSION, questionnaire_get
from socius.insights.maturity.selectors import Slice, campaign_assessment
from socius.insights.maturity.services import (
    campaign_close,
    campaign_create,
    campaign_open,
    response_submit,
)
from socius.insights.models import Answer, Campaign, Invitation, Response

pytestmark = pytest.mark.django_db

ITEMS = questionnaire_get(CURRENT_VERSION).items_for(include_green=False)


@dataclass(frozen=True)
class Measure:
    score: float | None
    coverage: float


@pytest.fixture
def hr(cast: Cast) -> User:
    return make_employee("helene.rh@example.com", "Hélène RH", "rh", Role.HR)


@pytest.fixture
def manager(cast: Cast) -> User:
    return make_employee("marc.chef@example.com", "Marc Chef", "direction", Role.MANAGER)


def staff(department: str, count: int, role: str = Role.EMPLOYEE) -> list[User]:
    return [
        make_employee(f"{department}{i}@example.com", f"{department} {i}", department, role)
        for i in range(count)
    ]


def answers(**values: int | None) -> dict[str, int | None]:
    """Every statement of factor F answered values[F]; pressure statements values["P"]."""
    return {item.key: values["P"] if not item.scored else values[item.factor] for item in ITEMS}


def opened(hr: User, people: list[User], **extra: Any) -> Campaign:
    campaign = campaign_create(actor=hr, name="Baromètre", label="T0", users=people, **extra)
    campaign_open(actor=hr, campaign=campaign)
    return Campaign.objects.get(pk=campaign.pk)


def answered_by(campaign: Campaign, people: list[User], **values: int | None) -> None:
    for person in people:
        response_submit(user=person, campaign=campaign, answers=answers(**values))


@pytest.fixture
def measured(monkeypatch: pytest.MonkeyPatch) -> dict[str, Measure]:
    values = {"CO": Measure(20.0, 1.0), "ST": Measure(70.0, 0.5)}
    monkeypatch.setattr(
        "socius.insights.maturity.selectors.measured_factors",
        lambda *, department_ids=None, as_of=None: values,
    )
    return values


class TestCampaigns:
    def test_hr_creates_a_draft_and_it_is_logged(self, hr: User) -> None:
        campaign = campaign_create(actor=hr, name="Baromètre", label="T0")
        assert campaign.status == Campaign.Status.DRAFT
        assert campaign.questionnaire_version == CURRENT_VERSION
        entry = Activity.objects.get(verb="insights.campaign_created")
        assert (entry.actor_id, entry.object_id) == (hr.pk, str(campaign.pk))

    def test_an_employee_may_not_create_one(self, cast: Cast) -> None:
        with pytest.raises(Forbidden):
            campaign_create(actor=cast.colleague, name="X", label="T0")
        assert not Campaign.objects.exists()

    def test_opening_invites_departments_and_people_and_emails_them(
        self, hr: User, cast: Cast, django_capture_on_commit_callbacks: Any
    ) -> None:
        team = staff("ventes", 4)
        campaign = campaign_create(
            actor=hr,
            name="Baromètre",
            label="T0",
            departments=[Department.objects.get(slug="ventes")],
            users=[cast.colleague, team[0]],
        )
        with django_capture_on_commit_callbacks(execute=True):
            invited = campaign_open(
                actor=hr, campaign=campaign, now=datetime(2026, 5, 4, 9, tzinfo=UTC)
            )
        assert invited == 5
        assert set(Invitation.objects.values_list("user", flat=True)) == {
            *(u.pk for u in team),
            cast.colleague.pk,
        }
        assert sorted(m.to[0] for m in mail.outbox) == sorted(
            [u.email for u in team] + [cast.colleague.email]
        )
        link = reverse("insights:maturity-campaign-answer", args=[campaign.pk])
        assert link in mail.outbox[0].body
        campaign.refresh_from_db()
        assert (campaign.status, campaign.opened_on) == ("open", date(2026, 5, 4))
        assert Activity.objects.get(verb="insights.campaign_opened").payload["invited"] == 5

    def test_opening_for_fewer_than_5_people_is_refused(self, hr: User) -> None:
        campaign = campaign_create(actor=hr, name="B", label="T0", users=staff("ventes", 4))
        with pytest.raises(AudienceTooSmall):
            campaign_open(actor=hr, campaign=campaign)
        campaign.refresh_from_db()
        assert campaign.status == Campaign.Status.DRAFT
        assert not Invitation.objects.exists()
        assert not mail.outbox

    def test_closing_stops_answers(self, hr: User) -> None:
        people = staff("ventes", 5)
        campaign = opened(hr, people)
        campaign_close(actor=hr, campaign=campaign)
        with pytest.raises(CampaignNotOpen):
            response_submit(
                user=people[0], campaign=campaign, answers=answers(CO=3, ST=3, CP=3, CX=3, P=3)
            )
        assert not Response.objects.exists()
        assert Activity.objects.filter(verb="insights.campaign_closed").count() == 1


class TestAnswering:
    def test_an_answer_is_stored_without_any_link_to_the_person(self, hr: User) -> None:
        people = staff("ventes", 5)
        campaign = opened(hr, people)
        logged = Activity.objects.count()
        answered_by(campaign, people[:1], CO=4, ST=3, CP=None, CX=2, P=5)
        response = Response.objects.get()
        assert {f.name for f in Response._meta.get_fields()} == {
            "id",
            "campaign",
            "group",
            "department",
            "submitted_on",
            "answers",
        }
        assert isinstance(response.submitted_on, date)
        assert response.answers.count() == 24
        assert Answer.objects.filter(item="CP1").get().value is None
        assert Invitation.objects.get(user=people[0]).answered
        assert Activity.objects.count() == logged  # nothing says who answered, or when

    def test_a_person_answers_once(self, hr: User) -> None:
        people = staff("ventes", 5)
        campaign = opened(hr, people)
        answered_by(campaign, people[:1], CO=4, ST=3, CP=3, CX=2, P=5)
        with pytest.raises(AlreadyAnswered):
            answered_by(campaign, people[:1], CO=1, ST=1, CP=1, CX=1, P=1)
        assert Response.objects.count() == 1
        assert set(Answer.objects.values_list("value", flat=True)) == {2, 3, 4, 5}

    def test_someone_not_invited_cannot_answer(self, hr: User, cast: Cast) -> None:
        campaign = opened(hr, staff("ventes", 5))
        with pytest.raises(NotFound):
            answered_by(campaign, [cast.outsider], CO=4, ST=3, CP=3, CX=2, P=5)
        assert not Response.objects.exists()

    def test_every_statement_needs_an_answer_or_dont_know(self, hr: User) -> None:
        people = staff("ventes", 5)
        campaign = opened(hr, people)
        partial = answers(CO=4, ST=3, CP=3, CX=2, P=5)
        del partial["CX4"]
        with pytest.raises(AnswersIncomplete) as refused:
            response_submit(user=people[0], campaign=campaign, answers=partial)
        assert refused.value.details["missing"] == ["CX4"]
        assert not Invitation.objects.get(user=people[0]).answered
        assert not Response.objects.exists()

    def test_department_and_group_are_kept_only_for_5_invitees(
        self, hr: User, manager: User
    ) -> None:
        sales, few = staff("ventes", 5), staff("achats", 2)
        campaign = opened(hr, [*sales, *few, manager])
        answered_by(campaign, [sales[0], few[0], manager], CO=3, ST=3, CP=3, CX=3, P=3)
        sales_department = Department.objects.get(slug="ventes")
        assert sorted((r.group, r.department_id or 0) for r in Response.objects.all()) == sorted(
            [("", 0), ("staff", 0), ("staff", sales_department.pk)]
        )


class TestResults:
    def test_results_need_5_responses(self, hr: User) -> None:
        people = staff("ventes", 6)
        campaign = opened(hr, people)
        answered_by(campaign, people[:4], CO=4, ST=4, CP=4, CX=4, P=4)
        assert campaign_assessment(campaign) is None
        answered_by(campaign, people[4:5], CO=4, ST=4, CP=4, CX=4, P=4)
        result = campaign_assessment(campaign)
        assert result is not None
        assert result.respondents == 5
        assert result.factors["CO"].declared == 75.0

    def test_a_slice_below_5_shows_nothing(self, hr: User) -> None:
        sales, buyers = staff("ventes", 5), staff("achats", 5)
        campaign = opened(hr, [*sales, *buyers])
        answered_by(campaign, sales, CO=4, ST=4, CP=4, CX=4, P=4)
        answered_by(campaign, buyers[:4], CO=2, ST=2, CP=2, CX=2, P=2)
        ventes, achats = (Department.objects.get(slug=s) for s in ("ventes", "achats"))
        assert campaign_assessment(campaign, Slice(department=ventes)) is not None
        assert campaign_assessment(campaign, Slice(department=achats)) is None

    def test_management_and_staff_are_compared_from_5_each(self, hr: User) -> None:
        bosses, team = staff("direction", 5, Role.MANAGER), staff("ventes", 5)
        campaign = opened(hr, [*bosses, *team])
        answered_by(campaign, bosses, CO=5, ST=5, CP=3, CX=3, P=3)
        answered_by(campaign, team, CO=3, ST=2, CP=3, CX=3, P=3)
        result = campaign_assessment(campaign)
        assert result is not None
        assert result.gap_shown
        gaps = {f: r.management_gap for f, r in result.factors.items()}
        assert gaps == {"CO": 50.0, "ST": 75.0, "CP": 0.0, "CX": 0.0}
        managers = campaign_assessment(campaign, Slice(group="management"))
        assert managers is not None
        assert (managers.respondents, managers.factors["ST"].declared) == (5, 100.0)

    def test_the_previous_campaign_gives_deltas(self, hr: User) -> None:
        people = staff("ventes", 5)
        first = opened(hr, people)
        answered_by(first, people, CO=2, ST=2, CP=3, CX=3, P=3)
        campaign_close(actor=hr, campaign=first)
        second = opened(hr, people, previous=first)
        answered_by(second, people, CO=4, ST=3, CP=3, CX=3, P=3)
        result = campaign_assessment(second)
        assert result is not None
        assert (result.factors["CO"].delta, result.factors["ST"].delta) == (50.0, 25.0)
        assert result.factors["CP"].delta == 0.0


def _results_page(client: Client, campaign: Campaign, query: str = "") -> Any:
    return client.get(reverse("insights:maturity-campaign", args=[campaign.pk]) + query)


class TestPages:
    def test_an_employee_sees_no_campaign_results(self, hr: User, cast: Cast) -> None:
        people = staff("ventes", 5)
        campaign = opened(hr, people)
        client = signed_in_client(people[0])
        assert _results_page(client, campaign).status_code == 404
        csv_url = reverse("insights:maturity-campaign-csv", args=[campaign.pk])
        assert client.get(csv_url).status_code == 404

    def test_only_hr_opens_and_closes(self, hr: User, manager: User) -> None:
        campaign = campaign_create(actor=hr, name="B", label="T0", users=staff("ventes", 5))
        client = signed_in_client(manager)
        url = reverse("insights:maturity-campaign-open", args=[campaign.pk])
        assert client.post(url).status_code == 404
        assert Campaign.objects.get(pk=campaign.pk).status == "draft"
        assert signed_in_client(hr).post(url).status_code == 302
        assert Campaign.objects.get(pk=campaign.pk).status == "open"

    def test_a_manager_does_not_see_drafts(self, hr: User, manager: User) -> None:
        campaign = campaign_create(actor=hr, name="B", label="T0")
        assert _results_page(signed_in_client(manager), campaign).status_code == 404
        assert _results_page(signed_in_client(hr), campaign).status_code == 200

    def test_below_5_responses_the_page_says_not_enough(
        self, hr: User, manager: User, measured: Any
    ) -> None:
        people = staff("ventes", 5)
        campaign = opened(hr, people)
        answered_by(campaign, people[:4], CO=4, ST=4, CP=4, CX=4, P=4)
        page = _results_page(signed_in_client(manager), campaign).content.decode()
        assert 'data-testid="maturity-not-enough"' in page
        assert 'data-responses=""' in page
        assert "data-chart=" not in page

    def test_the_results_show_radar_quadrant_flags_and_recommendations(
        self, hr: User, manager: User, measured: Any
    ) -> None:
        people = staff("ventes", 5)
        previous = opened(hr, people)
        answered_by(previous, people, CO=2, ST=2, CP=2, CX=2, P=3)
        campaign_close(actor=hr, campaign=previous)
        campaign = opened(hr, people, previous=previous)
        answered_by(campaign, people, CO=5, ST=4, CP=2, CX=3, P=5)
        page = _results_page(signed_in_client(manager), campaign).content.decode()
        assert 'data-chart="radar"' in page
        assert 'data-chart="quadrant"' in page
        assert 'data-responses="5"' in page
        assert 'data-quadrant="digital_master"' in page  # what 56, how 75
        assert '<tr data-factor="CO" data-flagged="true">' in page  # 100 declared, 20 measured
        assert '<tr data-factor="ST">' in page  # 75 against 70: no flag
        assert 'data-rule="perception-gap"' in page
        assert page.count("data-rule=") == 5

    def test_the_csv_holds_every_table_and_nothing_below_5(
        self, hr: User, manager: User, measured: Any
    ) -> None:
        people = staff("ventes", 5)
        campaign = opened(hr, people)
        url = reverse("insights:maturity-campaign-csv", args=[campaign.pk])
        client = signed_in_client(manager)
        answered_by(campaign, people[:4], CO=5, ST=4, CP=2, CX=3, P=5)
        few = client.get(url).content.decode()
        assert len(few.strip().splitlines()) == 1
        answered_by(campaign, people[4:], CO=5, ST=4, CP=2, CX=3, P=5)
        response = client.get(url)
        assert response["Content-Type"].startswith("text/csv")
        lines = response.content.decode().splitlines()
        assert len(lines) == 1 + 1 + 9 + 1 + 1 + 1 + 4 + 1 + 1 + 1 + 5
        # The factor table follows its title and header: CO, ST, CP, CX in that order.
        factors = lines.index("") + 3
        co, st = (next(csv.reader([line])) for line in lines[factors : factors + 2])
        assert co[1:5] == ["100", "20", "100 %", "76"]
        assert co[5] != ""  # flagged: 100 declared against 20 measured
        assert (co[6], co[8:]) == ("0", ["", "", ""])
        assert st[1:6] == ["75", "70", "50 %", "74", ""]


    def test_the_pdf_report_draws_the_radar_and_the_quadrant(
        self, hr: User, manager: User, measured: Any, monkeypatch: Any
    ) -> None:
        from socius.insights.maturity import views

        people = staff("ventes", 5)
        campaign = opened(hr, people)
        answered_by(campaign, people, CO=5, ST=4, CP=2, CX=3, P=5)
        drawn: list[str] = []
        real = views.render_pdf
        monkeypatch.setattr(views, "render_pdf", lambda html: drawn.append(html) or real(html))
        url = reverse("insights:maturity-campaign-pdf", args=[campaign.pk])
        response = signed_in_client(manager).get(url)
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")
        assert 'data-chart="radar"' in drawn[0]
        assert 'data-chart="quadrant"' in drawn[0]
        outsider = make_employee("x@example.com", "X", "ventes")
        assert signed_in_client(outsider).get(url).status_code == 404

class TestAnswerPage:
    def test_the_form_shows_24_statements_and_keeps_answers_on_error(self, hr: User) -> None:
        people = staff("ventes", 5)
        campaign = opened(hr, people)
        client = signed_in_client(people[0])
        url = reverse("insights:maturity-campaign-answer", args=[campaign.pk])
        page = client.get(url).content.decode()
        assert page.count("<fieldset") == 24
        assert 'data-testid="maturity-anonymous"' in page
        data = {
            key: "dk" if value is None else str(value)
            for key, value in answers(CO=4, ST=3, CP=None, CX=2, P=5).items()
        }
        del data["ST2"]
        refused = client.post(url, data)
        assert refused.status_code == 422
        body = refused.content.decode()
        assert 'data-testid="answer-CO1-4" checked' in body
        assert 'data-testid="answer-CP1-dk" checked' in body
        assert body.count('data-testid="answer-error"') == 1
        assert not Response.objects.exists()
        data["ST2"] = "1"
        done = client.post(url, data)
        assert 'data-testid="maturity-answered"' in done.content.decode()
        assert Answer.objects.get(item="ST2").value == 1
        assert Answer.objects.get(item="CP1").value is None
        again = client.get(url).content.decode()
        assert 'data-testid="maturity-answered"' in again

    def test_someone_not_invited_gets_404(self, hr: User, cast: Cast) -> None:
        campaign = opened(hr, staff("ventes", 5))
        url = reverse("insights:maturity-campaign-answer", args=[campaign.pk])
        assert signed_in_client(cast.outsider).get(url).status_code == 404


class TestApi:
    def _get(self, user: User, path: str, scopes: tuple[str, ...] = ("insights:read",)) -> Any:
        secret = token_create(user=user, name="t", scopes=list(scopes)).secret
        return Client().get(
            f"/api/v1/insights/maturity{path}", HTTP_AUTHORIZATION=f"Bearer {secret}"
        )

    def test_below_5_responses_no_figure_is_given(self, hr: User, manager: User) -> None:
        people = staff("ventes", 5)
        campaign = opened(hr, people)
        answered_by(campaign, people[:4], CO=4, ST=4, CP=4, CX=4, P=4)
        body = self._get(manager, f"/campaigns/{campaign.pk}").json()
        assert (body["invited"], body["responses"], body["results"]) == (5, None, None)

    def test_a_campaign_gives_scores_levels_quadrant_urgency_and_flags(
        self, hr: User, manager: User, measured: Any
    ) -> None:
        people = staff("ventes", 5)
        campaign = opened(hr, people)
        answered_by(campaign, people, CO=5, ST=4, CP=2, CX=3, P=5)
        response = self._get(manager, f"/campaigns/{campaign.pk}")
        assert response.status_code == 200
        body = response.json()
        results = body["results"]
        assert body["responses"] == 5
        factors = {f["factor"]: f for f in results["factors"]}
        assert (factors["CO"]["declared"], factors["CO"]["measured"]) == (100.0, 20.0)
        assert factors["CO"]["final"] == pytest.approx(76.0)
        assert factors["CO"]["flagged"]
        assert results["flags"] == ["CO"]
        assert factors["CX"]["measured"] is None
        assert factors["CX"]["final"] == 50.0
        assert results["urgency"] == 100.0
        assert (results["what"], results["how"]) == (56.2, 75.0)
        assert results["quadrant"] == "digital_master"
        assert results["level"] == 3
        assert "perception-gap" in results["recommendations"]
        listing = self._get(manager, "/campaigns").json()
        assert [c["id"] for c in listing] == [campaign.pk]

    def test_an_unknown_campaign_is_a_json_404(self, manager: User) -> None:
        response = self._get(manager, "/campaigns/999")
        assert response.status_code == 404
        assert json.loads(response.content)["code"] == "not_found"
        assert set(response.json()) == {"code", "message", "details"}

    def test_a_token_without_the_scope_is_refused(self, hr: User, manager: User) -> None:
        response = self._get(manager, "/campaigns", scopes=("people:read",))
        assert response.status_code == 403
        assert response.json()["code"] == "insufficient_scope"


class TestDemo:
    def test_the_demo_builds_t0_and_t1_with_t1_better_on_culture_and_strategy(
        self, hr: User, manager: User
    ) -> None:
        from socius.demo.maturity import demo_maturity

        people = [hr, manager, *staff("ventes", 8), *staff("direction", 4, Role.MANAGER)]
        report = demo_maturity(users=people, seed=3)
        t1, t0 = Campaign.objects.order_by("-created_at", "-pk")
        assert report.campaigns == 2
        assert report.responses >= 10
        assert (t0.label, t1.label, t1.previous_id) == ("T0", "T1", t0.pk)
        assert {t0.status, t1.status} == {Campaign.Status.CLOSED}
        assert t0.closed_on is not None
        assert t1.closed_on is not None
        assert (t1.closed_on - t0.closed_on).days == 169
        result = campaign_assessment(t1)
        assert result is not None
        co, st = result.factors["CO"].delta, result.factors["ST"].delta
        assert co is not None
        assert co > 0
        assert st is not None
        assert st > 0
        assert not mail.outbox


class TestCampaignPages:
    def test_hr_creates_a_campaign_from_the_form(self, hr: User) -> None:
        sales = staff("ventes", 5)
        client = signed_in_client(hr)
        url = reverse("insights:maturity-campaign-create")
        assert client.get(url).status_code == 200
        department = Department.objects.get(slug="ventes")
        response = client.post(
            url, {"name": "Baromètre", "label": "T0", "departments": [department.pk]}
        )
        campaign = Campaign.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("insights:maturity-campaign", args=[campaign.pk])
        assert list(campaign.departments.all()) == [department]
        client.post(reverse("insights:maturity-campaign-open", args=[campaign.pk]))
        assert Invitation.objects.filter(campaign=campaign).count() == len(sales)

    def test_an_employee_may_not_open_the_form(self, cast: Cast) -> None:
        client = signed_in_client(cast.colleague)
        url = reverse("insights:maturity-campaign-create")
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "X", "label": "T0"}).status_code == 404
        assert not Campaign.objects.exists()

    def test_the_maturity_page_lists_what_waits_for_each_person(self, hr: User, cast: Cast) -> None:
        people = staff("ventes", 5)
        campaign = opened(hr, people)
        url = reverse("insights:maturity")
        invited = signed_in_client(people[0]).get(url).content.decode()
        answer_url = reverse("insights:maturity-campaign-answer", args=[campaign.pk])
        assert f'href="{answer_url}"' in invited
        assert 'data-testid="maturity-campaigns"' not in invited  # no results for employees
        outsider = signed_in_client(cast.outsider).get(url).content.decode()
        assert answer_url not in outsider
        listing = signed_in_client(hr).get(url).content.decode()
        assert f'data-campaign="{campaign.pk}" data-status="open"' in listing


class TestQueryCounts:
    def test_the_results_page_runs_a_fixed_number_of_queries(
        self, hr: User, manager: User, measured: Any, django_assert_num_queries: Any
    ) -> None:
        people = staff("ventes", 5)
        previous = opened(hr, people)
        answered_by(previous, people, CO=2, ST=2, CP=2, CX=2, P=3)
        campaign_close(actor=hr, campaign=previous)
        campaign = opened(hr, people, previous=previous)
        client = signed_in_client(manager)
        answered_by(campaign, people, CO=5, ST=4, CP=2, CX=3, P=5)
        client.get(reverse("insights:maturity"))  # the session is loaded once
        with django_assert_num_queries(QUERIES_RESULTS_PAGE):
            _results_page(client, campaign)
        more = staff("achats", 10)
        third = opened(hr, more, previous=campaign)
        answered_by(third, more, CO=3, ST=3, CP=3, CX=3, P=3)
        with django_assert_num_queries(QUERIES_RESULTS_PAGE):
            _results_page(client, third)


QUERIES_RESULTS_PAGE = 13
