"""Where and in which language we write to a customer about their request."""

from __future__ import annotations

from django.conf import settings
from django.db.models import F
from django.utils import translation

from socius.care.models import Case, Channel, Message
from socius.people.models import IdentifierKind, Person
from socius.people.selectors import person_identifiers


def customer_email_address(case: Case) -> str | None:
    """Where the customer last wrote to us from by email, else an email we know them by
    (verified first); ``None`` when we know none, or the person was erased."""
    last = (
        Message.objects.filter(
            case=case, direction=Message.Direction.INBOUND, channel=Channel.EMAIL
        )
        .exclude(address="")
        .order_by("-created_at", "-id")
        .values_list("address", flat=True)
        .first()
    )
    if last:
        return last
    person = case.person
    if not person.is_live:
        return None
    return (
        person_identifiers(person=person)
        .filter(kind=IdentifierKind.EMAIL)
        .order_by(F("verified_at").desc(nulls_last=True), F("last_seen_at").desc(nulls_last=True))
        .values_list("value", flat=True)
        .first()
    )


def customer_language(person: Person) -> str:
    try:
        return translation.get_supported_language_variant(person.locale.replace("_", "-"))
    except LookupError:
        return settings.LANGUAGE_CODE
