"""What group buying registers with the rest of Socius when the app is ready."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

PANEL_ORDERS_SHOWN = 20


def _person_panel_context(person: Any, user: Any) -> dict[str, Any]:
    # One query: participations with group and offer joined, live tickets counted.
    from django.db.models import Count, Q

    from socius.commerce.models import TicketState
    from socius.commerce.selectors import person_group_orders

    orders = person_group_orders(person).annotate(
        live_tickets=Count("tickets", filter=~Q(tickets__state=TicketState.REVOKED))
    )[:PANEL_ORDERS_SHOWN]
    return {"group_orders": list(orders)}


def register_commerce() -> None:
    # Imported for what they register: worker jobs and verbs.
    from socius.commerce import tasks  # noqa: F401
    from socius.commerce.payments import tasks as payment_tasks  # noqa: F401
    from socius.commerce.privacy import register_commerce_privacy
    from socius.commerce.tickets import issue  # noqa: F401
    from socius.people.panels import register_person_panel
    from socius.people.references import register_person_reference

    register_person_reference(
        name="commerce_groups", model_label="commerce.GroupOrder", field="organiser"
    )
    register_person_reference(
        name="commerce_participants", model_label="commerce.Participant", field="person"
    )
    register_person_reference(
        name="commerce_tickets", model_label="commerce.Ticket", field="holder"
    )
    register_person_panel(
        "commerce_group_orders",
        title=_("Group orders"),
        template="commerce/includes/person_groups_panel.html",
        context=_person_panel_context,
        order=30,
    )
    register_commerce_privacy()
