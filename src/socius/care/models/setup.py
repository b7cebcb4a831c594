"""How customer care is set up: service levels, routing, agents' load, replies and surveys."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from socius.care.models.cases import Channel, Priority


class SlaPolicy(models.Model):
    """Targets for one department (or every department: blank) and one priority, counted
    in business minutes on the care calendar."""

    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    priority = models.CharField(max_length=16, choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()
    warn_before_minutes = models.PositiveIntegerField(default=30)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["department", "priority"],
                condition=Q(department__isnull=False),
                name="care_sla_once",
            ),
            models.UniqueConstraint(
                fields=["priority"], condition=Q(department__isnull=True), name="care_sla_default"
            ),
        ]

    def __str__(self) -> str:
        return f"SLA {self.department or '*'} {self.priority}"


class RoutingRule(models.Model):
    """When a new case matches every condition given, set its department, priority and
    tags. Rules run in ``position`` order; a rule marked ``stop`` ends the run."""

    class Attribute(models.TextChoices):
        NONE = "", _("No condition")
        LOCALE = "locale", _("Customer language")
        CITY = "city", _("Customer city")
        POSTCODE_PREFIX = "postcode_prefix", _("Customer postcode starts with")
        IDENTIFIER_KIND = "identifier_kind", _("Customer has an identifier of kind")

    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    channel = models.CharField(max_length=16, choices=Channel.choices, blank=True)
    keywords = models.CharField(
        max_length=300, blank=True, help_text=_("Comma-separated; any one of them matches.")
    )
    attribute = models.CharField(max_length=32, choices=Attribute.choices, blank=True)
    attribute_value = models.CharField(max_length=100, blank=True)
    set_department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    set_priority = models.CharField(max_length=16, choices=Priority.choices, blank=True)
    add_tags = models.CharField(max_length=200, blank=True)
    stop = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class AgentStatus(models.Model):
    """Whether an agent takes new cases, how many open cases they carry at most, and when
    they last got one (round-robin takes the longest-waiting available agent)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_status"
    )
    available = models.BooleanField(default=True)
    max_open_cases = models.PositiveIntegerField(default=20)
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"care status of {self.user_id}"


class CannedReply(models.Model):
    """A reply agents start from; ``{{ customer.first_name }}``-style variables are filled in."""

    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(max_length=100)
    body = models.TextField()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class SurveyWording(models.Model):
    """What a department's satisfaction survey asks and says; defaults apply without one."""

    department = models.OneToOneField(
        "accounts.Department", on_delete=models.CASCADE, related_name="+"
    )
    question = models.CharField(max_length=300)
    comment_prompt = models.CharField(max_length=300, blank=True)
    thanks = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"survey of {self.department_id}"


class Rating(models.Model):
    """The customer's satisfaction with a resolved case: one per case, may be changed."""

    case = models.OneToOneField("care.Case", on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5), name="care_rating_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.score}/5 on case {self.case_id}"
