"""The portal's part in an erasure: sign-in links name the person's email and address."""

from __future__ import annotations

from socius.people.exporters import register_person_eraser
from socius.people.models import IdentifierKind, Person
from socius.portal.models import PortalLoginLink


def portal_links_erase(person: Person) -> int:
    """Delete the sign-in links sent to the person's emails (with the requesting address).

    Runs before the erasure deletes the identifiers, so the emails are still known.
    """
    emails = person.identifiers.filter(kind=IdentifierKind.EMAIL).values("value")
    deleted, _ = PortalLoginLink.objects.filter(email__in=emails).delete()
    return deleted


register_person_eraser("portal_links", portal_links_erase)
