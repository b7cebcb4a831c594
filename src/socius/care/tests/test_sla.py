"""Service levels: the business calendar, targets set at intake, warnings and breaches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from socius.accounts.models import Department
from socius.care.models import Case, Priority, RoutingRule, SlaPolicy, Status
from socius.care.services import sla_watch as watching
from socius.care.services.calendar import BusinessHours, business_hours
from socius.care.services.cases import case_assign, case_status_set
from socius.care.services.conversation import case_reply
from socius.care.services.intake import Inbound, message_receive
from socius.collab.models import Notification
from socius.conftest import Cast
from socius.core.models import Activity
from socius.people.services import IdentifierIn

PARIS = ZoneInfo("Europe/Paris")
# A Monday with no public holiday around it.
MONDAY_10 = dt.datetime(2027, 3, 1, 10, 0, tzinfo=PARIS)


def paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


@pytest.fixture
def calendar(settings: Any) -> BusinessHours:
    settings.CARE_BUSINESS_HOURS = "mon-fri 09:00-18:00"
    settings.CARE_TIME_ZONE = "Europe/Paris"
    return business_hours()


class TestCalendar:
    def test_it_carries_friday_evening_minutes_over_to_monday(
        self, calendar: BusinessHours
    ) -> None:
        due = calendar.add(paris(2027, 3, 5, 17, 0), 240)

        assert due == paris(2027, 3, 8, 12, 0)

    def test_it_skips_easter_monday(self, calendar: BusinessHours) -> None:
        due = calendar.add(paris(2027, 3, 26, 17, 0), 240)  # Easter Monday is 29 March 2027

        assert due == paris(2027, 3, 30, 12, 0)

    def test_it_skips_the_fourteenth_of_july(self, calendar: BusinessHours) -> None:
        due = calendar.add(paris(2027, 7, 13, 17, 30), 60)  # a Wednesday

        assert due == paris(2027, 7, 15, 9, 30)

    def test_it_starts_counting_at_opening_time(self, calendar: BusinessHours) -> None:
        assert calendar.add(paris(2027, 3, 6, 11, 0), 30) == paris(2027, 3, 8, 9, 30)
        assert calendar.add(paris(2027, 3, 8, 7, 0), 30) == paris(2027, 3, 8, 9, 30)

    def test_it_counts_business_minutes_between_two_moments(self, calendar: BusinessHours) -> None:
        assert calendar.minutes_between(paris(2027, 3, 5, 17, 0), paris(2027, 3, 8, 10, 0)) == 120
        assert calendar.minutes_between(paris(2027, 3, 26, 17, 0), paris(2027, 3, 30, 9, 0)) == 60
        assert calendar.minutes_between(paris(2027, 3, 8, 10, 0), paris(2027, 3, 8, 9, 0)) == 0

    def test_it_refuses_hours_that_describe_no_time(self) -> None:
        with pytest.raises(ValueError, match="describe no time"):
            BusinessHours.parse("mon-fri 18:00-09:00", "Europe/Paris")
        with pytest.raises(ValueError, match="must look like"):
            BusinessHours.parse("every day", "Europe/Paris")


@pytest.fixture
def clock(calendar: BusinessHours) -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(MONDAY_10, tick=False) as traveller:
        yield traveller


@pytest.fixture
def service(cast: Cast) -> Department:
    department = Department.objects.get(slug="service-client")
    RoutingRule.objects.create(name="Refunds", keywords="remboursement", set_department=department)
    SlaPolicy.objects.create(
        department=department,
        priority=Priority.NORMAL,
        first_response_minutes=30,
        resolution_minutes=240,
        warn_before_minutes=10,
    )
    SlaPolicy.objects.create(
        department=None, priority=Priority.NORMAL, first_response_minutes=60, resolution_minutes=480
    )
    return department


def customer_writes(body: str, key: str) -> Case:
    receipt = message_receive(
        Inbound(
            channel="api",
            body=body,
            external_id=key,
            identifiers=(IdentifierIn("email", f"{key}@example.org"),),
        )
    )
    return Case.objects.get(pk=receipt.case.pk)


def verbs(case: Case, verb: str) -> list[dict[str, Any]]:
    rows = Activity.objects.filter(verb=verb, object_id=str(case.pk)).order_by("id")
    return [row.payload for row in rows]


def at(hour: int, minute: int) -> dt.datetime:
    return MONDAY_10.replace(hour=hour, minute=minute)


class TestTargets:
    def test_a_case_of_a_department_takes_the_department_policy(
        self, service: Department, clock: Any
    ) -> None:
        case = customer_writes("Je voudrais un remboursement", "refund")

        assert case.department_id == service.pk
        assert case.sla_policy is not None
        assert case.sla_policy.department_id == service.pk
        assert case.first_response_due_at == at(10, 30)
        assert case.resolution_due_at == at(14, 0)
        assert case.next_due_at == at(10, 30)

    def test_a_case_of_no_department_takes_the_default_policy(
        self, service: Department, clock: Any
    ) -> None:
        case = customer_writes("Une question sur vos horaires", "hours")

        assert case.department_id is None
        assert case.sla_policy is not None
        assert case.sla_policy.department_id is None
        assert (case.first_response_due_at, case.resolution_due_at) == (at(11, 0), at(18, 0))

    def test_a_case_without_any_policy_has_no_target(self, cast: Cast, clock: Any) -> None:
        case = customer_writes("Bonjour", "nopolicy")

        assert (case.sla_policy, case.first_response_due_at, case.next_due_at) == (None, None, None)

    def test_a_first_response_in_time_is_recorded_within_target(
        self, cast: Cast, service: Department, clock: Any
    ) -> None:
        case = customer_writes("Je voudrais un remboursement", "refund")
        clock.move_to(at(10, 20))

        case_reply(actor=cast.agent, case=case, body="Nous regardons cela.")

        case.refresh_from_db()
        assert case.first_response_at == at(10, 20)
        assert case.next_due_at == at(14, 0)
        [payload] = verbs(case, "care.first_response")
        assert (payload["within_target"], payload["business_minutes"]) == (True, 20)

    def test_a_late_first_response_is_recorded_outside_target(
        self, cast: Cast, service: Department, clock: Any
    ) -> None:
        case = customer_writes("Je voudrais un remboursement", "refund")
        clock.move_to(at(10, 45))

        case_reply(actor=cast.agent, case=case, body="Désolés du délai.")

        [payload] = verbs(case, "care.first_response")
        assert (payload["within_target"], payload["business_minutes"]) == (False, 45)


class TestWatch:
    @pytest.fixture
    def case(self, cast: Cast, service: Department, clock: Any) -> Case:
        case = customer_writes("Je voudrais un remboursement", "refund")
        case_assign(actor=cast.agent, case=case, assignee=cast.agent)
        return case

    def test_it_warns_once_when_the_first_response_is_near(
        self, cast: Cast, case: Case, clock: Any
    ) -> None:
        clock.move_to(at(10, 19))
        assert watching.sla_watch() == {"warned": 0, "breached": 0}

        clock.move_to(at(10, 21))
        assert watching.sla_watch() == {"warned": 1, "breached": 0}
        clock.move_to(at(10, 22))
        assert watching.sla_watch() == {"warned": 0, "breached": 0}

        case.refresh_from_db()
        assert case.sla_warned_at == at(10, 21)
        assert case.sla_breached_at is None
        assert [p["target"] for p in verbs(case, "care.sla_warning")] == ["first_response"]

    def test_the_warning_reaches_the_assignee_only(
        self, cast: Cast, case: Case, clock: Any
    ) -> None:
        clock.move_to(at(10, 21))

        watching.sla_watch()

        notification = Notification.objects.get(kind=Notification.Kind.SLA_WARNING)
        assert notification.recipient == cast.agent
        assert notification.link.endswith(f"/cases/{case.pk}")

    def test_an_unassigned_case_warns_the_agents_of_its_department(
        self, cast: Cast, service: Department, clock: Any, make_agent: Any
    ) -> None:
        other_agent = make_agent("eve.moreau@example.com")
        case = customer_writes("Je voudrais un remboursement", "refund")
        case_assign(actor=cast.agent, case=case, assignee=None)
        clock.move_to(at(10, 21))

        watching.sla_watch()

        recipients = Notification.objects.filter(kind=Notification.Kind.SLA_WARNING)
        told = set(recipients.values_list("recipient", flat=True))
        assert told == {cast.agent.pk, other_agent.pk}

    def test_each_target_breaches_once(self, case: Case, clock: Any) -> None:
        clock.move_to(at(10, 31))
        assert watching.sla_watch() == {"warned": 0, "breached": 1}
        clock.move_to(at(10, 32))
        assert watching.sla_watch() == {"warned": 0, "breached": 0}

        clock.move_to(at(14, 1))
        assert watching.sla_watch() == {"warned": 0, "breached": 1}
        clock.move_to(at(14, 2))
        assert watching.sla_watch() == {"warned": 0, "breached": 0}

        case.refresh_from_db()
        assert case.sla_breached_at == at(14, 1)
        targets = [p["target"] for p in verbs(case, "care.sla_breached")]
        assert targets == ["first_response", "resolution"]

    def test_both_targets_past_at_once_are_recorded_in_one_run(
        self, case: Case, clock: Any
    ) -> None:
        clock.move_to(at(15, 0))  # the worker was down all day

        assert watching.sla_watch() == {"warned": 0, "breached": 2}
        assert watching.sla_watch() == {"warned": 0, "breached": 0}

    def test_an_answer_moves_the_warning_to_the_resolution_target(
        self, cast: Cast, case: Case, clock: Any
    ) -> None:
        clock.move_to(at(10, 21))
        watching.sla_watch()
        case_reply(actor=cast.agent, case=case, body="Nous regardons.", status=Status.OPEN)

        clock.move_to(at(10, 40))
        assert watching.sla_watch() == {"warned": 0, "breached": 0}
        clock.move_to(at(13, 51))
        assert watching.sla_watch() == {"warned": 1, "breached": 0}

        targets = [p["target"] for p in verbs(case, "care.sla_warning")]
        assert targets == ["first_response", "resolution"]
        assert verbs(case, "care.sla_breached") == []

    def test_a_resolved_case_is_never_warned_nor_breached(
        self, cast: Cast, case: Case, clock: Any
    ) -> None:
        case_status_set(actor=cast.agent, case=case, status=Status.RESOLVED)

        clock.move_to(at(16, 0))

        assert watching.sla_watch() == {"warned": 0, "breached": 0}
        assert not Activity.objects.filter(verb__startswith="care.sla_").exists()

    def test_a_run_that_read_the_case_before_another_run_warned_it_writes_nothing(
        self, case: Case, clock: Any
    ) -> None:
        clock.move_to(at(10, 21))
        [stale] = watching._candidates(at(10, 21))

        assert watching.sla_watch() == {"warned": 1, "breached": 0}
        assert watching._warn(stale, at(10, 21), at(10, 30)) is False

        assert len(verbs(case, "care.sla_warning")) == 1
        assert Notification.objects.get(kind=Notification.Kind.SLA_WARNING).event_count == 1

    def test_one_run_handles_a_bounded_batch_and_the_next_run_the_rest(
        self, service: Department, clock: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(watching, "BATCH", 2)
        for n in range(3):
            customer_writes("Je voudrais un remboursement", f"refund{n}")
        clock.move_to(at(10, 31))

        assert watching.sla_watch() == {"warned": 0, "breached": 2}
        assert watching.sla_watch() == {"warned": 0, "breached": 1}
        assert watching.sla_watch() == {"warned": 0, "breached": 0}

    def test_the_warning_window_is_the_policy_of_the_case(
        self, cast: Cast, service: Department, clock: Any
    ) -> None:
        default_case = customer_writes("Une question sur vos horaires", "hours")  # warns 30 before

        clock.move_to(at(10, 29))
        assert watching.sla_watch() == {"warned": 0, "breached": 0}
        clock.move_to(at(10, 31))
        assert watching.sla_watch() == {"warned": 1, "breached": 0}

        assert len(verbs(default_case, "care.sla_warning")) == 1

    def test_the_activities_name_the_department_for_the_figures(
        self, service: Department, case: Case, clock: Any
    ) -> None:
        clock.move_to(at(10, 21))
        watching.sla_watch()
        clock.move_to(at(10, 31))
        watching.sla_watch()

        rows = Activity.objects.filter(verb__in=["care.sla_warning", "care.sla_breached"])
        assert {(r.department_id, r.person_id) for r in rows} == {(service.pk, case.person_id)}
        assert rows.count() == 2
