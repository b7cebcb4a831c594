"""Cases, the messages exchanged with the customer, and the colleagues' private notes.

Messages and notes are two tables on purpose: every path that reaches the customer (email,
portal, Messenger replies, satisfaction survey, exports) reads ``Message`` only, so a note
cannot reach a customer by a forgotten filter.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PORTAL = "portal", _("Customer portal")
    EMAIL = "email", _("Email")
    MESSENGER = "messenger", _("Messenger")
    API = "api", _("API")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting on customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


ACTIVE_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING)


class Tag(models.Model):
    name = models.CharField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def active_cases() -> models.Q | RawSQL:
    """The condition "the case is new, open or waiting", written as the partial indexes'
    own (literal statuses, not parameters: see ``Case.Meta.indexes``)."""
    statuses = ", ".join(f"'{status}'" for status in ACTIVE_STATUSES)  # constants of ours
    sql = f'"care_case"."status" IN ({statuses})'
    return RawSQL(sql, [], output_field=models.BooleanField())  # noqa: S611 - no user input


class Case(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="cases")
    subject = models.CharField(max_length=200)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(max_length=16, choices=Priority.choices, default=Priority.NORMAL)
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="cases")
    # The case that collects a person's messages that name no case (a Messenger message, an
    # email starting a new thread): at most one per person while it is active, so fifty
    # concurrent messages from a new customer open one case, not fifty.
    intake_key = models.CharField(max_length=40, null=True, blank=True, unique=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="absorbed"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField()
    last_message_at = models.DateTimeField()
    # The last customer message not answered yet: what "awaiting our reply" sorts by.
    awaiting_since = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveIntegerField(default=0)
    sla_policy = models.ForeignKey(
        "care.SlaPolicy", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    # The earliest target still running: what "about to breach" sorts and filters by.
    next_due_at = models.DateTimeField(null=True, blank=True)
    sla_warned_at = models.DateTimeField(null=True, blank=True)
    sla_breached_at = models.DateTimeField(null=True, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    note_count = models.PositiveIntegerField(default=0)

    class Meta:
        # The inbox's views read active cases only, newest message first: partial indexes
        # hold just those, so a view costs the same with 100k closed cases behind as with
        # none. SQLite uses a partial index only when the query's condition is the index's
        # own, known when the statement is prepared: ``active_cases`` writes it literally.
        indexes = [
            models.Index(
                fields=["assignee", "-last_message_at", "-id"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="case_mine",
            ),
            models.Index(
                fields=["department", "-last_message_at", "-id"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="case_department",
            ),
            models.Index(
                fields=["-last_message_at", "-id"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="case_active",
            ),
            models.Index(
                fields=["next_due_at", "id"],
                condition=Q(next_due_at__isnull=False),
                name="case_next_due",
            ),
            models.Index(fields=["person", "-last_message_at"], name="case_person"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def reference(self) -> str:
        return f"#{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class Message(models.Model):
    """What the customer wrote or what we answered them: everything here may reach them."""

    class Direction(models.TextChoices):
        INBOUND = "in", _("From the customer")
        OUTBOUND = "out", _("To the customer")

    class Delivery(models.TextChoices):
        RECEIVED = "received", _("Received")
        PENDING = "pending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Not delivered")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField()
    # Where the customer writes from on this channel (an email address, a Messenger
    # page-scoped id): replies go back there.
    address = models.CharField(max_length=320, blank=True)
    # The id the channel gave the message (Messenger mid, email Message-ID, API external_id):
    # the same message delivered twice is stored once.
    external_id = models.CharField(max_length=300, blank=True)
    # Email threading: our Message-ID for outbound mail, the sender's for inbound mail.
    email_message_id = models.CharField(max_length=300, blank=True)
    delivery = models.CharField(max_length=16, choices=Delivery.choices)
    delivery_error = models.CharField(max_length=300, blank=True)
    # Sending a reply: when a worker took it (a worker that died leaves it to the sweeper),
    # and how many times the channel was tried.
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~Q(external_id=""),
                name="care_message_once",
            )
        ]
        indexes = [
            models.Index(fields=["case", "created_at", "id"], name="care_message_case"),
            models.Index(fields=["email_message_id"], name="care_message_email_id"),
        ]

    def __str__(self) -> str:
        return f"message {self.pk} on case {self.case_id}"


class Note(models.Model):
    """A colleague's private note on a case: employees only, never sent anywhere."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at", "id"], name="care_note_case")]

    def __str__(self) -> str:
        return f"note {self.pk} on case {self.case_id}"


class MessageAttachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="care/%Y/%m/")
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class CaseLink(models.Model):
    """A case about an order or a group order, named by the reference its owner gives it."""

    class Kind(models.TextChoices):
        ORDER = "order", _("Order")
        GROUP_ORDER = "group_order", _("Group order")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    reference = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "reference"], name="care_link_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"


class ReplyDraft(models.Model):
    """Who is writing a reply on a case right now, so two agents do not answer at once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    touched_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="care_draft_once")]
