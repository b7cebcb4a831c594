"""What commerce managers correct by hand, in the browser and through the API: refund one
participant, give one ticket a new code, add and remove the gates of an offer."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from socius.accounts.models import User
from socius.accounts.roles import Role
from socius.accounts.services import token_create
from socius.commerce.checkin.services import checkin
from socius.commerce.models import (
    CheckIn,
    Gate,
    GroupOrder,
    GroupState,
    Offer,
    Participant,
    ParticipantState,
    Payment,
    PaymentState,
    Ticket,
    TicketState,
)
from socius.commerce.services.lifecycle import group_close
from socius.commerce.tests.factories import gate_make
from socius.commerce.tests.pages_support import joined, offer_on_sale, opened, provider_says
from socius.commerce.tests.test_groups_support import (  # noqa: F401 - the fixture
    FakeProvider,
    provider_fixture,
)
from socius.conftest import Cast, make_employee, signed_in_client
from socius.core.models import Activity

# Session, user, group (with offer and organiser), participants, their payments, their
# live tickets (only when someone holds tickets), activity.
GROUP_DETAIL_WITH_TICKETS_QUERIES = 7


@dataclass
class Completed:
    group: GroupOrder
    organiser: Participant  # 2 seats, ticketed
    friend: Participant  # 1 seat, ticketed


def _manager() -> User:
    return make_employee("marc.ventes@example.com", "Marc Ventes", "ventes", Role.MANAGER)


@pytest.fixture
def manager(cast: Cast) -> User:
    return _manager()


def completed_group(manager: User) -> Completed:
    """Two participants authorised, the group tipped and closed early by a manager: both
    captured by the (fake) provider and ticketed, through the real services. An open-dated
    offer, so its tickets are valid at the gate from their issue."""
    offer = offer_on_sale(manager, kind="open_dated", event_date=None)
    first = opened(offer, seats=2)
    second = joined(first, "hugo@example.net", "Hugo")
    provider_says(first.participant)
    provider_says(second.participant)
    group = group_close(group=first.participant.group, actor_user=manager)
    assert group.state == GroupState.COMPLETED
    organiser = Participant.objects.get(pk=first.participant.pk)
    friend = Participant.objects.get(pk=second.participant.pk)
    assert organiser.state == friend.state == ParticipantState.TICKETED
    return Completed(group=group, organiser=organiser, friend=friend)


def api(user: User, *scopes: str) -> Client:
    secret = token_create(user=user, name="test", scopes=list(scopes)).secret
    return Client(headers={"Authorization": f"Bearer {secret}"})


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


def _seats(participant: Participant) -> tuple[int, int, int]:
    group = GroupOrder.objects.get(pk=participant.group_id)
    return group.seats_held, group.seats_secured, Offer.objects.get(pk=group.offer_id).seats_taken


# Refunds ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_refunds_a_ticketed_participant_once(
    manager: User,
    provider: FakeProvider,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    done = completed_group(manager)
    organiser = done.organiser
    payment = Payment.objects.get(participant=organiser)
    assert payment.state == PaymentState.CAPTURED
    held, secured, taken = _seats(organiser)
    client = api(manager, "commerce:admin")
    url = f"/api/v1/commerce/participants/{organiser.pk}/refund"
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, url, {"reason": "malade"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == ParticipantState.REFUNDED
    assert body["tickets_revoked"] == 2
    assert body["money_returned"] is True
    assert body["amount_refunded_cents"] == organiser.amount_captured_cents > 0
    # The provider gave back what was captured, once.
    assert provider.operations("refund") == [(payment.provider_ref, payment.captured_cents)]
    payment.refresh_from_db()
    assert (payment.state, payment.refunded_cents) == (
        PaymentState.REFUNDED,
        payment.captured_cents,
    )
    assert _seats(organiser) == (held - 2, secured - 2, taken - 2)
    assert set(organiser.tickets.values_list("state", flat=True)) == {TicketState.REVOKED}
    # The friend keeps their ticket.
    assert set(done.friend.tickets.values_list("state", flat=True)) == {TicketState.ISSUED}
    entry = Activity.objects.get(verb="commerce.participant_refunded")
    assert (entry.person_id, entry.actor_id) == (organiser.person_id, manager.pk)
    assert entry.department is not None
    assert entry.department.slug == "ventes"
    assert [message.to for message in mailoutbox] == [["lea@example.org"]]

    again = post(client, url, {"reason": "malade"})
    assert again.status_code == 409
    assert again.json()["code"] == "refund_refused"
    assert len(provider.operations("refund")) == 1
    assert _seats(organiser) == (held - 2, secured - 2, taken - 2)
    assert Activity.objects.filter(verb="commerce.participant_refunded").count() == 1


@pytest.mark.django_db
def test_the_api_refuses_an_unpaid_participant_an_unknown_one_and_a_lesser_token(
    cast: Cast, manager: User, provider: FakeProvider
) -> None:
    outcome = opened(offer_on_sale(manager))
    provider_says(outcome.participant)  # authorised, not charged
    client = api(manager, "commerce:admin")
    url = f"/api/v1/commerce/participants/{outcome.participant.pk}/refund"
    refused = post(client, url, {"reason": "x"})
    assert refused.status_code == 409
    assert refused.json()["code"] == "refund_refused"
    assert (
        post(client, "/api/v1/commerce/participants/999999/refund", {"reason": "x"}).status_code
        == 404
    )
    assert post(client, url, {"reason": ""}).status_code == 422
    reader = api(manager, "commerce:read")
    assert post(reader, url, {"reason": "x"}).status_code == 403
    employee = api(cast.outsider, "commerce:read")
    assert post(employee, url, {"reason": "x"}).status_code == 403
    assert Participant.objects.get(pk=outcome.participant.pk).state == ParticipantState.AUTHORIZED
    assert provider.operations("refund") == []


@pytest.mark.django_db
def test_a_refund_is_recorded_even_when_the_provider_is_down_and_the_sweep_finishes_it(
    manager: User, provider: FakeProvider
) -> None:
    from socius.commerce.services.lifecycle import payments_sweep

    done = completed_group(manager)
    provider.fail.add("refund")
    response = post(
        api(manager, "commerce:admin"),
        f"/api/v1/commerce/participants/{done.friend.pk}/refund",
        {"reason": "geste commercial"},
    )
    assert response.status_code == 200
    assert response.json()["money_returned"] is False
    assert Payment.objects.get(participant=done.friend).state == PaymentState.CAPTURED
    provider.fail.clear()
    assert payments_sweep() == 0
    assert Payment.objects.get(participant=done.friend).state == PaymentState.REFUNDED
    assert len(provider.operations("refund")) == 1


@pytest.mark.django_db(transaction=True)
def test_two_refunds_at_the_same_instant_refund_once(provider: FakeProvider) -> None:
    from socius.commerce.services.refunds import RefundRefused, participant_refund

    manager = _manager()
    done = completed_group(manager)
    held, secured, taken = _seats(done.organiser)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def refund() -> None:
        try:
            participant = Participant.objects.get(pk=done.organiser.pk)
            barrier.wait()
            participant_refund(actor=manager, participant=participant, reason="double clic")
            outcomes.append("refunded")
        except RefundRefused:
            outcomes.append("refused")
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=refund) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(outcomes) == ["refunded", "refused", "refused", "refused"]
    assert len(provider.operations("refund")) == 1
    assert _seats(done.organiser) == (held - 2, secured - 2, taken - 2)
    assert Activity.objects.filter(verb="commerce.participant_refunded").count() == 1


@pytest.mark.django_db
def test_the_staff_page_refunds_after_a_reason_and_a_confirmation(
    manager: User, provider: FakeProvider, django_assert_num_queries: Any
) -> None:
    done = completed_group(manager)
    client = signed_in_client(manager)
    with django_assert_num_queries(GROUP_DETAIL_WITH_TICKETS_QUERIES):
        page = client.get(reverse("commerce:group-detail", args=[done.group.pk]))
    html = page.content.decode()
    refund_url = reverse("commerce:participant-refund", args=[done.group.pk, done.friend.pk])
    assert f'href="{refund_url}"' in html
    assert html.count('data-testid="participant-refund"') == 2
    assert html.count('data-testid="ticket-reissue"') == 3  # one per live seat
    assert client.get(refund_url).status_code == 200
    unconfirmed = client.post(refund_url, {"reason": "malade"})
    assert unconfirmed.status_code == 422
    assert Participant.objects.get(pk=done.friend.pk).state == ParticipantState.TICKETED
    done_response = client.post(refund_url, {"reason": "malade", "confirm": "on"})
    assert done_response.status_code == 302
    assert done_response["Location"] == reverse("commerce:group-detail", args=[done.group.pk])
    assert Participant.objects.get(pk=done.friend.pk).state == ParticipantState.REFUNDED
    # Submitted again (a double click): refused on the form, nothing more given back.
    twice = client.post(refund_url, {"reason": "malade", "confirm": "on"})
    assert twice.status_code == 422
    assert len(provider.operations("refund")) == 1
    after = client.get(reverse("commerce:group-detail", args=[done.group.pk])).content.decode()
    assert after.count('data-testid="participant-refund"') == 1
    # A participant of another group is not reached through this group's address.
    other = completed_group(manager)
    crossed = reverse("commerce:participant-refund", args=[done.group.pk, other.friend.pk])
    assert client.post(crossed, {"reason": "x", "confirm": "on"}).status_code == 404
    assert Participant.objects.get(pk=other.friend.pk).state == ParticipantState.TICKETED


# New ticket codes ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_reissues_a_ticket_and_the_old_code_is_refused_at_the_gate(
    manager: User, provider: FakeProvider
) -> None:
    done = completed_group(manager)
    gate = gate_make(done.group.offer)
    old = Ticket.objects.get(participant=done.friend)
    client = api(manager, "commerce:admin")
    response = post(client, f"/api/v1/commerce/tickets/{old.tid}/reissue", {"reason": "transfer"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"] != str(old.tid)
    assert body["replaces"] == str(old.tid)
    new = Ticket.objects.get(tid=body["id"])
    old.refresh_from_db()
    assert (old.state, old.replaced_by_id, old.revoke_reason) == (
        TicketState.REVOKED,
        new.pk,
        "transfer",
    )
    assert checkin(code=old.code, gate_slug=gate.slug).result == "revoked"
    assert checkin(code=new.code, gate_slug=gate.slug).result == "ok"
    # The revoked one and the checked-in one cannot be reissued; nothing more is made.
    for ticket in (old, new):
        refused = post(client, f"/api/v1/commerce/tickets/{ticket.tid}/reissue", {"reason": "x"})
        assert refused.status_code == 409
        assert refused.json()["code"] == "ticket_not_reissuable"
    unknown = "/api/v1/commerce/tickets/00000000-0000-4000-8000-000000000000/reissue"
    assert post(client, unknown, {"reason": "x"}).status_code == 404
    assert post(api(manager, "commerce:read"), unknown, {"reason": "x"}).status_code == 403
    assert Ticket.objects.filter(participant=done.friend).count() == 2


@pytest.mark.django_db
def test_the_staff_page_gives_a_ticket_a_new_code(manager: User, provider: FakeProvider) -> None:
    done = completed_group(manager)
    old = Ticket.objects.get(participant=done.friend)
    client = signed_in_client(manager)
    url = reverse("commerce:ticket-reissue", args=[old.tid])
    page = client.get(reverse("commerce:group-detail", args=[done.group.pk])).content.decode()
    assert f'action="{url}"' in page
    assert client.get(url).status_code == 405  # only a form's POST changes anything
    assert client.post(url, {"reason": "whatever"}).status_code == 302
    assert Ticket.objects.get(pk=old.pk).state == TicketState.ISSUED
    response = client.post(url, {"reason": "leaked_code"})
    assert response.status_code == 302
    assert response["Location"] == reverse("commerce:group-detail", args=[done.group.pk])
    old.refresh_from_db()
    assert (old.state, old.revoke_reason) == (TicketState.REVOKED, "leaked_code")
    assert Ticket.objects.filter(participant=done.friend, state=TicketState.ISSUED).count() == 1
    entry = Activity.objects.get(verb="commerce.ticket_reissued")
    assert entry.actor_id == manager.pk


# Gates -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_adds_gates_with_unique_slugs_and_lists_them(cast: Cast, manager: User) -> None:
    offer = offer_on_sale(manager)
    other = offer_on_sale(manager, title="Autre")
    gate_make(other, slug="entree-nord")
    client = api(manager, "commerce:admin", "commerce:read")
    url = f"/api/v1/commerce/offers/{offer.pk}/gates"
    first = post(client, url, {"name": "Entrée Nord"})
    second = post(client, url, {"name": "Entrée  Nord"})
    assert first.status_code == second.status_code == 201
    assert first.json()["slug"] == "entree-nord-2"
    assert second.json()["slug"] == "entree-nord-3"
    assert post(client, url, {"name": ""}).status_code == 422
    assert post(client, url, {"name": "   "}).status_code == 422
    listed = client.get(url).json()
    assert [(g["slug"], g["scans"]) for g in listed] == [("entree-nord-2", 0), ("entree-nord-3", 0)]
    reader = api(manager, "commerce:read")
    assert reader.get(url).status_code == 200
    assert post(reader, url, {"name": "Sud"}).status_code == 403
    assert post(api(cast.outsider, "commerce:read"), url, {"name": "Sud"}).status_code == 403
    assert client.get("/api/v1/commerce/offers/999999/gates").status_code == 404
    assert Gate.objects.filter(offer=offer).count() == 2


@pytest.mark.django_db
def test_a_gate_is_removed_only_while_nothing_was_scanned_there(
    manager: User, provider: FakeProvider
) -> None:
    done = completed_group(manager)
    offer = done.group.offer
    used = gate_make(offer, slug="used")
    gate_make(offer, slug="unused")
    ticket = Ticket.objects.get(participant=done.friend)
    assert checkin(code=ticket.code, gate_slug=used.slug).result == "ok"
    client = api(manager, "commerce:admin", "commerce:read")
    listed = client.get(f"/api/v1/commerce/offers/{offer.pk}/gates").json()
    assert {g["slug"]: g["scans"] for g in listed} == {"unused": 0, "used": 1}
    refused = client.delete(f"/api/v1/commerce/offers/{offer.pk}/gates/used")
    assert refused.status_code == 409
    assert refused.json()["code"] == "gate_in_use"
    assert client.delete(f"/api/v1/commerce/offers/{offer.pk}/gates/unused").status_code == 204
    assert client.delete(f"/api/v1/commerce/offers/{offer.pk}/gates/unused").status_code == 404
    assert list(Gate.objects.values_list("slug", flat=True)) == ["used"]
    # The web page refuses the same way.
    web = signed_in_client(manager)
    page = web.get(reverse("commerce:offer-detail", args=[offer.pk])).content.decode()
    assert 'data-gate="used" data-scans="1"' in page
    assert 'data-testid="gate-remove"' not in page
    response = web.post(reverse("commerce:gate-remove", args=[offer.pk, used.pk]))
    assert response.status_code == 302
    assert Gate.objects.filter(pk=used.pk).exists()
    assert CheckIn.objects.filter(gate="used").count() == 1


@pytest.mark.django_db
def test_the_offer_page_adds_and_removes_a_gate(manager: User) -> None:
    offer = offer_on_sale(manager)
    client = signed_in_client(manager)
    detail = reverse("commerce:offer-detail", args=[offer.pk])
    assert 'data-testid="gate-add-form"' in client.get(detail).content.decode()
    refused = client.post(reverse("commerce:gate-add", args=[offer.pk]), {"name": ""})
    assert refused.status_code == 422
    assert 'class="field__error"' in refused.content.decode()
    assert not Gate.objects.exists()
    added = client.post(reverse("commerce:gate-add", args=[offer.pk]), {"name": "Porte Ouest"})
    assert added.status_code == 302
    gate = Gate.objects.get()
    assert (gate.slug, gate.offer_id) == ("porte-ouest", offer.pk)
    page = client.get(detail).content.decode()
    assert 'data-gate="porte-ouest" data-scans="0"' in page
    assert Activity.objects.filter(verb="commerce.gate_created", actor=manager).exists()
    removed = client.post(reverse("commerce:gate-remove", args=[offer.pk, gate.pk]))
    assert removed.status_code == 302
    assert not Gate.objects.exists()
    # Another offer's gate is not reached through this offer's address.
    elsewhere = gate_make(offer_on_sale(manager, title="Autre"))
    assert (
        client.post(reverse("commerce:gate-remove", args=[offer.pk, elsewhere.pk])).status_code
        == 404
    )
    assert Gate.objects.filter(pk=elsewhere.pk).exists()


# Permissions and CSRF --------------------------------------------------------------------


@pytest.mark.django_db
def test_employees_without_the_capability_change_nothing(
    cast: Cast, manager: User, provider: FakeProvider
) -> None:
    done = completed_group(manager)
    offer = done.group.offer
    gate = gate_make(offer, slug="porte")
    ticket = Ticket.objects.filter(participant=done.friend).get()
    posts = [
        (
            reverse("commerce:participant-refund", args=[done.group.pk, done.friend.pk]),
            {"reason": "x", "confirm": "on"},
        ),
        (reverse("commerce:ticket-reissue", args=[ticket.tid]), {"reason": "transfer"}),
        (reverse("commerce:gate-add", args=[offer.pk]), {"name": "Intrus"}),
        (reverse("commerce:gate-remove", args=[offer.pk, gate.pk]), {}),
    ]
    employee = signed_in_client(cast.outsider)
    for url, data in posts:
        assert employee.post(url, data).status_code == 403, url
    assert employee.get(posts[0][0]).status_code == 403
    anonymous = Client()
    for url, data in posts:
        assert anonymous.post(url, data).status_code == 302, url  # to the sign-in page
    # A manager's form without its CSRF token is refused too.
    csrf_checked = Client(enforce_csrf_checks=True)
    csrf_checked.force_login(manager)
    for url, data in posts:
        assert csrf_checked.post(url, data).status_code == 403, url
    assert Participant.objects.get(pk=done.friend.pk).state == ParticipantState.TICKETED
    assert Ticket.objects.get(pk=ticket.pk).state == TicketState.ISSUED
    assert list(Gate.objects.values_list("slug", flat=True)) == ["porte"]
    assert provider.operations("refund") == []


@pytest.mark.django_db
def test_the_services_refuse_an_actor_without_the_capability(
    cast: Cast, manager: User, provider: FakeProvider
) -> None:
    from socius.commerce.services.gates import gate_create, gate_delete
    from socius.commerce.services.refunds import participant_refund, ticket_reissue_for_staff
    from socius.core.errors import Forbidden

    done = completed_group(manager)
    gate = gate_make(done.group.offer)
    ticket = Ticket.objects.filter(participant=done.friend).get()
    with pytest.raises(Forbidden):
        participant_refund(actor=cast.outsider, participant=done.friend, reason="x")
    with pytest.raises(Forbidden):
        ticket_reissue_for_staff(actor=cast.outsider, ticket=ticket, reason="x")
    with pytest.raises(Forbidden):
        gate_create(actor=cast.outsider, offer=done.group.offer, name="x")
    with pytest.raises(Forbidden):
        gate_delete(actor=cast.outsider, gate=gate)
    assert Participant.objects.get(pk=done.friend.pk).state == ParticipantState.TICKETED
    assert Gate.objects.count() == 1


# Django admin ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_only_shows_commerce(cast: Cast, manager: User, provider: FakeProvider) -> None:
    done = completed_group(manager)
    gate = gate_make(done.group.offer)
    client = signed_in_client(cast.admin)
    for model in (
        "offer",
        "gate",
        "grouporder",
        "participant",
        "payment",
        "ticket",
        "checkin",
        "webhookevent",
        "reconciliation",
    ):
        assert client.get(f"/django-admin/commerce/{model}/").status_code == 200, model
    assert (
        client.get(f"/django-admin/commerce/offer/{done.group.offer_id}/change/").status_code == 200
    )
    assert client.get(f"/django-admin/commerce/gate/{gate.pk}/change/").status_code == 200
    # Offers and gates change on the staff pages, whose services check and record them.
    assert client.get("/django-admin/commerce/offer/add/").status_code == 403
    assert client.get("/django-admin/commerce/gate/add/").status_code == 403
    assert client.get("/django-admin/commerce/participant/add/").status_code == 403
    ticket = Ticket.objects.filter(participant=done.friend).get()
    page = client.get(f"/django-admin/commerce/ticket/{ticket.pk}/change/")
    assert page.status_code == 200
    assert ticket.code not in page.content.decode()  # the code admits whoever holds it
    participant_page = client.get(f"/django-admin/commerce/participant/{done.friend.pk}/change/")
    assert done.friend.access_token not in participant_page.content.decode()
    assert signed_in_client(manager).get("/django-admin/commerce/offer/").status_code == 302
