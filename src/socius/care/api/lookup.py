"""Ids from the path and the body, resolved only through what checks the caller."""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import Department, User
from socius.accounts.selectors import department_get_by_slug, employee_list
from socius.care.models import Case
from socius.care.selectors import case_get
from socius.core.errors import DomainError, InvalidInput, NotFound
from socius.core.ids import parse_id

MAX_MERGE_HOPS = 20


class CaseMergedAway(DomainError):
    """The id names a case merged into another: callers are sent to the survivor, as the
    people API does for a merged person."""

    code = "case_merged"
    status_code = 301
    default_message = _("This case was merged into another one.")


def case_for(*, user: User, case_id: str) -> Case:
    """The case a path names; any id that is not one ("abc", "²", 30 digits) is not found."""
    parsed = parse_id(case_id)
    if parsed is None:
        raise NotFound()
    return case_get(user=user, case_id=parsed)


def merged_away(case: Case) -> JsonResponse:
    """301 naming the case that holds the conversation now, in the body and the Location."""
    survivor, hops = case, 0
    while survivor.merged_into_id is not None and hops < MAX_MERGE_HOPS:
        survivor, hops = survivor.merged_into, hops + 1  # type: ignore[assignment]
    error = CaseMergedAway(details={"survivor_id": survivor.pk})
    response = JsonResponse(error.as_dict(), status=error.status_code)
    response.headers["Location"] = reverse("api:care_cases_detail", args=[survivor.pk])
    return response


def colleague_for(*, user: User, user_id: int | None) -> User | None:
    """The colleague a body names (null: nobody); an unknown id is the field's error."""
    if user_id is None:
        return None
    colleague = employee_list(viewer=user).filter(pk=user_id).first()
    if colleague is None:
        raise InvalidInput(_("No colleague has this id."), details={"field": "assignee"})
    return colleague


def department_for(*, slug: str | None) -> Department | None:
    """The department a body names by slug (null: none); an unknown slug is the field's error."""
    if slug is None:
        return None
    try:
        return department_get_by_slug(slug=slug)
    except NotFound:
        raise InvalidInput(
            _("No department has this name."), details={"field": "department"}
        ) from None
