"""What every group-buying service shares: the departments activities are filed under, the
verbs, the activity helper, and the provider lookup."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import Department
from socius.core.models import Visibility
from socius.core.services import ActivityDraft, ActivityObject, activity_append
from socius.core.verbs import register_verbs

# The demo company names its departments in French; an English install may say "sales".
SALES_SLUGS = ("ventes", "sales")
OPERATIONS_SLUGS = ("exploitation", "operations")

register_verbs(
    {
        "commerce.offer_created": _("Offer created"),
        "commerce.offer_updated": _("Offer updated"),
        "commerce.offer_published": _("Offer put on sale"),
        "commerce.offer_archived": _("Offer archived"),
        "commerce.group_opened": _("Group order opened"),
        "commerce.group_joined": _("Joined a group order"),
        "commerce.group_tipped": _("Group order tipped"),
        "commerce.group_full": _("Group order full"),
        "commerce.group_settling": _("Group order closing"),
        "commerce.group_completed": _("Group order completed"),
        "commerce.group_failed": _("Group order failed"),
        "commerce.group_cancelled": _("Group order cancelled"),
        "commerce.group_reminded": _("Group order reminder sent"),
        "commerce.participant_withdrew": _("Left a group order"),
        "commerce.reservation_expired": _("Seat reservation expired"),
        "commerce.payment_started": _("Payment started"),
        "commerce.payment_authorized": _("Payment authorised"),
        "commerce.payment_captured": _("Payment charged"),
        "commerce.payment_failed": _("Payment failed"),
        "commerce.payment_voided": _("Payment voided"),
        "commerce.payment_refunded": _("Payment refunded"),
        "commerce.payment_flagged": _("Late payment returned"),
    }
)


def department_id(slugs: tuple[str, ...]) -> int | None:
    """The first department that exists among ``slugs``; None in a company without one."""
    found = dict(Department.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    return next((found[slug] for slug in slugs if slug in found), None)


def record(
    verb: str,
    about: Model,
    *,
    department: int | None,
    person_id: int | None = None,
    actor_id: int | None = None,
    summary: str = "",
    payload: dict[str, Any] | None = None,
    customer_visible: bool = True,
) -> None:
    """One step of an offer or group on the timeline; runs inside the step's transaction."""
    activity_append(
        ActivityDraft(
            verb=verb,
            actor_id=actor_id,
            person_id=person_id,
            department_id=department,
            about=ActivityObject.of(about),
            channel="web",
            visibility=Visibility.CUSTOMER if customer_visible else Visibility.INTERNAL,
            summary=summary,
            payload=payload or {},
        )
    )


def provider_get(name: str | None = None) -> Any:
    """The payment provider; imported at call time so tests can swap ``get_provider``."""
    from socius.commerce import payments

    return payments.get_provider(name)


def participant_record(verb: str, participant: Any, **payload: object) -> None:
    """One step of a participant's order on their timeline, under the offer's department."""
    group = participant.group
    record(
        verb,
        group,
        department=group.offer.department_id,
        person_id=participant.person_id,
        payload={"participant": participant.pk, **payload},
    )
