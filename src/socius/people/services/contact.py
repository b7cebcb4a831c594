"""The person reached out to us: what retention periods count from."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from socius.people.models import Person


def person_contacted(*, person_id: int, at: dt.datetime) -> None:
    """Move ``last_own_contact_at`` forward to ``at``; never backward."""
    Person.objects.filter(pk=person_id).filter(
        Q(last_own_contact_at__isnull=True) | Q(last_own_contact_at__lt=at)
    ).update(last_own_contact_at=at)
