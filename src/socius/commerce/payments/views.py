"""The sandbox's checkout page: where a customer "pays" a sandbox payment with a test card.

It stands in for a provider's hosted payment page (Stripe Checkout): reached from a
Payment's ``checkout_url``, it sends the customer back to the ``return_url`` Socius gave,
with ``payment=authorized|captured|declined|canceled`` added. What Socius learns about the
payment still comes only from the sandbox's signed webhook, as with a real provider.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from socius.commerce.models import SandboxIntent
from socius.commerce.payments.sandbox import (
    sandbox_cancel,
    sandbox_intent_get,
    sandbox_pay,
    sandbox_payable,
)

TEST_CARD_HINTS = (
    ("4242 4242 4242 4242", _("succeeds")),
    ("4000 0000 0000 0002", _("declined")),
    ("4000 0000 0000 9995", _("declined: insufficient funds")),
    ("4000 0000 0000 0341", _("authorised, but the capture is declined")),
)


class SandboxPayForm(forms.Form):
    card_number = forms.CharField(label=_("Test card number"), max_length=23)


@require_http_methods(["GET", "POST"])
def sandbox_checkout(request: HttpRequest, ref: str) -> HttpResponse:
    intent = sandbox_intent_get(ref)
    if intent is None:
        raise Http404
    form = SandboxPayForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and "cancel" in request.POST:
        return _back(intent, sandbox_cancel(ref=ref))
    if request.method == "POST" and form.is_valid():
        return _back(intent, sandbox_pay(ref=ref, card_number=form.cleaned_data["card_number"]))
    context = {
        "intent": intent,
        "amount": Decimal(intent.amount_cents) / 100,
        "payable": sandbox_payable(intent),
        "form": form,
        "test_cards": TEST_CARD_HINTS,
    }
    return render(
        request, "commerce/sandbox/checkout.html", context, status=400 if form.errors else 200
    )


def _back(intent: SandboxIntent, outcome: str) -> HttpResponse:
    if not intent.return_url:
        return HttpResponseRedirect(reverse("payments:sandbox-checkout", args=[intent.ref]))
    separator = "&" if "?" in intent.return_url else "?"
    return HttpResponseRedirect(intent.return_url + separator + urlencode({"payment": outcome}))
