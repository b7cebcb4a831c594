"""Helpers shared by customer care's tests."""

from __future__ import annotations

from itertools import count

from socius.care.models import Case, Channel
from socius.care.services.intake import Inbound, Receipt, message_receive
from socius.people.models import Person
from socius.people.services.types import IdentifierIn, Profile

_numbers = count(1)


def inbound_api(
    email: str = "claire.dupont@example.org",
    body: str = "Bonjour, ma commande n'est pas arrivée.",
    *,
    subject: str = "Commande",
    external_id: str | None = None,
    **extra: object,
) -> Receipt:
    return message_receive(
        Inbound(
            channel=Channel.API,
            identifiers=(IdentifierIn("email", email),),
            profile=Profile(given_name="Claire", family_name="Dupont"),
            subject=subject,
            body=body,
            external_id=external_id if external_id is not None else f"api-{next(_numbers)}",
            **extra,  # type: ignore[arg-type]
        )
    )


def portal_request(person: Person, body: str = "Une question", subject: str = "Question") -> Case:
    return message_receive(
        Inbound(channel=Channel.PORTAL, person=person, subject=subject, body=body, new_case=True)
    ).case
