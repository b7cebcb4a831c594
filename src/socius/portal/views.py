from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socius.care.selectors import customer_cases
from socius.commerce.models import TicketState
from socius.commerce.selectors import person_group_orders
from socius.core.errors import DomainError
from socius.core.forms import form_add_domain_error
from socius.core.http import client_ip
from socius.people.errors import PrivacyRequestPending
from socius.people.models import ConsentPurpose, ConsentState, Person, PrivacyRequest
from socius.people.selectors import person_identifiers
from socius.people.selectors.privacy import (
    person_customer_timeline,
    privacy_request_pending_for,
)
from socius.people.services.consent import consent_states
from socius.people.services.privacy import person_export, privacy_request_create
from socius.people.views.privacy import export_download
from socius.portal import services
from socius.portal.access import (
    PortalHttpRequest,
    portal_login_required,
    portal_person,
    portal_sign_in,
    portal_sign_out,
)
from socius.portal.forms import LinkRequestForm
from socius.portal.forms_privacy import ErasureRequestForm


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if portal_person(request) is not None:
        return redirect("portal:requests")
    form = LinkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.portal_link_request(
                email=form.cleaned_data["email"], address=client_ip(request)
            )
        except DomainError as error:
            form_add_domain_error(form, error)
            return render(request, "portal/sign_in.html", {"form": form}, status=error.status_code)
        context = {
            "email": form.cleaned_data["email"],
            "minutes": settings.PORTAL_LINK_MAX_AGE_SECONDS // 60,
        }
        return render(request, "portal/link_sent.html", context)
    return render(request, "portal/sign_in.html", {"form": form})


@require_http_methods(["GET", "POST"])
def sign_in_link(request: HttpRequest, secret: str) -> HttpResponse:
    # GET only shows a button: mail scanners follow links, and must not spend them.
    if request.method == "GET":
        services.portal_link_check(secret=secret)
        return render(request, "portal/link_confirm.html")
    person = services.portal_link_consume(secret=secret)
    portal_sign_in(request, person)
    return redirect("portal:requests")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    portal_sign_out(request)
    return redirect("portal:sign-in")


@portal_login_required
def requests(request: PortalHttpRequest) -> HttpResponse:
    cases = customer_cases(person=request.person)
    return render(request, "portal/requests.html", {"person": request.person, "cases": cases})


@portal_login_required
def group_orders(request: PortalHttpRequest) -> HttpResponse:
    orders = person_group_orders(request.person).annotate(
        live_tickets=Count("tickets", filter=~Q(tickets__state=TicketState.REVOKED))
    )
    context = {"person": request.person, "orders": list(orders)}
    return render(request, "portal/group_orders.html", context)


def _consents(person: Person) -> list[dict[str, str]]:
    return [
        {"purpose": str(ConsentPurpose(purpose).label), "state": state,
         "state_label": str(ConsentState(state).label)}
        for purpose, state in sorted(consent_states(person=person).items())
    ]  # fmt: skip


@portal_login_required
def my_data(request: PortalHttpRequest) -> HttpResponse:
    """What the company holds about the customer; never anything internal (see the test)."""
    person = request.person
    context = {
        "person": person,
        "identifiers": person_identifiers(person=person),
        "consents": _consents(person),
        "timeline": person_customer_timeline(person=person),
        "pending": privacy_request_pending_for(person=person, kind=PrivacyRequest.Kind.ERASURE),
        "form": ErasureRequestForm(),
    }
    return render(request, "portal/my_data.html", context)


@require_GET
@portal_login_required
def my_data_export(request: PortalHttpRequest) -> HttpResponse:
    data = person_export(person=request.person, audience="customer", channel="web")
    return export_download(data, request.person.pk)


@require_POST
@portal_login_required
def my_data_erase(request: PortalHttpRequest) -> HttpResponse:
    form = ErasureRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Your message is too long (2,000 characters at most)."))
        return redirect("portal:my-data")
    try:
        privacy_request_create(person=request.person, message=form.cleaned_data["message"])
    except PrivacyRequestPending:
        messages.info(request, _("Your erasure request is already with us."))
    else:
        messages.success(
            request,
            _("We have your request. We will erase your data within one month and tell you."),
        )
    return redirect("portal:my-data")
