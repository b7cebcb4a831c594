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
from socius.insights.maturity.selectors import (
    Slice,
    campaign_assessment,
    campaign_results,
    slices_offered,
)
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
    # The sales manager: the campaigns below are sent to sales people.
    return make_employee("marc.chef@example.com", "Marc Chef", "ventes", Role.MANAGER)


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


def closed(hr: User, campaign: Campaign) -> Campaign:
    """Results exist only once a campaign is closed; ``campaign`` itself is refreshed."""
    campaign_close(actor=hr, campaign=campaign)
    campaign.refresh_from_db()
    return campaign


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
            "answers",
        }  # no date: a day could be lined up with who was present that day
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
        few = opened(hr, people)
        answered_by(few, people[:4], CO=4, ST=4, CP=4, CX=4, P=4)
        assert campaign_assessment(closed(hr, few)) is None
        enough = opened(hr, people)
        answered_by(enough, people[:5], CO=4, ST=4, CP=4, CX=4, P=4)
        result = campaign_assessment(closed(hr, enough))
        assert result is not None
        assert result.respondents == 5
        assert result.factors["CO"].declared == 75.0

    def test_no_result_while_the_campaign_is_open(self, hr: User) -> None:
        # Reading results before and after a colleague answers would isolate their answers.
        people = staff("ventes", 6)
        campaign = opened(hr, people)
        answered_by(campaign, people, CO=4, ST=4, CP=4, CX=4, P=4)
        assert campaign_assessment(campaign) is None
        ventes = Department.objects.get(slug="ventes")
        assert campaign_assessment(campaign, Slice(department=ventes)) is None
        assert campaign_assessment(closed(hr, campaign)) is not None

    def test_a_slice_below_5_shows_nothing(self, hr: User) -> None:
        sales, buyers = staff("ventes", 5), staff("achats", 5)
        campaign = opened(hr, [*sales, *buyers])
        answered_by(campaign, sales, CO=4, ST=4, CP=4, CX=4, P=4)
        answered_by(campaign, buyers[:4], CO=2, ST=2, CP=2, CX=2, P=2)
        closed(hr, campaign)
        ventes, achats = (Department.objects.get(slug=s) for s in ("ventes", "achats"))
        assert campaign_assessment(campaign) is not None
        assert campaign_assessment(campaign, Slice(department=achats)) is None
        # 5 in sales, but the whole minus sales would be the 4 buyers.
        assert campaign_assessment(campaign, Slice(department=ventes)) is None

    def test_a_slice_is_shown_when_it_and_the_rest_have_5(self, hr: User) -> None:
        sales, buyers = staff("ventes", 5), staff("achats", 5)
        campaign = opened(hr, [*sales, *buyers])
        answered_by(campaign, sales, CO=4, ST=4, CP=4, CX=4, P=4)
        answered_by(campaign, buyers, CO=2, ST=2, CP=2, CX=2, P=2)
        closed(hr, campaign)
        ventes, achats = (Department.objects.get(slug=s) for s in ("ventes", "achats"))
        for department, declared in ((ventes, 75.0), (achats, 25.0)):
            result = campaign_assessment(campaign, Slice(department=department))
            assert result is not None
            assert result.factors["CO"].declared == declared
        # One dimension at a time: department and group crossed narrow down too far.
        assert campaign_assessment(campaign, Slice(department=ventes, group="staff")) is None

    def test_the_one_manager_cannot_be_subtracted_from_the_whole(
        self, hr: User, manager: User
    ) -> None:
        team = staff("ventes", 5)
        campaign = opened(hr, [*team, manager])
        answered_by(campaign, [*team, manager], CO=3, ST=3, CP=3, CX=3, P=3)
        closed(hr, campaign)
        ventes = Department.objects.get(slug="ventes")
        assert Response.objects.filter(group="staff", department=ventes).count() == 5
        assert campaign_assessment(campaign) is not None
        assert campaign_assessment(campaign, Slice(group="staff")) is None
        assert campaign_assessment(campaign, Slice(department=ventes)) is None
        offered = slices_offered(campaign, hr)
        assert (offered.departments, offered.groups) == ([], [])

    def test_management_and_staff_are_compared_from_5_each(self, hr: User) -> None:
        bosses, team = staff("direction", 5, Role.MANAGER), staff("ventes", 5)
        campaign = opened(hr, [*bosses, *team])
        answered_by(campaign, bosses, CO=5, ST=5, CP=3, CX=3, P=3)
        answered_by(campaign, team, CO=3, ST=2, CP=3, CX=3, P=3)
        closed(hr, campaign)
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
        closed(hr, first)
        second = opened(hr, people, previous=first)
        answered_by(second, people, CO=4, ST=3, CP=3, CX=3, P=3)
        result = campaign_assessment(closed(hr, second))
        assert result is not None
        assert (result.factors["CO"].delta, result.factors["ST"].delta) == (50.0, 25.0)
        assert result.factors["CP"].delta == 0.0

    def test_the_previous_slice_obeys_the_rule_in_its_own_campaign(self, hr: User) -> None:
        sales, buyers = staff("ventes", 5), staff("achats", 5)
        first = opened(hr, [*sales, *buyers])
        answered_by(first, [*sales, *buyers[:4]], CO=2, ST=2, CP=3, CX=3, P=3)
        closed(hr, first)
        second = opened(hr, [*sales, *buyers], previous=first)
        answered_by(second, [*sales, *buyers], CO=4, ST=3, CP=3, CX=3, P=3)
        closed(hr, second)
        ventes = Department.objects.get(slug="ventes")
        result = campaign_assessment(second, Slice(department=ventes))
        assert result is not None
        # In T0 sales had 5 answers but the rest only 4: no previous figure for sales.
        assert result.factors["CO"].previous is None


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
        campaign = campaign_create(actor=hr, name="B", label="T0", users=staff("ventes", 5))
        assert _results_page(signed_in_client(manager), campaign).status_code == 404
        assert _results_page(signed_in_client(hr), campaign).status_code == 200

    def test_while_open_only_the_count_and_a_notice_are_shown(
        self, hr: User, manager: User, measured: Any
    ) -> None:
        people = staff("ventes", 6)
        campaign = opened(hr, people)
        answered_by(campaign, people, CO=5, ST=4, CP=2, CX=3, P=5)
        client = signed_in_client(manager)
        page = _results_page(client, campaign, "?department=ventes").content.decode()
        assert 'data-testid="maturity-results-when-closed"' in page
        assert 'data-responses="6"' in page
        assert "data-chart=" not in page
        assert 'data-testid="maturity-slices"' not in page
        assert 'data-testid="maturity-csv"' not in page
        csv_url = reverse("insights:maturity-campaign-csv", args=[campaign.pk])
        export = client.get(csv_url).content.decode("utf-8-sig")
        assert len(export.strip().splitlines()) == 1
        closed(hr, campaign)
        page = _results_page(client, campaign).content.decode()
        assert 'data-testid="maturity-results-when-closed"' not in page
        assert 'data-chart="radar"' in page
        assert len(client.get(csv_url).content.decode().splitlines()) > 1

    def test_below_5_responses_the_page_says_not_enough(
        self, hr: User, manager: User, measured: Any
    ) -> None:
        people = staff("ventes", 5)
        campaign = opened(hr, people)
        answered_by(campaign, people[:4], CO=4, ST=4, CP=4, CX=4, P=4)
        page = _results_page(signed_in_client(manager), campaign).content.decode()
        assert 'data-responses=""' in page  # "fewer than 5", even while open
        closed(hr, campaign)
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
        closed(hr, previous)
        campaign = opened(hr, people, previous=previous)
        answered_by(campaign, people, CO=5, ST=4, CP=2, CX=3, P=5)
        closed(hr, campaign)
        page = _results_page(signed_in_client(manager), campaign).content.decode()
        assert 'data-chart="radar"' in page
        assert 'data-chart="quadrant"' in page
        assert 'data-responses="5"' in page
        assert 'data-quadrant="digital_master"' in page  # what 56, how 75
        assert '<tr data-factor="CO" data-flagged="true">' in page  # 100 declared, 20 measured
        assert '<tr data-factor="ST">' in page  # 75 against 70: no flag
        assert 'data-rule="perception-gap"' in page
        assert page.count("data-rule=") == 5

    def test_a_slice_is_offered_only_when_the_rest_has_5_too(
        self, hr: User, manager: User, measured: Any
    ) -> None:
        team, boss = staff("ventes", 5), staff("direction", 1, Role.MANAGER)
        campaign = opened(hr, [*team, *boss])
        answered_by(campaign, [*team, *boss], CO=4, ST=4, CP=4, CX=4, P=4)
        closed(hr, campaign)
        client = signed_in_client(hr)
        page = _results_page(client, campaign).content.decode()
        assert 'data-testid="maturity-slices"' not in page
        # Asked for anyway: the whole campaign, not "fewer than 5" and not the 5 alone.
        for query in ("?group=staff", "?department=ventes"):
            asked = _results_page(client, campaign, query).content.decode()
            assert 'data-chart="radar"' in asked
            assert 'data-responses="6"' in asked
            assert 'data-testid="maturity-not-enough"' not in asked
        csv_url = reverse("insights:maturity-campaign-csv", args=[campaign.pk])
        export = list(
            csv.reader(client.get(csv_url + "?group=staff").content.decode().splitlines())
        )
        assert export[2][1] == "6"  # the summary's response count: everyone

    def test_one_dimension_at_a_time_and_a_manager_sees_only_their_department(
        self, hr: User, manager: User, measured: Any
    ) -> None:
        sales, buyers = staff("ventes", 5), staff("achats", 5)
        campaign = opened(hr, [*sales, *buyers])
        answered_by(campaign, sales, CO=4, ST=4, CP=4, CX=4, P=4)
        answered_by(campaign, buyers, CO=2, ST=2, CP=2, CX=2, P=2)
        closed(hr, campaign)
        page = _results_page(signed_in_client(hr), campaign).content.decode()
        assert 'value="ventes"' in page
        assert 'value="achats"' in page
        both = _results_page(signed_in_client(hr), campaign, "?department=achats&group=staff")
        assert 'data-department="achats" data-group=""' in both.content.decode()
        client = signed_in_client(manager)
        page = _results_page(client, campaign).content.decode()
        assert 'value="ventes"' in page
        assert 'value="achats"' not in page
        other = _results_page(client, campaign, "?department=achats").content.decode()
        assert 'data-department="" data-group=""' in other
        own = _results_page(client, campaign, "?department=ventes").content.decode()
        assert 'data-department="ventes"' in own

    def test_the_csv_holds_every_table_and_nothing_below_5(
        self, hr: User, manager: User, measured: Any
    ) -> None:
        people = staff("ventes", 5)
        client = signed_in_client(manager)
        few = opened(hr, people)
        answered_by(few, people[:4], CO=5, ST=4, CP=2, CX=3, P=5)
        closed(hr, few)
        few_url = reverse("insights:maturity-campaign-csv", args=[few.pk])
        assert len(client.get(few_url).content.decode().strip().splitlines()) == 1
        campaign = opened(hr, people)
        answered_by(campaign, people, CO=5, ST=4, CP=2, CX=3, P=5)
        closed(hr, campaign)
        url = reverse("insights:maturity-campaign-csv", args=[campaign.pk])
        response = client.get(url)
        assert response["Content-Type"].startswith("text/csv")
        text = response.content.decode()
        assert text.startswith("\ufeff")  # a BOM, so that spreadsheets read UTF-8
        lines = text.removeprefix("\ufeff").splitlines()
        assert len(lines) == 1 + 1 + 9 + 1 + 1 + 1 + 4 + 1 + 1 + 1 + 5
        # The factor table follows its title and header: CO, ST, CP, CX in that order.
        factors = lines.index("") + 3
        co, st = (next(csv.reader([line])) for line in lines[factors : factors + 2])
        assert co[1:5] == ["100", "20", "100 %", "76"]
        assert co[5] != ""  # flagged: 100 declared against 20 measured
        assert (co[6], co[8:]) == ("0", ["", "", ""])
        assert st[1:6] == ["75", "70", "50 %", "74", ""]

    def test_the_csv_runs_no_formula(
        self, hr: User, manager: User, measured: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from socius.insights.maturity import presentation

        monkeypatch.setattr(
            presentation,
            "recommendations_table",
            lambda results: (["Rank"], [['=HYPERLINK("http://evil")', "-12"]]),
        )
        people = staff("ventes", 5)
        campaign = opened(hr, people)
        answered_by(campaign, people, CO=5, ST=4, CP=2, CX=3, P=5)
        closed(hr, campaign)
        url = reverse("insights:maturity-campaign-csv", args=[campaign.pk])
        rows = list(csv.reader(signed_in_client(manager).get(url).content.decode().splitlines()))
        assert rows[-1] == ['\'=HYPERLINK("http://evil")', "-12"]  # a change stays a number

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
        client = signed_in_client(manager)
        assert client.get(url).status_code == 200
        assert 'data-testid="maturity-results-when-closed"' in drawn[0]
        assert "data-chart=" not in drawn[0]
        closed(hr, campaign)
        response = client.get(url)
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")
        assert 'data-chart="radar"' in drawn[1]
        assert 'data-chart="quadrant"' in drawn[1]
        outsider = make_employee("x@example.com", "X", "ventes")
        assert signed_in_client(outsider).get(url).status_code == 404


class TestManagers:
    def test_a_manager_sees_only_campaigns_sent_to_their_department(
        self, hr: User, manager: User, measured: Any
    ) -> None:
        buyers = staff("achats", 5)
        elsewhere = closed(hr, _answered(hr, buyers))
        by_department = campaign_create(
            actor=hr,
            name="Ventes",
            label="T0",
            departments=[Department.objects.get(slug="ventes")],
        )
        sent_to_one = opened(hr, [*buyers, manager])
        client = signed_in_client(manager)
        for url_name in ("maturity-campaign", "maturity-campaign-csv", "maturity-campaign-pdf"):
            url = reverse(f"insights:{url_name}", args=[elsewhere.pk])
            assert client.get(url).status_code == 404
            assert signed_in_client(hr).get(url).status_code == 200
        listing = client.get(reverse("insights:maturity")).content.decode()
        assert f'data-campaign="{elsewhere.pk}"' not in listing
        assert f'data-campaign="{sent_to_one.pk}"' in listing
        assert f'data-campaign="{by_department.pk}"' not in listing  # a draft
        staff("ventes", 4)
        campaign_open(actor=hr, campaign=by_department, notify=False)
        assert _results_page(client, by_department).status_code == 200
        assert _results_page(client, sent_to_one).status_code == 200
        secret = token_create(user=manager, name="t", scopes=["insights:read"]).secret
        api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert api.get(f"/api/v1/insights/maturity/campaigns/{elsewhere.pk}").status_code == 404
        listed = api.get("/api/v1/insights/maturity/campaigns").json()
        assert sorted(c["id"] for c in listed) == sorted([by_department.pk, sent_to_one.pk])

    def test_no_comparison_with_a_campaign_the_manager_may_not_see(
        self, hr: User, manager: User, measured: Any
    ) -> None:
        sales, buyers = staff("ventes", 5), staff("achats", 5)
        first = closed(hr, _answered(hr, buyers))
        second = opened(hr, [*sales, *buyers], previous=first)
        answered_by(second, [*sales, *buyers], CO=2, ST=2, CP=2, CX=2, P=2)
        closed(hr, second)
        seen_by_hr = campaign_results(campaign=second, user=hr)
        assert seen_by_hr.assessment is not None
        assert seen_by_hr.assessment.factors["CO"].previous == 75.0
        seen_by_manager = campaign_results(campaign=second, user=manager)
        assert seen_by_manager.previous is None
        assert seen_by_manager.assessment is not None
        assert seen_by_manager.assessment.factors["CO"].previous is None

    def test_a_manager_without_a_department_sees_none(self, hr: User) -> None:
        people = staff("ventes", 5)
        campaign = closed(hr, _answered(hr, people))
        loner = make_employee("solo@example.com", "Solo", "ventes", Role.MANAGER)
        User.objects.filter(pk=loner.pk).update(department=None)
        loner.refresh_from_db()
        assert _results_page(signed_in_client(loner), campaign).status_code == 404


def _answered(hr: User, people: list[User]) -> Campaign:
    campaign = opened(hr, people)
    answered_by(campaign, people, CO=4, ST=4, CP=4, CX=4, P=4)
    return campaign


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
        closed(hr, campaign)
        body = self._get(manager, f"/campaigns/{campaign.pk}").json()
        assert (body["invited"], body["responses"], body["results"]) == (5, None, None)
        listed = self._get(manager, "/campaigns").json()
        assert (listed[0]["invited"], listed[0]["responses"]) == (5, None)

    def test_no_result_while_the_campaign_is_open(
        self, hr: User, manager: User, measured: Any
    ) -> None:
        people = staff("ventes", 6)
        campaign = opened(hr, people)
        answered_by(campaign, people, CO=5, ST=4, CP=2, CX=3, P=5)
        body = self._get(manager, f"/campaigns/{campaign.pk}").json()
        assert (body["status"], body["responses"], body["results"]) == ("open", 6, None)
        closed(hr, campaign)
        assert self._get(manager, f"/campaigns/{campaign.pk}").json()["results"] is not None

    def test_the_list_gives_facts_and_no_score(
        self, hr: User, manager: User, measured: Any, django_assert_max_num_queries: Any
    ) -> None:
        people = staff("ventes", 5)
        for _ in range(3):
            closed(hr, _answered(hr, people))
        secret = token_create(user=manager, name="t", scopes=["insights:read"]).secret
        client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        # Authentication, then one query for every campaign with its counts.
        with django_assert_max_num_queries(QUERIES_API_LIST):
            listing = client.get("/api/v1/insights/maturity/campaigns").json()
        assert len(listing) == 3
        assert set(listing[0]) == {
            "id",
            "name",
            "label",
            "status",
            "questionnaire_version",
            "opened_on",
            "closes_on",
            "closed_on",
            "previous_id",
            "invited",
            "responses",
        }
        assert (listing[0]["invited"], listing[0]["responses"]) == (5, 5)

    def test_a_campaign_gives_scores_levels_quadrant_urgency_and_flags(
        self, hr: User, manager: User, measured: Any
    ) -> None:
        people = staff("ventes", 5)
        campaign = opened(hr, people)
        answered_by(campaign, people, CO=5, ST=4, CP=2, CX=3, P=5)
        closed(hr, campaign)
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

    @pytest.mark.parametrize(
        "now",
        [
            datetime(2026, 11, 30, 22, 7, tzinfo=UTC),  # late evening, T0 in summer time
            datetime(2026, 3, 30, 0, 30, tzinfo=UTC),  # just after the spring change
        ],
    )
    def test_the_campaigns_keep_their_distance_across_daylight_saving_time(
        self, hr: User, manager: User, now: datetime
    ) -> None:
        from socius.demo.maturity import demo_maturity

        people = [hr, manager, *staff("ventes", 8), *staff("direction", 4, Role.MANAGER)]
        demo_maturity(users=people, seed=3, now=now)
        t1, t0 = Campaign.objects.order_by("-created_at", "-pk")
        assert t0.closed_on is not None
        assert t1.closed_on is not None
        assert (t1.closed_on - t0.closed_on).days == 169


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
        closed(hr, previous)
        campaign = opened(hr, people, previous=previous)
        client = signed_in_client(manager)
        answered_by(campaign, people, CO=5, ST=4, CP=2, CX=3, P=5)
        closed(hr, campaign)
        client.get(reverse("insights:maturity"))  # the session is loaded once
        with django_assert_num_queries(QUERIES_RESULTS_PAGE):
            _results_page(client, campaign)
        more = staff("achats", 5)
        third = opened(hr, [*people, *more], previous=campaign)
        answered_by(third, [*people, *more], CO=3, ST=3, CP=3, CX=3, P=3)
        closed(hr, third)
        with django_assert_num_queries(QUERIES_RESULTS_PAGE):
            _results_page(client, third)
        # A department slice checks that it may be shown here and in the previous campaign,
        # and needs no lookup of the campaign's departments for the measured scores.
        with django_assert_num_queries(QUERIES_RESULTS_PAGE + 1):
            _results_page(client, third, "?department=ventes")


QUERIES_RESULTS_PAGE = 12
QUERIES_API_LIST = 3
