from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from socius.commerce.errors import (
    AlreadyInGroup,
    GroupFull,
    IdempotencyKeyReused,
    InvalidShareToken,
    OfferNotOnSale,
    PaymentUnavailable,
    SoldOut,
    TooManySeats,
    WithdrawalRefused,
)
from socius.commerce.models import (
    GroupOrder,
    GroupState,
    Offer,
    Participant,
    ParticipantState,
    Payment,
    PaymentState,
)
from socius.commerce.selectors import group_progress
from socius.commerce.services import (
    deadlines_run,
    group_join,
    group_open,
    offer_create,
    participant_withdraw,
    reservations_expire,
)
from socius.commerce.tests.test_groups_support import (  # noqa: F401 - the fixture
    FakeProvider,
    offer_data,
    party,
    provider_event,
    provider_fixture,
    published_offer,
)
from socius.conftest import Cast
from socius.core.models import Activity
from socius.people.models import Relation, RelationKind

pytestmark = pytest.mark.django_db
S = ParticipantState


def _open(cast: Cast, seats: int = 1, **changes: object) -> tuple[GroupOrder, Participant]:
    offer = published_offer(cast.admin, **changes)
    outcome = group_open(offer=offer, organiser=party("claire.dupont@example.org"), seats=seats)
    return outcome.participant.group, outcome.participant


def _join(group: GroupOrder, email: str, seats: int = 1, key: str = "") -> Participant:
    outcome = group_join(
        group=group,
        share_token=group.share_token,
        party=party(email),
        seats=seats,
        idempotency_key=key or email,
    )
    return outcome.participant


def test_opening_holds_the_organisers_seats_and_starts_a_held_payment(
    cast: Cast, provider: FakeProvider
) -> None:
    offer = published_offer(cast.admin)
    outcome = group_open(offer=offer, organiser=party("claire.dupont@example.org"), seats=2)
    group = GroupOrder.objects.get()
    assert outcome.created
    assert outcome.participant.person == cast.customer
    assert (group.state, group.seats_held, group.seats_secured) == (GroupState.OPEN, 2, 0)
    assert group.organiser == cast.customer
    assert len(group.share_token) == 43
    assert Offer.objects.get().seats_taken == 2
    assert outcome.participant.state == S.RESERVED
    # Held at the base price (R4), capture later.
    assert provider.operations("checkout") == [("fake_1", 6000)]
    assert outcome.payment.checkout_url == "https://pay.example/fake_1"
    assert group.opened_at is not None
    assert group.deadline == group.opened_at + dt.timedelta(hours=48)


def test_it_refuses_to_open_a_group_on_an_offer_not_on_sale(
    cast: Cast, provider: FakeProvider
) -> None:
    offer = offer_create(actor=cast.admin, data=offer_data())
    with pytest.raises(OfferNotOnSale):
        group_open(offer=offer, organiser=party("a@example.org"), seats=1)
    assert GroupOrder.objects.count() == 0


def test_a_friend_joins_and_is_related_to_the_organiser_on_both_timelines(
    cast: Cast, provider: FakeProvider
) -> None:
    group, _organiser = _open(cast)
    friend = _join(group, "hugo.bernard@example.net", seats=2)
    assert friend.person == cast.friend
    assert friend.state == S.RESERVED
    relation = Relation.objects.get(kind=RelationKind.INVITED_BY)
    assert (relation.person, relation.other) == (cast.friend, cast.customer)
    timelines = Activity.objects.filter(verb="person.relation_added").values_list(
        "person_id", flat=True
    )
    assert sorted(timelines) == sorted([cast.friend.pk, cast.customer.pk])
    joined = Activity.objects.get(verb="commerce.group_joined", person=cast.friend)
    assert (joined.object_type, joined.object_id) == ("commerce.grouporder", str(group.pk))
    assert GroupOrder.objects.get().seats_held == 3


def test_a_retried_join_gets_the_same_participant_and_payment(
    cast: Cast, provider: FakeProvider
) -> None:
    group, _organiser = _open(cast)
    first = group_join(
        group=group, share_token=group.share_token, party=party("f@example.org"), seats=1,
        idempotency_key="k-1",
    )  # fmt: skip
    again = group_join(
        group=group, share_token=group.share_token, party=party("f@example.org"), seats=1,
        idempotency_key="k-1",
    )  # fmt: skip
    assert again.created is False
    assert (again.participant.pk, again.payment.pk) == (first.participant.pk, first.payment.pk)
    assert len(provider.operations("checkout")) == 2  # the organiser's and this one
    assert GroupOrder.objects.get().seats_held == 2
    with pytest.raises(IdempotencyKeyReused):
        group_join(
            group=group, share_token=group.share_token, party=party("f@example.org"), seats=2,
            idempotency_key="k-1",
        )  # fmt: skip
    assert Participant.objects.count() == 2


def test_it_refuses_a_wrong_share_token_and_changes_nothing(
    cast: Cast, provider: FakeProvider
) -> None:
    group, _organiser = _open(cast)
    with pytest.raises(InvalidShareToken):
        group_join(
            group=group, share_token="x" * 43, party=party("f@example.org"), seats=1,
            idempotency_key="k",
        )  # fmt: skip
    assert Participant.objects.count() == 1
    assert GroupOrder.objects.get().seats_held == 1


def test_one_active_participation_per_person_and_a_seat_cap(
    cast: Cast, provider: FakeProvider
) -> None:
    group, _organiser = _open(cast, max_seats_per_participant=3)
    _join(group, "f@example.org", key="a")
    with pytest.raises(AlreadyInGroup):
        _join(group, "f@example.org", key="b")
    with pytest.raises(TooManySeats):
        _join(group, "g@example.org", seats=4)
    assert GroupOrder.objects.get().seats_held == 2


def test_a_full_group_and_a_sold_out_offer_are_told_apart(
    cast: Cast, provider: FakeProvider
) -> None:
    group, _organiser = _open(cast, capacity=6, max_group_size=4, min_group_size=2, tiers=[])
    _join(group, "a@example.org", seats=3)
    with pytest.raises(GroupFull):
        _join(group, "b@example.org")
    other = group_open(offer=group.offer, organiser=party("o@example.org"), seats=2).participant
    with pytest.raises(SoldOut) as refused:
        _join(other.group, "c@example.org")
    assert refused.value.code == "sold_out"
    assert Offer.objects.get().seats_taken == 6
    assert Participant.objects.count() == 3


def test_a_provider_failure_releases_the_seats_and_a_retry_works(
    cast: Cast, provider: FakeProvider
) -> None:
    group, _organiser = _open(cast)
    provider.fail = {"checkout"}
    with pytest.raises(PaymentUnavailable) as refused:
        _join(group, "f@example.org", key="k")
    assert (refused.value.code, refused.value.status_code) == ("payment_unavailable", 502)
    assert GroupOrder.objects.get().seats_held == 1
    assert Offer.objects.get().seats_taken == 1
    assert Payment.objects.filter(state=PaymentState.FAILED).count() == 1
    provider.fail = set()
    retried = _join(group, "f@example.org", key="k")
    assert retried.state == S.RESERVED
    assert GroupOrder.objects.get().seats_held == 2


def test_authorisations_tip_the_group_once(cast: Cast, provider: FakeProvider) -> None:
    group, organiser = _open(cast)  # min 3
    friends = [_join(group, f"f{n}@example.org") for n in range(3)]
    for participant in [organiser, *friends[:2]]:
        provider_event(participant.payments.get(), "authorized")
    group.refresh_from_db()
    assert (group.state, group.seats_secured) == (GroupState.TIPPED, 3)
    assert group.tipped_at is not None
    provider_event(friends[2].payments.get(), "authorized")
    provider_event(friends[2].payments.get(), "authorized")  # replayed
    group.refresh_from_db()
    assert group.seats_secured == 4
    assert Activity.objects.filter(verb="commerce.group_tipped").count() == 1
    progress = group_progress(group)
    assert (progress["unit_price_cents"], progress["next_tier_seats_needed"]) == (3000, 1)


def test_a_group_with_every_seat_secured_is_full(cast: Cast, provider: FakeProvider) -> None:
    group, organiser = _open(cast, seats=2, min_group_size=2, max_group_size=3, tiers=[])
    friend = _join(group, "f@example.org")
    provider_event(organiser.payments.get(), "authorized")
    assert GroupOrder.objects.get().state == GroupState.TIPPED
    provider_event(friend.payments.get(), "authorized")
    assert GroupOrder.objects.get().state == GroupState.FULL


def test_a_failed_payment_gives_the_seats_back_and_a_late_failure_changes_nothing(
    cast: Cast, provider: FakeProvider
) -> None:
    group, organiser = _open(cast)
    friend = _join(group, "f@example.org", seats=2)
    provider_event(friend.payments.get(), "failed")
    friend.refresh_from_db()
    assert friend.state == S.RELEASED
    assert (GroupOrder.objects.get().seats_held, Offer.objects.get().seats_taken) == (1, 1)
    provider_event(organiser.payments.get(), "authorized")
    provider_event(organiser.payments.get(), "failed")  # out of order: ignored
    organiser.refresh_from_db()
    assert organiser.state == S.AUTHORIZED
    assert GroupOrder.objects.get().seats_secured == 1


def test_pay_now_confirms_on_capture(cast: Cast, provider: FakeProvider) -> None:
    group, organiser = _open(cast, payment_mode="pay_now", min_group_size=1, tiers=[])
    provider_event(organiser.payments.get(), "captured", 3000)
    organiser.refresh_from_db()
    assert organiser.state == S.CONFIRMED
    assert GroupOrder.objects.get().state == GroupState.TIPPED


def test_withdrawing_before_tipping_voids_the_hold(cast: Cast, provider: FakeProvider) -> None:
    group, _organiser = _open(cast)
    friend = _join(group, "f@example.org", seats=2)
    provider_event(friend.payments.get(), "authorized")
    participant_withdraw(participant=friend)
    assert Participant.objects.get(pk=friend.pk).state == S.WITHDRAWN
    assert (GroupOrder.objects.get().seats_held, GroupOrder.objects.get().seats_secured) == (1, 0)
    assert provider.operations("void") == [(friend.payments.get().provider_ref, 0)]
    assert friend.payments.get().state == PaymentState.VOIDED
    with pytest.raises(WithdrawalRefused):
        participant_withdraw(participant=friend)


def test_a_lapsed_reservation_returns_its_seats(cast: Cast, provider: FakeProvider) -> None:
    group, _organiser = _open(cast)
    _join(group, "f@example.org", seats=2)
    assert reservations_expire() == 0
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        assert reservations_expire() == 2
        assert reservations_expire() == 0
    assert (GroupOrder.objects.get().seats_held, Offer.objects.get().seats_taken) == (0, 0)


def test_a_late_authorisation_takes_the_seats_again_when_free(
    cast: Cast, provider: FakeProvider
) -> None:
    group, _organiser = _open(cast)
    friend = _join(group, "f@example.org", seats=2)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        reservations_expire()
        provider_event(friend.payments.get(), "authorized")
    friend.refresh_from_db()
    assert friend.state == S.AUTHORIZED
    group.refresh_from_db()
    assert (group.seats_held, group.seats_secured) == (2, 2)
    assert provider.operations("void") == []


def test_a_late_authorisation_for_seats_sold_meanwhile_is_voided_and_flagged(
    cast: Cast, provider: FakeProvider, django_capture_on_commit_callbacks: Any
) -> None:
    group, organiser = _open(cast, capacity=3, max_group_size=3, min_group_size=2, tiers=[])
    provider_event(organiser.payments.get(), "authorized")
    friend = _join(group, "f@example.org", seats=2)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        reservations_expire()
    _join(group, "g@example.org", seats=2)  # takes the seats back
    with django_capture_on_commit_callbacks(execute=True):
        provider_event(friend.payments.get(), "authorized")
    friend.refresh_from_db()
    assert friend.state == S.RELEASED
    payment = friend.payments.get()
    assert payment.state == PaymentState.VOIDED
    assert payment.failure_reason == "late_payment_returned"
    assert provider.operations("void") == [(payment.provider_ref, 0)]
    assert Offer.objects.get().seats_taken == 3
    assert Activity.objects.filter(verb="commerce.payment_flagged").count() == 1


def test_the_conditional_update_refuses_even_past_the_early_check(
    cast: Cast, provider: FakeProvider, monkeypatch: Any
) -> None:
    group, _organiser = _open(cast, capacity=2, max_group_size=2, min_group_size=1, tiers=[])
    other = group_open(offer=group.offer, organiser=party("o@example.org"), seats=1).participant
    monkeypatch.setattr("socius.commerce.services.groups._refuse_early", lambda *args: None)
    with pytest.raises(SoldOut):
        _join(other.group, "late@example.org")
    assert Offer.objects.get().seats_taken == 2
    assert Participant.objects.count() == 2
    assert Activity.objects.filter(verb="commerce.group_joined").count() == 2


def test_a_friend_who_joins_a_second_group_is_related_once(
    cast: Cast, provider: FakeProvider
) -> None:
    group, _organiser = _open(cast)
    _join(group, "hugo.bernard@example.net")
    second = group_open(
        offer=group.offer, organiser=party("claire.dupont@example.org"), seats=1
    ).participant.group
    _join(second, "hugo.bernard@example.net")
    assert Relation.objects.filter(kind=RelationKind.INVITED_BY).count() == 1
    assert Activity.objects.filter(verb="person.relation_added").count() == 2


def test_a_refund_after_tickets_revokes_them(cast: Cast, provider: FakeProvider) -> None:
    group, organiser = _open(cast, min_group_size=1, tiers=[])
    provider_event(organiser.payments.get(), "authorized")
    deadlines_run(now=timezone.now() + dt.timedelta(hours=49))
    organiser.refresh_from_db()
    assert organiser.state == S.TICKETED
    payment = organiser.payments.get()
    provider_event(payment, "refunded", payment.captured_cents)
    organiser.refresh_from_db()
    assert organiser.state == S.REFUNDED
    assert set(organiser.tickets.values_list("state", flat=True)) == {"revoked"}
    assert Offer.objects.get().seats_taken == 0


def test_a_retried_opening_with_its_key_is_the_same_group(
    cast: Cast, provider: FakeProvider
) -> None:
    offer = published_offer(cast.admin)
    first = group_open(offer=offer, organiser=party("o@example.org"), seats=2, idempotency_key="o1")
    again = group_open(offer=offer, organiser=party("o@example.org"), seats=2, idempotency_key="o1")
    assert again.created is False
    assert again.participant.group_id == first.participant.group_id
    assert (GroupOrder.objects.count(), Offer.objects.get().seats_taken) == (1, 2)


def test_a_group_closes_before_its_event_starts(cast: Cast, provider: FakeProvider) -> None:
    event = (timezone.localtime() + dt.timedelta(days=2)).date()
    group, _organiser = _open(cast, event_date=event, group_window_hours=100)
    midnight = timezone.make_aware(dt.datetime.combine(event, dt.time.min))
    assert group.deadline == midnight


def test_a_paid_participant_gets_their_private_link_and_the_share_link_once(
    cast: Cast,
    provider: FakeProvider,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    group, organiser = _open(cast)
    with django_capture_on_commit_callbacks(execute=True):
        provider_event(organiser.payments.get(), "authorized")
        provider_event(organiser.payments.get(), "authorized")  # replayed: nothing more

    (sent,) = mailoutbox
    assert sent.to == ["claire.dupont@example.org"]
    assert organiser.access_token in sent.body
    assert group.share_token in sent.body
