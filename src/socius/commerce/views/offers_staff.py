"""Employees manage what is on sale: offers, their group prices, publish and archive, and
the gates where their tickets are scanned."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socius.accounts.roles import Capability
from socius.commerce.forms import OfferForm
from socius.commerce.models import GROUP_LIVE, GroupOrder, Offer
from socius.commerce.selectors import offer_get
from socius.commerce.services import offers as offer_services
from socius.commerce.services.gates import (
    NAME_MAX,
    gate_create,
    gate_delete,
    gate_get_for_offer,
    offer_gates,
)
from socius.core.errors import DomainError
from socius.core.forms import form_add_domain_error
from socius.core.http import AuthenticatedHttpRequest

StaffView = Callable[..., HttpResponse]


class GateForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("New gate"),
        max_length=NAME_MAX,
        widget=forms.TextInput({"placeholder": gettext_lazy("Main entrance")}),
    )


def commerce_staff(view: StaffView) -> StaffView:
    """Signed-in employees who manage group buying; anyone else is refused (403)."""

    @wraps(view)
    @login_required
    def wrapper(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.can(Capability.MANAGE_COMMERCE):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _offers_listed() -> QuerySet[Offer]:
    # One query for the list: group counts are annotated, not read per offer.
    return Offer.objects.annotate(
        live_groups=Count("groups", filter=Q(groups__state__in=GROUP_LIVE), distinct=True),
        all_groups=Count("groups", distinct=True),
    ).order_by("status", "-created_at")


def _refused(form: OfferForm, error: DomainError) -> None:
    # The service names its own field; the form types the price in euros.
    if error.details.get("field") == "base_price_cents":
        error.details["field"] = "base_price"
    form_add_domain_error(form, error)


@commerce_staff
@require_GET
def offer_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "commerce/offers/list.html", {"offers": list(_offers_listed())})


@commerce_staff
@require_http_methods(["GET", "POST"])
def offer_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = OfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            offer = offer_services.offer_create(actor=request.user, data=form.offer_data())
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The offer is saved as a draft."))
            return redirect("commerce:offer-detail", offer.pk)
    status = 422 if form.is_bound else 200
    return render(request, "commerce/offers/form.html", {"form": form}, status=status)


@commerce_staff
@require_http_methods(["GET", "POST"])
def offer_edit(request: AuthenticatedHttpRequest, offer_id: int) -> HttpResponse:
    offer = offer_get(offer_id)
    form = OfferForm(request.POST or None, initial=OfferForm.initial_from(offer))
    if request.method == "POST" and form.is_valid():
        try:
            offer_services.offer_update(actor=request.user, offer=offer, data=form.offer_data())
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The offer is updated."))
            return redirect("commerce:offer-detail", offer.pk)
    status = 422 if form.is_bound else 200
    context = {"form": form, "offer": offer}
    return render(request, "commerce/offers/form.html", context, status=status)


def _offer_page(
    request: AuthenticatedHttpRequest, offer: Offer, gate_form: GateForm, status: int = 200
) -> HttpResponse:
    groups = (
        GroupOrder.objects.filter(offer=offer)
        .select_related("organiser")
        .annotate(participant_count=Count("participants"))
        .order_by("-created_at")[:200]
    )
    context = {
        "offer": offer,
        "tiers": list(offer.tiers.all()),
        "groups": list(groups),
        "gates": list(offer_gates(offer)),
        "gate_form": gate_form,
    }
    return render(request, "commerce/offers/detail.html", context, status=status)


@commerce_staff
@require_GET
def offer_detail(request: AuthenticatedHttpRequest, offer_id: int) -> HttpResponse:
    return _offer_page(request, offer_get(offer_id), GateForm())


@commerce_staff
@require_POST
def gate_add(request: AuthenticatedHttpRequest, offer_id: int) -> HttpResponse:
    offer = offer_get(offer_id)
    form = GateForm(request.POST)
    if form.is_valid():
        try:
            gate = gate_create(actor=request.user, offer=offer, name=form.cleaned_data["name"])
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Gate %(name)s added.") % {"name": gate.name})
            return redirect("commerce:offer-detail", offer.pk)
    return _offer_page(request, offer, form, status=422)


@commerce_staff
@require_POST
def gate_remove(request: AuthenticatedHttpRequest, offer_id: int, gate_id: int) -> HttpResponse:
    offer = offer_get(offer_id)
    gate = gate_get_for_offer(offer=offer, gate_id=gate_id)
    try:
        gate_delete(actor=request.user, gate=gate)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Gate %(name)s removed.") % {"name": gate.name})
    return redirect("commerce:offer-detail", offer.pk)


def _offer_transition(
    request: AuthenticatedHttpRequest, offer_id: int, action: str
) -> HttpResponse:
    offer = offer_get(offer_id)
    change = offer_services.offer_publish if action == "publish" else offer_services.offer_archive
    try:
        change(actor=request.user, offer=offer)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        done = _("The offer is on sale.") if action == "publish" else _("The offer is archived.")
        messages.success(request, done)
    return redirect("commerce:offer-detail", offer.pk)


@commerce_staff
@require_POST
def offer_publish(request: AuthenticatedHttpRequest, offer_id: int) -> HttpResponse:
    return _offer_transition(request, offer_id, "publish")


@commerce_staff
@require_POST
def offer_archive(request: AuthenticatedHttpRequest, offer_id: int) -> HttpResponse:
    return _offer_transition(request, offer_id, "archive")
