"""The group-buying review's findings, each pinned by a test that failed before its fix."""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from socius.commerce import selectors
from socius.commerce.errors import WithdrawalRefused
from socius.commerce.models import (
    HOLDING_SEATS,
    GroupOrder,
    GroupState,
    Offer,
    Participant,
    ParticipantState,
    PaymentState,
    SandboxIntent,
)
from socius.commerce.payments.sandbox import sandbox_pay
from socius.commerce.services import (
    Party,
    deadlines_run,
    group_cancel,
    group_join,
    group_open,
    participant_withdraw,
    payments_sweep,
    reminders_send,
    reservations_expire,
    seats,
)
from socius.commerce.services.groups import JoinOutcome
from socius.commerce.services.notices import notices_send
from socius.commerce.tests.factories import person_make
from socius.commerce.tests.test_groups_support import (  # noqa: F401 - the fixture
    FakeProvider,
    party,
    provider_event,
    provider_fixture,
    published_offer,
)
from socius.conftest import Cast
from socius.core.models import Activity
from socius.people.services.types import IdentifierIn, Profile

S = ParticipantState
SERVICES = "socius.commerce.services"
AFTER_DEADLINE = dt.timedelta(hours=49)
LAPSED = dt.timedelta(minutes=16)


def _open(cast: Cast, **changes: Any) -> tuple[GroupOrder, Participant]:
    offer = published_offer(cast.admin, **changes)
    outcome = group_open(offer=offer, organiser=party("claire.dupont@example.org"), seats=1)
    return outcome.participant.group, outcome.participant


def _join(group: GroupOrder, email: str, key: str = "", seats: int = 1) -> Participant:
    return group_join(
        group=group, share_token=group.share_token, party=party(email), seats=seats,
        idempotency_key=key or email,
    ).participant  # fmt: skip


def _group(cast: Cast, friends: int, authorised: int, **changes: Any) -> list[Participant]:
    group, organiser = _open(cast, **changes)
    people = [organiser] + [_join(group, f"f{n}@example.org") for n in range(friends)]
    for participant in people[:authorised]:
        provider_event(participant.payments.get(), "authorized")
    return people


def _states(people: list[Participant]) -> list[str]:
    return [Participant.objects.get(pk=p.pk).state for p in people]


# 1. A capture refused for good voids the hold at the provider --------------------------


@pytest.mark.django_db
def test_a_refused_capture_voids_the_hold_and_the_sweep_retries_the_void(
    cast: Cast, provider: FakeProvider
) -> None:
    people = _group(cast, friends=2, authorised=3, min_group_size=2)
    provider.fail, provider.retryable = {"capture", "void"}, False
    with time_machine.travel(timezone.now() + AFTER_DEADLINE):
        deadlines_run()
    assert GroupOrder.objects.get().state == GroupState.FAILED
    assert _states(people) == [S.VOIDED] * 3
    payments = [p.payments.get() for p in people]
    # Still held at the provider: left authorised so the sweep voids it once it answers.
    assert {(p.state, p.failure_reason) for p in payments} == {
        (PaymentState.AUTHORIZED, "capture_refused")
    }
    assert payments_sweep() == 3
    provider.fail = set()
    assert payments_sweep() == 0
    assert sorted(ref for ref, _ in provider.operations("void")) == sorted(
        p.provider_ref for p in payments
    )
    assert {p.payments.get().state for p in people} == {PaymentState.VOIDED}


# 2. A failed or cancelled group left half given back is finished by the sweep ----------


@pytest.mark.django_db
def test_the_sweep_gives_back_a_failed_group_whose_give_back_never_ran(
    cast: Cast, provider: FakeProvider
) -> None:
    people = _group(cast, friends=3, authorised=3)
    # The worker died right after committing the group's failure.
    GroupOrder.objects.update(state=GroupState.FAILED, end_reason="deadline")
    assert payments_sweep() == 0
    assert _states(people) == [S.VOIDED, S.VOIDED, S.VOIDED, S.RELEASED]
    assert (GroupOrder.objects.get().seats_held, Offer.objects.get().seats_taken) == (0, 0)
    assert len(provider.operations("void")) == 4  # three holds and one open checkout
    assert payments_sweep() == 0
    assert len(provider.operations("void")) == 4


@pytest.mark.django_db
def test_one_participant_failing_does_not_stop_the_others_give_back(
    cast: Cast, provider: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = _group(cast, friends=2, authorised=3)
    real = seats.seats_return
    broken = {"left": 1}

    def seats_return_once_broken(**kwargs: Any) -> None:
        if broken["left"]:
            broken["left"] -= 1
            raise RuntimeError("database hiccup")
        real(**kwargs)

    monkeypatch.setattr(f"{SERVICES}.settlement.seats_return", seats_return_once_broken)
    group_cancel(actor=cast.admin, group=GroupOrder.objects.get(), reason="scalping")
    assert GroupOrder.objects.get().state == GroupState.CANCELLED
    assert _states(people) == [S.AUTHORIZED, S.VOIDED, S.VOIDED]  # the first rolled back
    assert payments_sweep() == 0
    assert _states(people) == [S.VOIDED] * 3
    assert (GroupOrder.objects.get().seats_held, Offer.objects.get().seats_taken) == (0, 0)
    assert len(provider.operations("void")) == 3


# 3. A late authorisation after the person joined again is given back ------------------


@pytest.mark.django_db
def test_a_late_authorisation_after_rejoining_is_given_back_not_a_second_participation(
    cast: Cast, provider: FakeProvider, django_capture_on_commit_callbacks: Any
) -> None:
    group, organiser = _open(cast)
    provider_event(organiser.payments.get(), "authorized")
    first = _join(group, "hugo@example.net", key="first")
    with time_machine.travel(timezone.now() + LAPSED):
        assert reservations_expire() == 1
        second = _join(group, "hugo@example.net", key="second")
        with django_capture_on_commit_callbacks(execute=True):
            provider_event(first.payments.get(), "authorized")
    assert _states([first, second]) == [S.RELEASED, S.RESERVED]
    holding = Participant.objects.filter(person=first.person, state__in=HOLDING_SEATS)
    assert list(holding.values_list("pk", flat=True)) == [second.pk]
    payment = first.payments.get()
    assert (payment.state, payment.failure_reason) == (
        PaymentState.VOIDED,
        "late_payment_returned",
    )
    assert provider.operations("void") == [(payment.provider_ref, 0)]
    assert GroupOrder.objects.get().seats_held == 2  # the organiser's and the second's
    assert Activity.objects.filter(verb="commerce.payment_flagged").count() == 1


# 4. Seats given back close the checkout not paid yet ----------------------------------


@pytest.mark.django_db
def test_withdrawing_before_paying_closes_the_checkout(cast: Cast, provider: FakeProvider) -> None:
    group, _organiser = _open(cast)
    friend = _join(group, "hugo@example.net")
    participant_withdraw(participant=friend)
    payment = friend.payments.get()
    assert provider.operations("void") == [(payment.provider_ref, 0)]
    assert payment.state == PaymentState.VOIDED
    provider_event(payment, "authorized")  # paid in another tab meanwhile: changes nothing
    assert Participant.objects.get(pk=friend.pk).state == S.WITHDRAWN


@pytest.mark.django_db
def test_a_cancelled_group_closes_its_open_checkouts(cast: Cast, provider: FakeProvider) -> None:
    people = _group(cast, friends=1, authorised=1)
    group_cancel(actor=cast.admin, group=GroupOrder.objects.get(), reason="event_cancelled")
    refs = sorted(p.payments.get().provider_ref for p in people)
    assert sorted(ref for ref, _ in provider.operations("void")) == refs
    assert {p.payments.get().state for p in people} == {PaymentState.VOIDED}


@pytest.mark.django_db
def test_the_sweep_closes_the_checkout_of_a_lapsed_reservation(
    cast: Cast, provider: FakeProvider
) -> None:
    group, organiser = _open(cast)
    provider_event(organiser.payments.get(), "authorized")
    friend = _join(group, "hugo@example.net")
    assert payments_sweep() == 0
    assert provider.operations("void") == []  # still reserved: the customer may pay
    with time_machine.travel(timezone.now() + LAPSED):
        reservations_expire()
        assert payments_sweep() == 0
    payment = friend.payments.get()
    assert provider.operations("void") == [(payment.provider_ref, 0)]
    assert payment.state == PaymentState.VOIDED
    assert payments_sweep() == 0
    assert len(provider.operations("void")) == 1


@pytest.mark.django_db
def test_the_sandbox_checkout_no_longer_takes_money_after_withdrawal(
    cast: Cast, settings: Any
) -> None:
    settings.COMMERCE_PAYMENT_PROVIDER = "sandbox"
    group, _organiser = _open(cast)
    friend = _join(group, "hugo@example.net")
    ref = friend.payments.get().provider_ref
    participant_withdraw(participant=friend)
    assert SandboxIntent.objects.get(ref=ref).status == "canceled"
    assert sandbox_pay(ref=ref, card_number="4242 4242 4242 4242") == "not_payable"
    assert friend.payments.get().state == PaymentState.VOIDED


# 5. Withdrawal is decided inside the transaction ---------------------------------------


@pytest.mark.django_db
def test_a_group_tipping_after_the_check_refuses_the_withdrawal(
    cast: Cast, provider: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    group, _organiser = _open(cast)
    friend = _join(group, "hugo@example.net", seats=2)
    provider_event(friend.payments.get(), "authorized")
    real = seats.participant_move

    def tipped_meanwhile(*args: Any, **kwargs: Any) -> str | None:
        GroupOrder.objects.filter(pk=group.pk).update(state=GroupState.TIPPED)
        return real(*args, **kwargs)

    monkeypatch.setattr(f"{SERVICES}.lifecycle.participant_move", tipped_meanwhile)
    with pytest.raises(WithdrawalRefused) as refused:
        participant_withdraw(participant=friend)
    assert refused.value.details == {"group_state": GroupState.TIPPED}
    assert Participant.objects.get(pk=friend.pk).state == S.AUTHORIZED
    group.refresh_from_db()
    assert (group.seats_held, group.seats_secured) == (3, 2)
    assert provider.operations("void") == []


# 6. The organiser's double click opens one group ---------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_same_opening_sent_twice_at_once_is_one_group(
    cast: Cast, provider: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    offer = published_offer(cast.admin)
    barrier = threading.Barrier(2, timeout=10)
    real = selectors.offer_on_sale

    def both_past_the_early_check(*args: Any, **kwargs: Any) -> bool:
        barrier.wait()  # both requests found no group under the key before either opens
        return real(*args, **kwargs)

    monkeypatch.setattr(f"{SERVICES}.groups.offer_on_sale", both_past_the_early_check)
    outcomes: list[JoinOutcome | BaseException] = []
    lock = threading.Lock()

    def click() -> None:
        try:
            outcome: JoinOutcome | BaseException = group_open(
                offer=offer, organiser=party("o@example.org"), seats=2, idempotency_key="o-1"
            )
        except BaseException as error:  # reported by the assertions below
            outcome = error
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(outcome, JoinOutcome) for outcome in outcomes), outcomes
    joined = [outcome for outcome in outcomes if isinstance(outcome, JoinOutcome)]
    assert sorted(outcome.created for outcome in joined) == [False, True]
    assert len({outcome.participant.pk for outcome in joined}) == 1
    assert len({outcome.payment.pk for outcome in joined}) == 1
    assert GroupOrder.objects.count() == 1
    assert GroupOrder.objects.get().idempotency_key == "o-1"
    assert (Participant.objects.count(), Offer.objects.get().seats_taken) == (1, 2)
    assert len({ref for ref, _ in provider.operations("checkout")}) == 1


@pytest.mark.django_db
def test_an_opening_whose_payment_could_not_start_can_be_retried_with_its_key(
    cast: Cast, provider: FakeProvider
) -> None:
    from socius.commerce.errors import PaymentUnavailable

    offer = published_offer(cast.admin)
    provider.fail = {"checkout"}
    with pytest.raises(PaymentUnavailable):
        group_open(offer=offer, organiser=party("o@example.org"), seats=1, idempotency_key="k")
    provider.fail = set()
    retried = group_open(
        offer=offer, organiser=party("o@example.org"), seats=1, idempotency_key="k"
    )
    assert retried.created
    assert retried.participant.group.state == GroupState.OPEN
    assert GroupOrder.objects.filter(state=GroupState.FAILED).count() == 1  # the empty one
    assert Offer.objects.get().seats_taken == 1


# 8. Deadlines in emails are in local time ----------------------------------------------


@pytest.mark.django_db
def test_the_deadline_in_an_email_is_in_local_time(
    cast: Cast, provider: FakeProvider, mailoutbox: list[Any]
) -> None:
    group, organiser = _open(cast)
    organiser.person.locale = "fr"
    organiser.person.save(update_fields=["locale"])
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    deadline = dt.datetime(2030, 6, 15, 12, 0, tzinfo=paris)  # 10:00 UTC
    GroupOrder.objects.filter(pk=group.pk).update(deadline=deadline)
    assert notices_send(notice="reminder", participant_ids=[organiser.pk]) == 1
    (mail,) = mailoutbox
    assert "12:00" in mail.body
    assert "10:00" not in mail.body


# 12. No reminder right after opening a short group ------------------------------------


@pytest.mark.django_db
def test_a_group_shorter_than_the_reminder_lead_is_not_reminded_at_once(
    cast: Cast, provider: FakeProvider, settings: Any
) -> None:
    settings.COMMERCE_REMINDER_HOURS = 24
    short, _organiser = _open(cast, group_window_hours=12)
    assert reminders_send() == 0
    assert GroupOrder.objects.get(pk=short.pk).reminded_at is None
    long, _other = _open(cast, group_window_hours=48)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=25)):
        assert reminders_send() == 1  # a long enough window is still reminded
    assert GroupOrder.objects.get(pk=long.pk).reminded_at is not None


# 13. An anonymous join never attaches a phone to someone else's record ------------------


def _email_and_phone(email: str, phone: str, *, trusted: bool = False) -> Party:
    return Party(
        identifiers=[IdentifierIn("email", email), IdentifierIn("phone", phone)],
        profile=Profile(given_name="Léa", family_name="Martin"),
        trusted=trusted,
    )


@pytest.mark.django_db
def test_an_anonymous_join_does_not_attach_its_phone_to_the_emails_owner(
    cast: Cast, provider: FakeProvider
) -> None:
    victim = person_make("victim@example.org")
    group, _organiser = _open(cast)
    outcome = group_join(
        group=group, share_token=group.share_token,
        party=_email_and_phone("victim@example.org", "+33 6 12 34 56 78"), seats=1,
        idempotency_key="anon",
    )  # fmt: skip
    assert outcome.participant.person == victim
    assert not victim.identifiers.filter(kind="phone").exists()


@pytest.mark.django_db
def test_a_trusted_join_resolves_every_identifier(cast: Cast, provider: FakeProvider) -> None:
    known = person_make("known@example.org")
    group, _organiser = _open(cast)
    outcome = group_join(
        group=group, share_token=group.share_token,
        party=_email_and_phone("known@example.org", "+33 6 12 34 56 78", trusted=True),
        seats=1, idempotency_key="api",
    )  # fmt: skip
    assert outcome.participant.person == known
    assert known.identifiers.filter(kind="phone").exists()
