from __future__ import annotations

from typing import Any

import pytest

from socius.conftest import Cast, signed_in_client
from socius.core.models import Activity
from socius.people.errors import PersonErased, PrivacyRequestClosed, PrivacyRequestPending
from socius.people.models import Person, PrivacyRequest
from socius.people.services.privacy import (
    person_erase,
    privacy_request_carry_out,
    privacy_request_create,
    privacy_request_refuse,
)

pytestmark = pytest.mark.django_db

LIST = "/people/privacy-requests/"


@pytest.fixture(autouse=True)
def erasure_log(settings: Any, tmp_path: Any) -> None:
    settings.ERASURE_LOG_PATH = tmp_path / "erasures.jsonl"


def test_a_customer_asks_once_at_a_time(cast: Cast) -> None:
    first = privacy_request_create(person=cast.customer, message="  Please forget me  ")

    with pytest.raises(PrivacyRequestPending) as refused:
        privacy_request_create(person=cast.customer)

    assert refused.value.details == {"request_id": first.pk}
    assert (first.kind, first.status, first.message) == ("erasure", "pending", "Please forget me")
    assert PrivacyRequest.objects.count() == 1
    entry = Activity.objects.get(verb="privacy_request.created")
    assert (entry.person_id, entry.visibility, entry.payload) == (
        cast.customer.pk,
        "customer",
        {"request": first.pk, "kind": "erasure"},
    )


def test_an_erased_person_cannot_ask(cast: Cast) -> None:
    person_erase(person=cast.friend, actor=cast.admin, reason="Asked")

    with pytest.raises(PersonErased):
        privacy_request_create(person=cast.friend)

    assert PrivacyRequest.objects.count() == 0


def test_carrying_out_erases_the_person_and_closes_the_request(cast: Cast) -> None:
    request = privacy_request_create(person=cast.customer, message="Forget me")

    done = privacy_request_carry_out(request=request, actor=cast.admin)

    assert (done.status, done.handled_by_id, done.message) == ("done", cast.admin.pk, "")
    customer = Person.objects.get(pk=cast.customer.pk)
    assert customer.erased_at is not None
    assert customer.erasures.get().reason == (
        f"Erasure requested by the person from the portal (request {request.pk})"
    )
    entry = Activity.objects.get(verb="privacy_request.done")
    assert entry.payload == {"request": request.pk, "erasure": customer.erasures.get().pk}


def test_a_request_is_handled_once(cast: Cast) -> None:
    request = privacy_request_create(person=cast.customer)
    privacy_request_refuse(request=request, actor=cast.admin, reason="An open order")

    with pytest.raises(PrivacyRequestClosed):
        privacy_request_carry_out(request=request, actor=cast.admin)

    assert Person.objects.get(pk=cast.customer.pk).erased_at is None


def test_a_refusal_gives_the_customer_its_reason(cast: Cast) -> None:
    request = privacy_request_create(person=cast.customer)

    refused = privacy_request_refuse(
        request=request, actor=cast.admin, reason="Your order of March is still open."
    )

    assert (refused.status, refused.handled_by_id) == ("refused", cast.admin.pk)
    entry = Activity.objects.get(verb="privacy_request.refused")
    assert (entry.visibility, entry.summary, entry.person_id) == (
        "customer",
        "Your order of March is still open.",
        cast.customer.pk,
    )


def test_the_list_shows_pending_requests_to_administrators(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    request = privacy_request_create(person=cast.customer, message="Forget me please")
    privacy_request_refuse(
        request=privacy_request_create(person=cast.friend), actor=cast.admin, reason="No"
    )
    client = signed_in_client(cast.admin)
    client.get("/")

    with django_assert_num_queries(5):
        response = client.get(LIST)

    assert response.status_code == 200
    assert [item.pk for item in response.context["pending"]] == [request.pk]
    html = response.content.decode()
    assert f'data-request-id="{request.pk}"' in html
    assert "Forget me please" in html
    assert f'action="/people/privacy-requests/{request.pk}/carry-out"' in html


def test_an_administrator_carries_out_a_request_from_the_list(cast: Cast) -> None:
    request = privacy_request_create(person=cast.customer)

    response = signed_in_client(cast.admin).post(f"{LIST}{request.pk}/carry-out")

    assert response.status_code == 302
    assert response["Location"] == LIST
    assert PrivacyRequest.objects.get(pk=request.pk).status == "done"
    assert Person.objects.get(pk=cast.customer.pk).erased_at is not None


def test_an_administrator_refuses_with_a_reason_only(cast: Cast) -> None:
    request = privacy_request_create(person=cast.customer)
    client = signed_in_client(cast.admin)

    empty = client.post(f"{LIST}{request.pk}/refuse", {"reason": "  "})
    assert PrivacyRequest.objects.get(pk=request.pk).status == "pending"
    refused = client.post(f"{LIST}{request.pk}/refuse", {"reason": "An order is open."})

    assert (empty.status_code, refused.status_code) == (302, 302)
    assert PrivacyRequest.objects.get(pk=request.pk).status == "refused"


def test_other_employees_can_neither_see_nor_handle_requests(cast: Cast) -> None:
    request = privacy_request_create(person=cast.customer)
    client = signed_in_client(cast.agent)

    assert client.get(LIST).status_code == 403
    assert client.post(f"{LIST}{request.pk}/carry-out").status_code == 404
    assert client.post(f"{LIST}{request.pk}/refuse", {"reason": "No"}).status_code == 404
    assert PrivacyRequest.objects.get(pk=request.pk).status == "pending"
    assert Person.objects.get(pk=cast.customer.pk).erased_at is None


def test_an_unknown_request_is_not_found(cast: Cast) -> None:
    assert signed_in_client(cast.admin).post(f"{LIST}999999/carry-out").status_code == 404
