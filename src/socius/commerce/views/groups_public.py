"""The customer's pages: an offer to open a group, the group behind a share link, and each
participant's own page. No sign-in: the unguessable tokens are the authority; a customer
signed in to the portal is recognised and their details prefilled."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socius.commerce.forms import GroupJoinForm, GroupOpenForm, new_idempotency_key
from socius.commerce.models import (
    GROUP_JOINABLE,
    HOLDING_SEATS,
    GroupOrder,
    GroupState,
    Offer,
    OfferStatus,
    Participant,
    ParticipantState,
    Payment,
    PaymentMode,
    PaymentState,
)
from socius.commerce.selectors import (
    group_get_by_token,
    group_progress,
    offer_on_sale,
    offers_on_sale,
    participant_get_by_access,
)
from socius.commerce.services import lifecycle
from socius.commerce.services.groups import Party, group_join, group_open
from socius.commerce.templatetags.commerce_money import euros
from socius.core.errors import DomainError, RateLimited
from socius.core.forms import form_add_domain_error
from socius.core.http import client_ip
from socius.people.models import Person
from socius.people.services.types import IdentifierIn, Profile
from socius.portal.access import portal_person

OG_IMAGE = "commerce/og-group.png"


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    response = render(request, template, context, status=status)
    # Links carry tokens: previews are welcome, search engines are not.
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def ensure_may_join(request: HttpRequest) -> None:
    limit = settings.COMMERCE_JOINS_PER_MINUTE
    now = timezone.now().timestamp()
    key = f"commerce:join:{client_ip(request) or 'unknown'}:{int(now // 60)}"
    cache.add(key, 0, timeout=120)
    if cache.incr(key) > limit:
        raise RateLimited(retry_after=60 - int(now) % 60 or 1)


def _prefill(person: Person | None) -> dict[str, Any]:
    if person is None:
        return {}
    email = person.identifiers.filter(kind="email").order_by("pk").values_list("value", flat=True)
    return {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "email": email.first() or "",
    }


def _party(form: GroupOpenForm | GroupJoinForm, person: Person | None) -> Any:
    data = form.cleaned_data
    identifiers = [IdentifierIn("email", data["email"])]
    if data.get("phone"):
        identifiers.append(IdentifierIn("phone", data["phone"]))
    profile = Profile(given_name=data["given_name"], family_name=data.get("family_name", ""))
    return Party(identifiers=identifiers, profile=profile, person=person)


def _refreshed(form: GroupOpenForm | GroupJoinForm) -> None:
    """After a refusal the next send is a new attempt (fewer seats, say): a new key, and
    everything typed kept."""
    data = cast(QueryDict, form.data).copy()  # the view's request.POST
    data["idempotency_key"] = new_idempotency_key()
    form.data = data


# --- the offers on sale and one offer's page ---------------------------------------------


def _offer_published(slug: str) -> Offer:
    # Published offers are public: the slug needs no further check.
    offer = Offer.objects.filter(slug=slug, status=OfferStatus.PUBLISHED).first()
    if offer is None:
        raise Http404
    return offer


@require_GET
def offer_index(request: HttpRequest) -> HttpResponse:
    offers = list(offers_on_sale())
    return _page(request, "commerce/groups/offer_index.html", {"offers": offers})


@require_http_methods(["GET", "POST"])
def offer_page(request: HttpRequest, slug: str) -> HttpResponse:
    offer = _offer_published(slug)
    person = portal_person(request)
    initial = {**_prefill(person), "idempotency_key": new_idempotency_key()}
    form = GroupOpenForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                return _open(request, offer, form, person)
            except DomainError as error:
                form_add_domain_error(form, error)
                _refreshed(form)
                status = error.status_code
    context = {
        "offer": offer,
        "tiers": list(offer.tiers.all()),
        "form": form,
        "person": person,
        "on_sale": offer_on_sale(offer),
    }
    return _page(request, "commerce/groups/offer.html", context, status=status)


def _open(
    request: HttpRequest, offer: Offer, form: GroupOpenForm, person: Person | None
) -> HttpResponse:
    ensure_may_join(request)
    outcome = group_open(
        offer=offer,
        organiser=_party(form, person),
        seats=form.cleaned_data["seats"],
        title=form.cleaned_data["title"],
        idempotency_key=form.cleaned_data["idempotency_key"],
    )
    return _to_payment(outcome)


def _to_payment(outcome: Any) -> HttpResponse:
    payment = outcome.payment
    if payment is not None and payment.checkout_url and payment.state == PaymentState.PENDING:
        return redirect(payment.checkout_url)
    return redirect("groups:participant", outcome.participant.access_token)


# --- the group behind its share link ------------------------------------------------------


def _og(request: HttpRequest, group: GroupOrder, progress: dict[str, Any]) -> dict[str, str]:
    path = reverse("groups:detail", args=[group.share_token])
    price = euros(progress.get("unit_price_cents") or group.base_price_cents)
    needed = progress.get("seats_needed_to_tip", 0)
    title = group.offer.title if not group.title else f"{group.title} · {group.offer.title}"
    if needed:
        description = _("%(price)s a seat. %(needed)s more seats needed: join us!") % {
            "price": price,
            "needed": needed,
        }
    else:
        description = _("%(price)s a seat. The group is on: join us!") % {"price": price}
    return {
        "title": title,
        "description": description,
        "url": settings.SITE_URL + path,
        "image": settings.SITE_URL + static(OG_IMAGE),
    }


def _first_names(group: GroupOrder) -> list[dict[str, Any]]:
    # Only first names leave the company: the share link can travel anywhere.
    rows = (
        Participant.objects.filter(group=group, state__in=HOLDING_SEATS)
        .order_by("joined_at", "pk")
        .values("person__given_name", "seats", "state", "is_organiser")
    )
    return [
        {
            "name": row["person__given_name"] or "…",
            "seats": row["seats"],
            "secured": row["state"] != ParticipantState.RESERVED,
            "is_organiser": row["is_organiser"],
        }
        for row in rows
    ]


def _group_context(request: HttpRequest, group: GroupOrder, form: GroupJoinForm) -> Any:
    progress = group_progress(group)
    return {
        "group": group,
        "offer": group.offer,
        "progress": progress,
        "participants": _first_names(group),
        "form": form,
        "joinable": progress.get("joinable", group.state in GROUP_JOINABLE),
        "og": _og(request, group, progress),
    }


@require_http_methods(["GET", "POST"])
def group_page(request: HttpRequest, share_token: str) -> HttpResponse:
    group = group_get_by_token(share_token)
    person = portal_person(request)
    initial = {**_prefill(person), "idempotency_key": new_idempotency_key()}
    form = GroupJoinForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                return _join(request, group, share_token, form, person)
            except DomainError as error:
                form_add_domain_error(form, error)
                _refreshed(form)
                status = error.status_code
                group.refresh_from_db()
    context = _group_context(request, group, form)
    return _page(request, "commerce/groups/group.html", context, status=status)


def _join(
    request: HttpRequest,
    group: GroupOrder,
    share_token: str,
    form: GroupJoinForm,
    person: Person | None,
) -> HttpResponse:
    ensure_may_join(request)
    outcome = group_join(
        group=group,
        share_token=share_token,
        party=_party(form, person),
        seats=form.cleaned_data["seats"],
        idempotency_key=form.cleaned_data["idempotency_key"],
    )
    return _to_payment(outcome)


# --- a participant's own page -------------------------------------------------------------


def _participant_context(participant: Participant) -> dict[str, Any]:
    group = participant.group
    payment = Payment.objects.filter(participant=participant).order_by("-created_at").first()
    pending = payment is not None and payment.state == PaymentState.PENDING
    return {
        "participant": participant,
        "group": group,
        "offer": group.offer,
        "payment": payment,
        # The provider's answer arrives by webhook: the page asks again until it has.
        "awaiting_payment": pending and participant.state == ParticipantState.RESERVED,
        "progress": group_progress(group),
        "may_withdraw": _may_withdraw(participant),
        "may_close": participant.is_organiser and group.state == GroupState.TIPPED,
        "tickets_count": participant.tickets.exclude(state="revoked").count(),
        "share_url": settings.SITE_URL + reverse("groups:detail", args=[group.share_token]),
    }


def _may_withdraw(participant: Participant) -> bool:
    holding = participant.state in (ParticipantState.RESERVED, ParticipantState.AUTHORIZED)
    return holding and participant.group.state == GroupState.OPEN


@require_GET
def participant_page(request: HttpRequest, access_token: str) -> HttpResponse:
    participant = participant_get_by_access(access_token)
    context = _participant_context(participant)
    if request.headers.get("HX-Request") and request.GET.get("part") == "status":
        return _page(request, "commerce/groups/participant.html#status", context)
    return _page(request, "commerce/groups/participant.html", context)


@require_POST
def participant_withdraw(request: HttpRequest, access_token: str) -> HttpResponse:
    participant = participant_get_by_access(access_token)
    try:
        lifecycle.participant_withdraw(participant=participant)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if participant.group.payment_mode == PaymentMode.PAY_NOW:
            messages.success(request, _("You have left the group; your payment is refunded."))
        else:
            messages.success(request, _("You have left the group; nothing will be charged."))
    return redirect("groups:participant", access_token)


@require_POST
def group_close_early(request: HttpRequest, access_token: str) -> HttpResponse:
    """The organiser of a group that tipped need not wait for the deadline."""
    participant = participant_get_by_access(access_token)
    if not participant.is_organiser:
        raise Http404
    try:
        lifecycle.group_close(group=participant.group, actor_person=participant.person)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The group is closed: everyone is charged and gets tickets."))
    return redirect("groups:participant", access_token)
