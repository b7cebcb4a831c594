from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from socius.core.errors import DomainError
from socius.core.forms import form_add_domain_error
from socius.core.http import client_ip
from socius.people.selectors import person_identifiers
from socius.portal import services
from socius.portal.access import (
    PortalHttpRequest,
    portal_login_required,
    portal_person,
    portal_sign_in,
    portal_sign_out,
)
from socius.portal.forms import LinkRequestForm


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
    return render(request, "portal/requests.html", {"person": request.person})


@portal_login_required
def group_orders(request: PortalHttpRequest) -> HttpResponse:
    return render(request, "portal/group_orders.html", {"person": request.person})


@portal_login_required
def my_data(request: PortalHttpRequest) -> HttpResponse:
    context = {"person": request.person, "identifiers": person_identifiers(person=request.person)}
    return render(request, "portal/my_data.html", context)
