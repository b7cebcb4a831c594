"""Vouching for an identifier: an employee checked it belongs to this person."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socius.core.errors import Conflict
from socius.core.services import ActivityDraft, ActivityObject, activity_append
from socius.core.verbs import register_verbs
from socius.people.models import Identifier

register_verbs({"identifier.verified": _("Identifier verified")})


class IdentifierShared(Conflict):
    code = "identifier_shared"
    default_message = _("A shared identifier belongs to several persons: it cannot be verified.")


@transaction.atomic
def identifier_verify(*, identifier: Identifier, actor_id: int) -> Identifier:
    """Record that an employee checked the identifier is this person's own (for instance
    a customer who called to open their customer space with an address added later)."""
    if identifier.is_shared:
        raise IdentifierShared(details={"identifier": identifier.pk})
    if identifier.verified_at is None:
        identifier.verified_at = timezone.now()
        identifier.save(update_fields=["verified_at"])
        activity_append(
            ActivityDraft(
                verb="identifier.verified",
                actor_id=actor_id,
                person_id=identifier.person_id,
                about=ActivityObject.of(identifier),
                summary=f"{identifier.kind}: {identifier.value}",
            )
        )
    return identifier
