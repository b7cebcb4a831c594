from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from socius.core.errors import InvalidInput


class LinkInvalid(InvalidInput):
    code = "portal_link_invalid"
    default_message = _("This sign-in link is invalid, expired or already used. Ask for a new one.")
