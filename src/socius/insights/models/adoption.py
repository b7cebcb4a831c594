"""Daily rollups of the Activity log: what adoption figures are read from.

The worker turns each day of the log into these rows once (``adoption.rollup``); pages and
the API only ever read a bounded range of them, whatever the length of the history. Rows
keyed by a user exist only to compute groups' figures and are never shown per person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class UserDay(models.Model):
    """What one employee did on one day, under the department recorded on the activity (a
    move to another department does not rewrite the past)."""

    day = models.DateField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    events = models.PositiveIntegerField(default=0)
    contributions = models.PositiveIntegerField(default=0)  # posts, replies, answers to customers
    participations = models.PositiveIntegerField(default=0)  # reactions, accepted answers, follows

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "user"], name="adoption_user_day")]
        indexes = [models.Index(fields=["department", "day"], name="adoption_user_day_dept")]


class UserAdoption(models.Model):
    """The first day an employee was seen: activation, and the cohort they belong to."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    first_active_on = models.DateField(db_index=True)


class SpaceDay(models.Model):
    """Who contributed to which space on a day: whether a space is healthy (two posters
    and a reply over 28 days) cannot be summed from daily counts."""

    day = models.DateField()
    space_id = models.PositiveBigIntegerField()
    user_id = models.PositiveBigIntegerField()
    posts = models.PositiveIntegerField(default=0)
    replies = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "space_id", "user_id"], name="adoption_space_day"
            )
        ]


class InteractionDay(models.Model):
    """Replies, comments and reactions from one department to another's people on a day."""

    day = models.DateField()
    from_department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    to_department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["day"], name="adoption_interaction_day")]


class FirstResponse(models.Model):
    """When a post or a customer case got its first answer from someone else."""

    class Kind(models.TextChoices):
        POST = "post", "post"
        CASE = "case", "case"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    object_id = models.CharField(max_length=64)
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_id = models.PositiveBigIntegerField(null=True, blank=True)
    opened_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    response_minutes = models.PositiveIntegerField(null=True, blank=True)
    # For cases, the business minutes and whether the target was met, as care measured them.
    business_minutes = models.PositiveIntegerField(null=True, blank=True)
    within_target = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="adoption_first_response")
        ]
        indexes = [
            models.Index(fields=["kind", "department", "opened_at"], name="adoption_response_dept"),
            # The rollup redoes the last week's threads, whatever their kind or department.
            models.Index(fields=["opened_at"], name="adoption_response_opened"),
        ]


class ResponseDay(models.Model):
    """Posts or cases opened on a day in a department, how many were answered and how
    fast: a histogram of minutes (``RESPONSE_BUCKETS``), so that a week's median can be
    read from seven small rows instead of every thread."""

    day = models.DateField()
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=FirstResponse.Kind.choices)
    opened = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    within_day = models.PositiveIntegerField(default=0)  # answered within 24 hours
    within_target = models.PositiveIntegerField(default=0)  # cases: care's own target
    buckets = models.JSONField(default=list)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "department", "day"], name="adoption_resp_day"),
            models.Index(fields=["day"], name="adoption_resp_day_only"),
        ]


# Upper bounds, in minutes, of the histogram of response times (the last bucket is open).
RESPONSE_BUCKETS = (15, 30, 60, 120, 240, 480, 1440, 2880, 4320, 10080)


class DepartmentDay(models.Model):
    """A department's figures as of the end of a day (``department`` empty: employees with
    no department). Windowed figures (7 and 28 days) are stored, not summed, because
    distinct people cannot be added up."""

    day = models.DateField()
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    registered = models.PositiveIntegerField(default=0)
    activated = models.PositiveIntegerField(default=0)
    daily_active = models.PositiveIntegerField(default=0)
    weekly_active = models.PositiveIntegerField(default=0)
    monthly_active = models.PositiveIntegerField(default=0)
    engaged = models.PositiveIntegerField(default=0)  # active on 10 of the last 28 days
    consumers = models.PositiveIntegerField(default=0)  # over 28 days, by highest level
    participants = models.PositiveIntegerField(default=0)
    contributors = models.PositiveIntegerField(default=0)
    events = models.PositiveIntegerField(default=0)
    contributions = models.PositiveIntegerField(default=0)
    interactions = models.PositiveIntegerField(default=0)
    cross_interactions = models.PositiveIntegerField(default=0)
    new_users = models.PositiveIntegerField(default=0)
    spaces = models.PositiveIntegerField(default=0)  # open spaces of the department
    healthy_spaces = models.PositiveIntegerField(default=0)

    class Meta:
        # One row per (day, department): the rollup deletes a day's rows before writing
        # them (a unique constraint cannot treat "no department" as one value on SQLite).
        indexes = [
            models.Index(fields=["department", "day"], name="adoption_dept_day"),
            models.Index(fields=["day"], name="adoption_day"),
        ]


class RolledDay(models.Model):
    """A day the worker rolled up, and when: a day is final once rolled after it ended."""

    day = models.DateField(primary_key=True)
    rolled_at = models.DateTimeField()
    activities = models.PositiveIntegerField()
