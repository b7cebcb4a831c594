"""Refusals of the charter, with stable codes that clients branch on."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from socius.core.errors import Conflict, Forbidden


class CharterTextChanged(Conflict):
    code = "charter_text_changed"
    default_message = _(
        "The charter changed since this page was opened. "
        "Read the current text and acknowledge it again."
    )


class CharterNotPublishable(Conflict):
    code = "charter_not_publishable"
    default_message = _("Only a draft can be published.")


class CharterNotAcknowledged(Forbidden):
    code = "charter_not_acknowledged"
    default_message = _(
        "Read and acknowledge the social-media charter before posting in public spaces."
    )
