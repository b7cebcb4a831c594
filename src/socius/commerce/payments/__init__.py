"""Payment providers of group buying: the built-in sandbox and Stripe, behind one interface
(``base.PaymentProvider``). The rest of Socius asks ``get_provider()`` and never imports a
provider module itself."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from socius.commerce.payments.base import PaymentProvider

PROVIDER_NAMES = ("sandbox", "stripe")


def get_provider(name: str | None = None) -> PaymentProvider:
    """The provider called ``name`` (a Payment's ``provider``), by default the configured one
    (``COMMERCE_PAYMENT_PROVIDER``). A payment is always finished with the provider that
    started it, even after the setting changed."""
    name = name or settings.COMMERCE_PAYMENT_PROVIDER
    if name == "sandbox":
        from socius.commerce.payments.sandbox import SandboxProvider

        return SandboxProvider()
    if name == "stripe":
        from socius.commerce.payments.stripe_provider import StripeProvider

        return StripeProvider()
    raise ImproperlyConfigured(f"Unknown payment provider {name!r}.")
