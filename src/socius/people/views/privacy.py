"""Pages of the data-subject rights: export, erasure, rectification, requests, retention."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socius.accounts.roles import Capability
from socius.core.errors import DomainError
from socius.core.forms import form_add_domain_error
from socius.core.http import AuthenticatedHttpRequest
from socius.people.errors import PersonMergedAway
from socius.people.forms_privacy import ErasureForm, RectificationForm, RefusalForm
from socius.people.models import (
    ConsentPurpose,
    ConsentState,
    IdentifierKind,
    Person,
    PrivacyRequest,
    RelationKind,
)
from socius.people.selectors.person import person_get_for_employee
from socius.people.selectors.privacy import (
    erasure_preview,
    privacy_request_get_for_employee,
    privacy_requests_for_employee,
    retention_candidates,
    retention_period,
    retention_upcoming,
)
from socius.people.services.privacy import (
    person_erase,
    person_export,
    person_rectify,
    privacy_request_carry_out,
    privacy_request_refuse,
)

RETENTION_LIST_LIMIT = 100
RETENTION_LOOKAHEAD = timedelta(days=30)

PersonView = Callable[..., HttpResponse]


def _person_page(capability: Capability) -> Callable[[PersonView], PersonView]:
    """Fetch the person with authority and check the capability the page needs.

    A merged-away id follows the merge to the same page of the survivor.
    """

    def decorator(view: PersonView) -> PersonView:
        @wraps(view)
        @login_required
        def wrapper(request: AuthenticatedHttpRequest, person_id: int) -> HttpResponse:
            if not request.user.can(capability):
                raise PermissionDenied
            try:
                person = person_get_for_employee(user=request.user, person_id=person_id)
            except PersonMergedAway as moved:
                return redirect(request.resolver_match.view_name, moved.survivor_id)  # type: ignore[union-attr]
            return view(request, person)

        return wrapper

    return decorator


def _require(request: AuthenticatedHttpRequest, capability: Capability) -> None:
    if not request.user.can(capability):
        raise PermissionDenied


@require_GET
@_person_page(Capability.ADMINISTER_PEOPLE)
def person_export_page(request: AuthenticatedHttpRequest, person: Person) -> HttpResponse:
    data = person_export(person=person, audience="controller", actor_id=request.user.pk)
    readable = _readable(data)
    context = {
        "person": person,
        "export": readable,
        # Pairs, not dicts: a payload key such as "items" would shadow dict methods.
        "timeline": [(entry, _pretty(entry["payload"])) for entry in readable["timeline"]],
        "contexts": sorted(data["contexts"].items()),
    }
    return render(request, "people/export.html", context)


def _pretty(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


_LABELS: dict[str, tuple[type[models.TextChoices], ...]] = {
    "kind": (IdentifierKind, RelationKind, PrivacyRequest.Kind),
    "purpose": (ConsentPurpose,),
    "state": (ConsentState,),
}


def _readable(value: Any, key: str = "") -> Any:
    """The export for people: times as datetimes (formatted by the template), with labels.

    Payloads stay as they are: they are shown as the JSON they are.
    """
    if isinstance(value, dict) and key != "payload":
        readable = {name: _readable(item, name) for name, item in value.items()}
        for name, choices in _LABELS.items():
            found = [c for c in choices if isinstance(value.get(name), str) and value[name] in c]
            if found:
                readable[f"{name}_label"] = found[0](value[name]).label
        return readable
    if isinstance(value, list) and key != "payload":
        return [_readable(item) for item in value]
    if key.endswith("_at") and isinstance(value, str):
        return parse_datetime(value) or value
    return value


def export_download(data: dict[str, Any], person_id: int) -> HttpResponse:
    """The export as a JSON file to save (shared with the portal's download)."""
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="socius-person-{person_id}.json"'
    response["Cache-Control"] = "no-store"  # personal data: never kept by a shared cache
    return response


@require_GET
@_person_page(Capability.ADMINISTER_PEOPLE)
def person_export_json(request: AuthenticatedHttpRequest, person: Person) -> HttpResponse:
    data = person_export(person=person, audience="controller", actor_id=request.user.pk)
    return export_download(data, person.pk)


@require_http_methods(["GET", "POST"])
@_person_page(Capability.ADMINISTER_PEOPLE)
def person_erase_page(request: AuthenticatedHttpRequest, person: Person) -> HttpResponse:
    form = ErasureForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            person_erase(person=person, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Person #%(id)s is erased.") % {"id": person.pk})
            return redirect("people:privacy-request-list")
    context = {"person": person, "form": form, "preview": erasure_preview(person=person)}
    return render(request, "people/erase.html", context, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@_person_page(Capability.EDIT_PEOPLE)
def person_rectify_page(request: AuthenticatedHttpRequest, person: Person) -> HttpResponse:
    form = RectificationForm.for_person(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            person_rectify(person=person, actor=request.user, changes=changes)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The profile is corrected."))
            return redirect("people:person-detail", person.pk)
    context = {"person": person, "form": form}
    return render(request, "people/rectify.html", context, status=422 if form.errors else 200)


@require_GET
@login_required
def privacy_request_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, Capability.ADMINISTER_PEOPLE)
    pending = privacy_requests_for_employee(user=request.user)
    handled = {
        status: privacy_requests_for_employee(user=request.user, status=status, limit=20)
        for status in (PrivacyRequest.Status.DONE, PrivacyRequest.Status.REFUSED)
    }
    context = {"pending": pending, "handled": handled, "refusal_form": RefusalForm()}
    return render(request, "people/privacy_requests.html", context)


@require_POST
@login_required
def privacy_request_carry_out_view(
    request: AuthenticatedHttpRequest, request_id: int
) -> HttpResponse:
    privacy_request = privacy_request_get_for_employee(user=request.user, request_id=request_id)
    privacy_request_carry_out(request=privacy_request, actor=request.user)
    messages.success(request, _("Done: the person's data is erased."))
    return redirect("people:privacy-request-list")


@require_POST
@login_required
def privacy_request_refuse_view(request: AuthenticatedHttpRequest, request_id: int) -> HttpResponse:
    privacy_request = privacy_request_get_for_employee(user=request.user, request_id=request_id)
    form = RefusalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the person a reason for the refusal."))
        return redirect("people:privacy-request-list")
    privacy_request_refuse(
        request=privacy_request, actor=request.user, reason=form.cleaned_data["reason"]
    )
    messages.success(request, _("The request is refused; the person sees your reason."))
    return redirect("people:privacy-request-list")


@require_GET
@login_required
def retention_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, Capability.ADMINISTER_PEOPLE)
    now = timezone.now()
    due = retention_candidates(now=now)
    upcoming = retention_upcoming(now=now, horizon=RETENTION_LOOKAHEAD)
    context = {
        "period": retention_period(),
        "due": list(due[:RETENTION_LIST_LIMIT]),
        "due_count": due.count(),
        "upcoming": list(upcoming[:RETENTION_LIST_LIMIT]),
        "upcoming_count": upcoming.count(),
        "lookahead_days": RETENTION_LOOKAHEAD.days,
    }
    return render(request, "people/retention.html", context)


urlpatterns: list[URLPattern] = [
    path("privacy-requests/", privacy_request_list, name="privacy-request-list"),
    path(
        "privacy-requests/<int:request_id>/carry-out",
        privacy_request_carry_out_view,
        name="privacy-request-carry-out",
    ),
    path(
        "privacy-requests/<int:request_id>/refuse",
        privacy_request_refuse_view,
        name="privacy-request-refuse",
    ),
    path("retention/", retention_page, name="retention"),
    path("<int:person_id>/export", person_export_page, name="person-export"),
    path("<int:person_id>/export.json", person_export_json, name="person-export-json"),
    path("<int:person_id>/erase", person_erase_page, name="person-erase"),
    path("<int:person_id>/rectify", person_rectify_page, name="person-rectify"),
]
