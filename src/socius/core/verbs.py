"""Human labels for activity verbs; each context registers its own."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_LABELS: dict[str, str | Promise] = {}


def register_verbs(labels: dict[str, str | Promise]) -> None:
    _LABELS.update(labels)


def verb_label(verb: str) -> str:
    return str(_LABELS.get(verb, verb))


register_verbs(
    {
        "person.created": _("New person"),
        "person.identifiers_added": _("Identifiers added"),
        "person.resolution_conflict": _("Possible duplicate recorded"),
        "department.created": _("Department created"),
        "department.renamed": _("Department renamed"),
        "employee.created": _("Employee joined"),
        "employee.updated": _("Employee updated"),
        "api_token.created": _("API token created"),
        "api_token.revoked": _("API token revoked"),
        "portal.signed_in": _("Signed in to the customer portal"),
    }
)
