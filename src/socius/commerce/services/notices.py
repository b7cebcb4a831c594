"""Emails to a group's participants (R9): reminder, tipped, failed, completed.

Sent after the commit of the transition that causes them, each in the participant's
language; a mail server failing never undoes the transition.
"""

from __future__ import annotations

import logging
from typing import Literal

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from socius.commerce.models import GroupOrder, Participant
from socius.commerce.selectors import group_share_url, participant_url
from socius.commerce.tickets.emails import person_email, person_language

logger = logging.getLogger(__name__)

Notice = Literal["joined", "reminder", "tipped", "failed", "completed"]


def _send(notice: Notice, participant: Participant) -> bool:
    recipient = person_email(participant.person)
    if recipient is None:
        return False
    group = participant.group
    with translation.override(person_language(participant.person)):
        context = {
            "offer": group.offer.title,
            # Stored in UTC; told in the company's time, as on every page.
            "deadline": formats.date_format(timezone.localtime(group.deadline), "DATETIME_FORMAT"),
            "seats_needed": max(group.min_size - group.seats_secured, 0),
            "price": f"{(group.unit_price_cents or group.base_price_cents) / 100:.2f} €",
            "url": participant_url(participant),
            "share_url": group_share_url(group),
            "company_name": settings.COMPANY_NAME,
        }
        subject = render_to_string(f"commerce/emails/{notice}_subject.txt", context)
        body = render_to_string(f"commerce/emails/{notice}.txt", context)
        html = render_to_string(f"commerce/emails/{notice}.html", context)
    send_mail(
        subject=" ".join(subject.split()),
        message=body,
        from_email=None,
        recipient_list=[recipient],
        html_message=html,
    )
    return True


def notices_send(*, notice: Notice, participant_ids: list[int]) -> int:
    participants = Participant.objects.filter(pk__in=participant_ids).select_related(
        "person", "group__offer"
    )
    sent = 0
    for participant in participants:
        try:
            sent += _send(notice, participant)
        except Exception:  # one bad address must not keep the others uninformed
            logger.exception("Group notice %s for participant %s failed", notice, participant.pk)
    return sent


def notices_on_commit(
    *, notice: Notice, group: GroupOrder, participant_states: tuple[str, ...]
) -> None:
    """Those in ``participant_states`` now (before the transition moves them on) are told
    once it commits."""
    participant_ids = list(
        Participant.objects.filter(group=group, state__in=participant_states).values_list(
            "pk", flat=True
        )
    )
    transaction.on_commit(
        lambda: notices_send(notice=notice, participant_ids=participant_ids), robust=True
    )
