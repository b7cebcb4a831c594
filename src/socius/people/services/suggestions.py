"""Duplicate suggestions: two records that may be one human, for an employee to decide."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from socius.core.verbs import register_verbs
from socius.people.models import DuplicateSuggestion, Person

register_verbs({"person.duplicate_suggested": _("Possible duplicate suggested")})


def suggestion_record(
    *,
    first: Person,
    second: Person,
    reason: str,
    evidence: dict[str, Any],
    origin: str = DuplicateSuggestion.Origin.INGEST,
    probability: float | None = None,
) -> DuplicateSuggestion | None:
    """Suggest the pair unless it is already suggested or was judged "not the same person"."""
    person_a, person_b = sorted((first, second), key=lambda p: p.pk)
    existing = DuplicateSuggestion.objects.filter(person_a=person_a, person_b=person_b).first()
    if existing is not None:
        return existing if existing.status != DuplicateSuggestion.Status.DISTINCT else None
    try:
        with transaction.atomic():
            return DuplicateSuggestion.objects.create(
                person_a=person_a,
                person_b=person_b,
                reason=reason[:300],
                evidence=evidence,
                origin=origin,
                probability=probability,
            )
    except IntegrityError:  # suggested concurrently
        return DuplicateSuggestion.objects.filter(person_a=person_a, person_b=person_b).first()
