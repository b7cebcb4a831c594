"""Notifications, one per thread and kind until read, and how each colleague receives them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """Something for one colleague to see; new events on the same thread fold into it."""

    class Kind(models.TextChoices):
        MENTION = "mention", _("Mentions of you or your department")
        COMMENT = "comment", _("Comments on your posts")
        REPLY = "reply", _("Replies to your comments")
        REACTION = "reaction", _("Reactions to what you wrote")
        ANSWER_ACCEPTED = "answer_accepted", _("Your answer was accepted")
        ANNOUNCEMENT = "announcement", _("Announcements in your spaces")
        FOLLOWED_POST = "followed_post", _("New posts from what you follow")
        CUSTOMER_ACTIVITY = "customer_activity", _("Activity of customers you follow")
        JOIN_REQUEST = "join_request", _("Requests to join your spaces")
        JOIN_DECIDED = "join_decided", _("Answers to your requests to join")
        CASE_NOTE = "case_note", _("Mentions in notes on customer requests")
        CASE_ASSIGNED = "case_assigned", _("Customer requests given to you")
        CASE_ESCALATED = "case_escalated", _("Customer requests escalated to your department")
        SLA_WARNING = "sla_warning", _("Customer requests about to miss their target")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # What the events are about ("post:12", "person:5", "space:3"); events on the same
    # thread and kind fold into one unread notification.
    thread = models.CharField(max_length=64)
    post = models.ForeignKey(
        "collab.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    comment = models.ForeignKey(
        "collab.Comment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    space = models.ForeignKey(
        "collab.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Where a notification about something outside the social network leads (a customer
    # request): a path on this site, set by the context that notifies.
    link = models.CharField(max_length=200, blank=True)
    last_actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event_count = models.PositiveIntegerField(default=1)
    summary = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    # Email: waiting for an immediate send or the next digest, then sent.
    email_pending = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "thread"],
                condition=Q(read_at__isnull=True),
                name="notification_one_unread_per_thread",
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "-updated_at"], name="notification_by_recipient"),
            models.Index(
                fields=["recipient"],
                condition=Q(email_pending=True),
                name="notification_email_pending",
            ),
        ]


class NotificationPreference(models.Model):
    """How one colleague wants one kind of notification by email (in the app, always)."""

    class Email(models.TextChoices):
        OFF = "off", _("No email")
        IMMEDIATE = "immediate", _("At once")
        HOURLY = "hourly", _("Hourly digest")
        DAILY = "daily", _("Daily digest")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=32, choices=Notification.Kind.choices)
    email = models.CharField(max_length=16, choices=Email.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")
        ]


class ThreadMute(models.Model):
    """A colleague muted a post: nothing more about it reaches them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("collab.Post", on_delete=models.CASCADE, related_name="mutes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="thread_mute_once")]
