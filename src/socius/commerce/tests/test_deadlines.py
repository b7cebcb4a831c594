from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from socius.commerce.errors import GroupStateRefused
from socius.commerce.models import (
    GroupOrder,
    GroupState,
    Offer,
    Participant,
    ParticipantState,
    PaymentState,
    Ticket,
)
from socius.commerce.services import (
    deadlines_run,
    group_cancel,
    group_close,
    group_join,
    group_open,
    payments_sweep,
    reminders_send,
)
from socius.commerce.tests.test_groups_support import (  # noqa: F401 - the fixture
    FakeProvider,
    party,
    provider_event,
    provider_fixture,
    published_offer,
)
from socius.conftest import Cast
from socius.core.errors import Forbidden
from socius.core.models import Activity

pytestmark = pytest.mark.django_db
S = ParticipantState
AFTER_DEADLINE = dt.timedelta(hours=49)


def _group(cast: Cast, friends: int, authorised: int, **changes: Any) -> list[Participant]:
    """A group (min 3, tiers 5 → 27 €, 10 → 24 €) with its organiser and ``friends``
    friends of one seat, the first ``authorised`` of all of them paid (held)."""
    offer = published_offer(cast.admin, **changes)
    opened = group_open(offer=offer, organiser=party("claire.dupont@example.org"), seats=1)
    group = opened.participant.group
    people = [opened.participant]
    for n in range(friends):
        people.append(
            group_join(
                group=group, share_token=group.share_token, party=party(f"f{n}@example.org"),
                seats=1, idempotency_key=f"k{n}",
            ).participant
        )  # fmt: skip
    for participant in people[:authorised]:
        provider_event(participant.payments.get(), "authorized")
    return people


def test_a_tipped_group_settles_at_the_tier_price_once(
    cast: Cast,
    provider: FakeProvider,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    people = _group(cast, friends=5, authorised=5)  # 5 secured, 1 never paid
    with (
        time_machine.travel(timezone.now() + AFTER_DEADLINE),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert deadlines_run() == {"settled": 1, "failed": 0}
        assert deadlines_run() == {"settled": 0, "failed": 0}  # a second run does nothing
    group = GroupOrder.objects.get()
    assert (group.state, group.unit_price_cents) == (GroupState.COMPLETED, 2700)
    assert sorted(amount for _ref, amount in provider.operations("capture")) == [2700] * 5
    states = dict(Participant.objects.values_list("pk", "state"))
    assert [states[p.pk] for p in people] == [S.TICKETED] * 5 + [S.RELEASED]
    assert Ticket.objects.count() == 5
    assert Offer.objects.get().seats_taken == 5
    assert Activity.objects.filter(verb="commerce.group_completed").count() == 1
    captured = people[0].payments.get()
    assert (captured.state, captured.captured_cents) == (PaymentState.CAPTURED, 2700)
    completed = [mail for mail in mailoutbox if "claire.dupont@example.org" in mail.to]
    assert completed
    assert completed[-1].alternatives  # text and HTML


def test_a_group_short_of_its_minimum_fails_and_gives_everything_back(
    cast: Cast,
    provider: FakeProvider,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    people = _group(cast, friends=2, authorised=2)  # min 3, 2 secured
    with (
        time_machine.travel(timezone.now() + AFTER_DEADLINE),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert deadlines_run() == {"settled": 0, "failed": 1}
        assert deadlines_run() == {"settled": 0, "failed": 0}
    assert GroupOrder.objects.get().state == GroupState.FAILED
    states = [Participant.objects.get(pk=p.pk).state for p in people]
    assert states == [S.VOIDED, S.VOIDED, S.RELEASED]
    # Two holds, and the open checkout of the one who never paid.
    assert len(provider.operations("void")) == 3
    assert provider.operations("capture") == []
    assert Offer.objects.get().seats_taken == 0
    assert GroupOrder.objects.get().seats_held == 0
    assert Activity.objects.filter(verb="commerce.group_failed").count() == 1
    assert len(mailoutbox) == 3


def test_pay_now_refunds_the_tier_discount_at_settlement(
    cast: Cast, provider: FakeProvider
) -> None:
    offer = published_offer(cast.admin, payment_mode="pay_now", min_group_size=2)
    opened = group_open(offer=offer, organiser=party("o@example.org"), seats=5)
    provider_event(opened.payment, "captured", 15000)
    with time_machine.travel(timezone.now() + AFTER_DEADLINE):
        deadlines_run()
        deadlines_run()
    assert provider.operations("refund") == [(opened.payment.provider_ref, 1500)]
    assert provider.operations("capture") == []
    participant = Participant.objects.get()
    assert (participant.state, participant.unit_price_cents) == (S.TICKETED, 2700)


def test_a_refused_capture_drops_that_participant(cast: Cast, provider: FakeProvider) -> None:
    _group(cast, friends=3, authorised=4, min_group_size=2)
    provider.fail, provider.retryable = {"capture"}, False
    with time_machine.travel(timezone.now() + AFTER_DEADLINE):
        deadlines_run()
    # Everyone was refused: the group falls below its minimum and fails.
    assert GroupOrder.objects.get().state == GroupState.FAILED
    assert set(Participant.objects.values_list("state", flat=True)) == {S.VOIDED}


def test_a_provider_outage_at_settlement_is_resumed_later(
    cast: Cast, provider: FakeProvider
) -> None:
    _group(cast, friends=2, authorised=3)
    provider.fail = {"capture"}
    with time_machine.travel(timezone.now() + AFTER_DEADLINE):
        assert deadlines_run()["settled"] == 0
        assert GroupOrder.objects.get().state == GroupState.SETTLING
        provider.fail = set()
        assert deadlines_run()["settled"] == 1
    assert GroupOrder.objects.get().state == GroupState.COMPLETED
    assert len(provider.operations("capture")) == 3


def test_a_full_group_settles_without_waiting(cast: Cast, provider: FakeProvider) -> None:
    _group(cast, friends=2, authorised=3, min_group_size=2, max_group_size=3, tiers=[])
    assert GroupOrder.objects.get().state == GroupState.FULL
    deadlines_run()
    assert GroupOrder.objects.get().state == GroupState.COMPLETED


def test_the_organiser_closes_a_tipped_group_early(cast: Cast, provider: FakeProvider) -> None:
    people = _group(cast, friends=3, authorised=3)
    group = GroupOrder.objects.get()
    with pytest.raises(Forbidden):
        group_close(group=group, actor_person=cast.friend)
    closed = group_close(group=group, actor_person=people[0].person)
    assert closed.state == GroupState.COMPLETED
    with pytest.raises(GroupStateRefused):
        group_close(group=group, actor_person=people[0].person)


def test_staff_cancel_a_group_and_everyone_is_given_back(
    cast: Cast, provider: FakeProvider
) -> None:
    _group(cast, friends=1, authorised=2)
    group = GroupOrder.objects.get()
    with pytest.raises(Forbidden):
        group_cancel(actor=cast.agent, group=group, reason="scalping")
    provider.fail = {"void"}
    group_cancel(actor=cast.admin, group=group, reason="scalping")
    assert GroupOrder.objects.get().state == GroupState.CANCELLED
    assert payments_sweep() == 2  # the provider is still down
    provider.fail = set()
    assert payments_sweep() == 0
    assert len(provider.operations("void")) == 2
    assert payments_sweep() == 0


def test_reminders_go_once_before_the_deadline(
    cast: Cast,
    provider: FakeProvider,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    _group(cast, friends=1, authorised=1)
    assert reminders_send() == 0  # 48 hours left, reminders at 24
    with (
        time_machine.travel(timezone.now() + dt.timedelta(hours=25)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert reminders_send() == 1
        assert reminders_send() == 0
    assert GroupOrder.objects.get().reminded_at is not None
    assert sorted(mail.to[0] for mail in mailoutbox) == [
        "claire.dupont@example.org",
        "f0@example.org",
    ]
