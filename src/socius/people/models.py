from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class IdentifierKind(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    FACEBOOK = "facebook", _("Facebook")
    INSTAGRAM = "instagram", _("Instagram")
    X = "x", _("X")
    LINKEDIN = "linkedin", _("LinkedIn")
    WHATSAPP = "whatsapp", _("WhatsApp")
    CUSTOMER_NUMBER = "customer_number", _("Customer number")
    LOYALTY_CARD = "loyalty_card", _("Loyalty card")
    EMPLOYEE_NUMBER = "employee_number", _("Employee number")
    EXTERNAL = "external", _("External id")


class Person(models.Model):
    """The one record of a human being, whoever in the company meets them."""

    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=120, blank=True)
    locale = models.CharField(max_length=10, blank=True)
    search_name = models.CharField(
        max_length=320, blank=True, db_index=True, help_text=_("Name folded for search.")
    )
    last_own_contact_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Last time the person reached out (for retention).")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="absorbed"
    )
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["family_name", "given_name"], name="person_name"),
            # Candidate lookups of the duplicate check at ingestion.
            models.Index(fields=["birth_date"], name="person_birth_date"),
            models.Index(fields=["postcode"], name="person_postcode"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        name = f"{self.given_name} {self.family_name}".strip()
        return name or _("Person #%(id)s") % {"id": self.pk}

    @property
    def is_live(self) -> bool:
        return self.merged_into_id is None and self.erased_at is None


class Identifier(models.Model):
    """A normalized way to recognise a person: an email, an E.164 phone, a handle, a number.

    A value belongs to one person at a time unless it is marked shared (a family landline,
    a household email): the unique constraint makes concurrent resolutions safe.
    """

    # No index of its own: the unique (person, kind, value) below leads with it.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="identifiers", db_index=False
    )
    kind = models.CharField(max_length=32, choices=IdentifierKind.choices)
    value = models.CharField(max_length=320)
    raw_value = models.CharField(max_length=320, blank=True)
    source = models.CharField(max_length=64, blank=True)
    is_shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_(
            "When it was proven to be this person's: it created the record, or its owner "
            "showed control of it (a sign-in link). Only verified emails open the portal."
        ),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "value"],
                condition=Q(is_shared=False),
                name="identifier_owned_once",
            ),
            models.UniqueConstraint(
                fields=["person", "kind", "value"], name="identifier_once_per_person"
            ),
        ]
        indexes = [models.Index(fields=["kind", "value"], name="identifier_lookup")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class Interaction(models.Model):
    """One interaction ingested from a source system, remembered for idempotency."""

    source = models.CharField(max_length=64)
    external_id = models.CharField(max_length=200)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="interactions")
    activity = models.ForeignKey(
        "core.Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="interaction_once")
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"


class ResolutionDecision(models.Model):
    """Why a set of identifiers went to the person it went to: every decision, explained."""

    class Outcome(models.TextChoices):
        CREATED = "created", _("Created a new person")
        ATTACHED = "attached", _("Attached to a known person")
        MERGED = "merged", _("Merged persons")
        SUGGESTED = "suggested", _("Kept apart, duplicate suggested")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    reason = models.CharField(max_length=300)
    source = models.CharField(max_length=64, blank=True)
    evidence = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.outcome}: {self.reason}"


class DuplicateSuggestion(models.Model):
    """Two records that may be the same human, for an employee to decide.

    The pair is stored in id order. "Not the same person" is remembered: a pair once
    judged distinct is never suggested again.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        LATER = "later", _("Later")
        MERGED = "merged", _("Merged")
        DISTINCT = "distinct", _("Not the same person")

    class Origin(models.TextChoices):
        INGEST = "ingest", _("At ingestion")
        DETECTION = "detection", _("Duplicate detection")
        MANUAL = "manual", _("Reported by an employee")

    person_a = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.INGEST)
    probability = models.FloatField(null=True, blank=True)
    reason = models.CharField(max_length=300)
    evidence = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(person_a__lt=models.F("person_b")), name="suggestion_pair_in_order"
            ),
            models.UniqueConstraint(
                fields=["person_a", "person_b"], name="suggestion_once_per_pair"
            ),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="suggestion_queue")]

    def __str__(self) -> str:
        return f"{self.person_a_id} ~ {self.person_b_id} ({self.status})"


class RelationKind(models.TextChoices):
    FRIEND = "friend", _("Friend")
    INVITED_BY = "invited_by", _("Invited by")
    COLLEAGUE = "colleague", _("Colleague")
    FAMILY = "family", _("Family")
    WORKS_AT = "works_at", _("Works at")


class Relation(models.Model):
    """A link between two persons, read from ``person`` to ``other``."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relations")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="inverse_relations")
    kind = models.CharField(max_length=16, choices=RelationKind.choices)
    source = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "other", "kind"], name="relation_once"),
            models.CheckConstraint(
                condition=~Q(person=models.F("other")), name="relation_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.other_id}"


class ConsentPurpose(models.TextChoices):
    EMAIL_MARKETING = "email_marketing", _("Email marketing")
    SMS_MARKETING = "sms_marketing", _("SMS marketing")
    PROFILING = "profiling", _("Profiling")
    PARTNER_SHARING = "partner_sharing", _("Sharing with partners")


class ConsentState(models.TextChoices):
    GRANTED = "granted", _("Granted")
    DENIED = "denied", _("Denied")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ConsentEntry(models.Model):
    """One entry of the append-only consent ledger; the current state is the latest entry."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=32, choices=ConsentPurpose.choices)
    state = models.CharField(max_length=16, choices=ConsentState.choices)
    source = models.CharField(max_length=64)
    evidence = models.CharField(max_length=500, blank=True)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["person", "purpose", "-occurred_at", "-id"], name="consent_current"
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose}={self.state}"


class PersonPost(models.Model):
    """Internal discussion about a person: employees only, never shown to the customer."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["person", "-created_at"], name="personpost_person")]

    def __str__(self) -> str:
        return f"post {self.pk} on person {self.person_id}"


class PersonComment(models.Model):
    post = models.ForeignKey(PersonPost, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"comment {self.pk} on post {self.post_id}"


class Merge(models.Model):
    """A merge of ``absorbed`` into ``survivor``, with every moved row so it can be undone."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_won")
    absorbed = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_lost")
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=300)
    survivor_before = models.JSONField(default=dict, help_text=_("Profile fields before."))
    moved = models.JSONField(default=dict, help_text=_("Reference name to the moved row ids."))
    created_rows = models.JSONField(default=dict, help_text=_("Rows the merge itself added."))
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["absorbed", "-created_at"], name="merge_absorbed")]

    def __str__(self) -> str:
        return f"{self.absorbed_id} into {self.survivor_id}"


class Erasure(models.Model):
    """A person's data erased (GDPR art. 17); replayed after a backup is restored."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="erasures")
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=300)
    erased_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"erasure of {self.person_id}"


class PrivacyRequest(models.Model):
    """A data-subject request made by the customer from the portal."""

    class Kind(models.TextChoices):
        ERASURE = "erasure", _("Erasure")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="privacy_requests")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    message = models.TextField(blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.kind} request of {self.person_id}"


class ImportRun(models.Model):
    """A CSV import of contacts: its progress while it runs, then its counts and refusals."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255, help_text=_("As uploaded; never used as a path."))
    source = models.CharField(max_length=64)
    upload = models.UUIDField(
        null=True, blank=True, help_text=_("The stored file, until the import has read it.")
    )
    mapping = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    attached_count = models.PositiveIntegerField(default=0)
    merged_count = models.PositiveIntegerField(default=0)
    suggested_count = models.PositiveIntegerField(default=0)
    refused_count = models.PositiveIntegerField(default=0)
    consents_count = models.PositiveIntegerField(default=0)
    refusals_kept_count = models.PositiveIntegerField(
        default=0, help_text=_("Consents the file granted that the person had refused since.")
    )
    error_report = models.TextField(blank=True, help_text=_("The refused rows, as CSV."))
    failure = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_by", "-created_at"], name="importrun_by_creator")]

    def __str__(self) -> str:
        return f"import of {self.filename} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}


class DetectionRun(models.Model):
    """A pass of probabilistic duplicate detection over every live person.

    It keeps its progress while it runs, then its counts and the model it trained (match
    weights per comparison level), which the check at ingestion reuses until the next run.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Trigger(models.TextChoices):
        NIGHTLY = "nightly", _("Nightly")
        MANUAL = "manual", _("Asked by an employee")
        API = "api", _("Asked through the API")

    class Stage(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        READING = "reading", _("Reading the persons")
        TRAINING = "training", _("Estimating the model")
        SCORING = "scoring", _("Scoring candidate pairs")
        STORING = "storing", _("Storing suggestions")
        FINISHED = "finished", _("Finished")

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.MANUAL)
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.WAITING)
    backend = models.CharField(max_length=16, default="duckdb")
    requested_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    persons_count = models.PositiveIntegerField(default=0)
    pairs_count = models.PositiveIntegerField(
        default=0, help_text=_("Candidate pairs scored at or above the suggestion threshold.")
    )
    suggested_count = models.PositiveIntegerField(default=0)
    merged_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(
        default=0, help_text=_("Pairs already suggested, decided, or judged distinct.")
    )
    held_count = models.PositiveIntegerField(
        default=0, help_text=_("Pairs above the automatic-merge threshold left to a person.")
    )
    # True while queued or running, empty after: the unique constraint lets one run at a time.
    active = models.BooleanField(null=True, default=True, editable=False)
    trained = models.BooleanField(
        default=False, help_text=_("Estimated by EM on this base; otherwise fixed priors.")
    )
    threshold = models.FloatField(default=0.9)
    model = models.JSONField(default=dict, blank=True)
    failure = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "-created_at"], name="detectionrun_by_status")]
        constraints = [models.UniqueConstraint(fields=["active"], name="one_active_detection")]

    def __str__(self) -> str:
        return f"duplicate detection {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}
