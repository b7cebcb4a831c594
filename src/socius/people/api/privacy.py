"""Data-subject rights API: export and erasure of a person (scope people:admin)."""

from __future__ import annotations

from typing import Any

from ninja import Router

from socius.accounts.api_auth import TokenAuth, api_user
from socius.accounts.models import User
from socius.accounts.roles import Capability
from socius.core.errors import NotFound
from socius.people.models import Person
from socius.people.schemas_privacy import ErasureIn, ErasureOut
from socius.people.selectors.person import person_get_for_employee
from socius.people.services.privacy import person_erase, person_export

router = Router()
ADMIN = TokenAuth("people:admin")


def _person_for_administrator(request: Any, person_id: int) -> tuple[User, Person]:
    user: User = api_user(request)
    if not user.can(Capability.ADMINISTER_PEOPLE):  # the scope already needs it; belt and braces
        raise NotFound()
    return user, person_get_for_employee(user=user, person_id=person_id)


@router.get("/{person_id}/export", response=dict[str, Any], auth=ADMIN)
def person_export_endpoint(request: Any, person_id: int) -> dict[str, Any]:
    """Everything held about the person (the controller's export), as JSON; audited."""
    user, person = _person_for_administrator(request, person_id)
    return person_export(person=person, audience="controller", actor_id=user.pk, channel="api")


@router.post("/{person_id}/erase", response=ErasureOut, auth=ADMIN)
def person_erase_endpoint(request: Any, person_id: int, data: ErasureIn) -> dict[str, Any]:
    """Erase the person's data everywhere (GDPR art. 17); 409 when already erased."""
    user, person = _person_for_administrator(request, person_id)
    erasure = person_erase(person=person, actor=user, reason=data.reason)
    return {"person_id": person.pk, "erased_at": erasure.erased_at}
