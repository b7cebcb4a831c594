"""Who is signed in to the portal: a Person, kept in the session (customers are not users)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect

from socius.people.models import Person

SESSION_KEY = "portal_person_id"


class PortalHttpRequest(HttpRequest):
    person: Person


def portal_person(request: HttpRequest) -> Person | None:
    person_id = request.session.get(SESSION_KEY)
    if person_id is None:
        return None
    person = Person.objects.filter(pk=person_id).first()
    hops = 0
    # The session keeps the person who signed in; a merge is followed on each request, never
    # written back, so undoing a wrong merge gives each human their own record again.
    while person is not None and person.merged_into_id is not None and hops < 10:
        person, hops = person.merged_into, hops + 1
    if person is None or not person.is_live:
        # Merged away or erased since sign-in: a stale session must not show anything.
        request.session.pop(SESSION_KEY, None)
        return None
    return person


def portal_sign_in(request: HttpRequest, person: Person) -> None:
    request.session.cycle_key()  # a new session id at sign-in defeats session fixation
    request.session[SESSION_KEY] = person.pk


def portal_sign_out(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()


def portal_login_required(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        person = portal_person(request)
        if person is None:
            return redirect("portal:sign-in")
        request.person = person  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper
