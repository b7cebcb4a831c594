from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    INTERNAL = "internal", _("Internal only")
    CUSTOMER = "customer", _("Also visible to the customer")
    # What happened in a closed place (a private or secret space): counted in adoption
    # figures, never shown in panels or live events that others see.
    RESTRICTED = "restricted", _("Only for those taking part")


class Activity(models.Model):
    """One thing that happened, appended by the service that made it happen.

    The log is append-only: rows are never edited, except by the person hub's merge and
    erasure services, which re-point or scrub rows through ``core.services``.
    """

    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    verb = models.CharField(max_length=64)
    # No index of their own for the three keys: the composite indexes below lead with each
    # of them (lookups and deletions use those), and every index costs each append.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        help_text=_("The employee who acted, if an employee did."),
    )
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        help_text=_("The person whose timeline shows this entry."),
    )
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=32, blank=True)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    summary = models.CharField(max_length=500, blank=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["person", "-occurred_at", "-id"], name="activity_person_timeline"),
            # The newest entry of a person by id: what caches of person pages are keyed on.
            models.Index(fields=["person", "-id"], name="activity_person_newest"),
            models.Index(fields=["actor", "-occurred_at"], name="activity_actor_history"),
            models.Index(fields=["department", "occurred_at"], name="activity_department_time"),
            models.Index(fields=["verb", "occurred_at"], name="activity_verb_time"),
            # What employees did on a day, read once per day by the adoption rollup.
            models.Index(
                fields=["occurred_at"],
                condition=models.Q(actor__isnull=False),
                name="activity_employee_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.verb} at {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Activity rows are append-only; use core.services to re-point them.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Activity rows are append-only.")


class PeriodicJob(models.Model):
    """When a periodic job is next due; workers claim a run with a conditional update."""

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
