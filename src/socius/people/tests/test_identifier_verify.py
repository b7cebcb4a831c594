from __future__ import annotations

from socius.conftest import Cast, signed_in_client
from socius.core.models import Activity
from socius.people.models import Identifier
from socius.people.services import IdentifierIn, person_resolve


def attached_email(cast: Cast) -> Identifier:
    # An address attached to the customer by a later interaction: claimed, not proven.
    person_resolve(
        identifiers=[
            IdentifierIn("phone", "06 12 34 56 78"),
            IdentifierIn("email", "c.d@example.net"),
        ]
    )
    return Identifier.objects.get(value="c.d@example.net", person=cast.customer)


def test_an_agent_verifies_an_identifier_a_customer_proved_to_them(cast: Cast) -> None:
    identifier = attached_email(cast)
    assert identifier.verified_at is None

    response = signed_in_client(cast.agent).post(
        f"/people/{cast.customer.pk}/identifiers/{identifier.pk}/verify"
    )

    assert response.status_code == 302
    identifier.refresh_from_db()
    assert identifier.verified_at is not None
    activity = Activity.objects.get(verb="identifier.verified")
    assert (activity.actor_id, activity.person_id) == (cast.agent.pk, cast.customer.pk)


def test_an_employee_who_may_not_edit_people_cannot_verify(cast: Cast) -> None:
    identifier = attached_email(cast)

    response = signed_in_client(cast.colleague).post(
        f"/people/{cast.customer.pk}/identifiers/{identifier.pk}/verify"
    )

    assert response.status_code == 403
    identifier.refresh_from_db()
    assert identifier.verified_at is None


def test_an_identifier_of_another_person_gives_404(cast: Cast) -> None:
    identifier = attached_email(cast)

    response = signed_in_client(cast.agent).post(
        f"/people/{cast.friend.pk}/identifiers/{identifier.pk}/verify"
    )

    assert response.status_code == 404
    identifier.refresh_from_db()
    assert identifier.verified_at is None


def test_a_shared_identifier_cannot_be_verified(cast: Cast) -> None:
    identifier = attached_email(cast)
    Identifier.objects.filter(pk=identifier.pk).update(is_shared=True)

    signed_in_client(cast.agent).post(
        f"/people/{cast.customer.pk}/identifiers/{identifier.pk}/verify"
    )

    identifier.refresh_from_db()
    assert identifier.verified_at is None
    assert Activity.objects.filter(verb="identifier.verified").count() == 0
