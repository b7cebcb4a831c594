from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from socius.core.errors import Forbidden, InvalidInput


class LinkInvalid(InvalidInput):
    code = "portal_link_invalid"
    default_message = _("This sign-in link is invalid, expired or already used. Ask for a new one.")


class IdentityShared(Forbidden):
    code = "portal_identity_shared"
    default_message = _(
        "Several people use this email address, so it cannot open a customer space on its "
        "own. Contact us and we will give you access."
    )


class IdentityUnverified(Forbidden):
    code = "portal_identity_unverified"
    default_message = _(
        "We cannot yet be sure this address is yours alone. Contact us and we will open "
        "your customer space."
    )
