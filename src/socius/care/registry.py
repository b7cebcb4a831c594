"""What customer care registers with the rest of Socius when the app is ready."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from socius.core.ids import parse_id
from socius.core.live import register_channel_authorizer


def _may_listen_to_inbox(user: Any, suffix: str) -> bool:
    from socius.care.selectors import may_view_cases

    return suffix == "inbox" and may_view_cases(user)


def _may_listen_to_case(user: Any, suffix: str) -> bool:
    from socius.care.selectors import may_view_cases

    return parse_id(suffix) is not None and may_view_cases(user)


def _person_panel_context(person: Any, user: Any) -> dict[str, Any]:
    from socius.care.selectors import person_cases

    return {"cases": person_cases(person=person)}


def register_care() -> None:
    # Imported for what they register: worker jobs and verbs.
    from socius.care import tasks  # noqa: F401
    from socius.care.channels import email_out, messenger  # noqa: F401  (reply senders)
    from socius.care.privacy import register_care_privacy
    from socius.care.services import satisfaction, sla_watch  # noqa: F401  (verbs)
    from socius.people.panels import register_person_panel
    from socius.people.references import register_person_reference

    register_person_reference(name="care_cases", model_label="care.Case", field="person")
    register_person_reference(name="care_messages", model_label="care.Message", field="person")
    register_care_privacy()
    register_channel_authorizer("care", _may_listen_to_inbox)
    register_channel_authorizer("case", _may_listen_to_case)
    register_person_panel(
        "care_cases",
        title=_("Customer requests"),
        template="care/includes/person_cases_panel.html",
        context=_person_panel_context,
        order=25,
    )
