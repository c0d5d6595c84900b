"""Incidents: what went wrong between the partners' systems, reported and reviewed so it does not happen again.

A report records what happened in the words of the person who saw it — never a caller's name or other
identifier: the partner systems' own references (a CAD incident number, a 988 contact id) point to the call.
The triage protocol version in force when it happened is filled from triage's in-force history, so a
review reads the incident against the rules staff were following at the time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from toolkit.models import WorkgroupOwnedModel, WorkgroupUploadTo

HISTORY = {"excluded_fields": ["updated_at"]}


class IncidentClass(models.TextChoices):
    HARM = "harm", "Incident with harm"
    NO_HARM = "no_harm", "Incident without harm"
    NEAR_MISS = "near_miss", "Near miss"
    UNSAFE_CONDITION = "unsafe_condition", "Unsafe condition"


class Category(models.TextChoices):
    ADVERSE_EVENT = "adverse_event", "Adverse event"
    SENTINEL_EVENT = "sentinel_event", "Sentinel event"
    DELAY = "delay", "Delay"
    TECHNICAL = "technical", "Technical difficulty"
    MISCOMMUNICATION = "miscommunication", "Miscommunication between teams"
    FAILED_TRANSFER = "failed_transfer", "Failed or dropped transfer"
    INFORMATION_LOST = "information_lost", "Location or information not passed on"
    STAFF_SAFETY = "staff_safety", "Staff safety"
    OTHER = "other", "Other"


class TransferDirection(models.TextChoices):
    FROM_911_TO_988 = "911_to_988", "911 → 988"
    FROM_988_TO_911 = "988_to_911", "988 → 911"
    TO_MOBILE_CRISIS = "to_mobile_crisis", "To mobile crisis"
    NONE = "none", "No transfer"


class Harm(models.TextChoices):
    """The reporter's estimate, on the AHRQ Common Formats harm scale; reviewers agree the final level later."""

    NONE = "none", "No harm"
    MILD = "mild", "Mild harm"
    MODERATE = "moderate", "Moderate harm"
    SEVERE = "severe", "Severe harm"
    DEATH = "death", "Death"
    UNKNOWN = "unknown", "Unknown"


class IncidentStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    TRIAGED = "triaged", "Triaged"
    UNDER_REVIEW = "under_review", "Under review"
    ACTIONS_IN_PROGRESS = "actions_in_progress", "Actions in progress"
    CLOSED = "closed", "Closed"


class Confidentiality(models.TextChoices):
    """A marked incident is read by QA reviewers and coordinators only; every read of it is audited."""

    NORMAL = "normal", "Not marked"
    CONFIDENTIAL = "confidential", "Confidential"
    # State peer-review statutes or the Patient Safety Act protect quality-improvement work product.
    PRIVILEGED = "privileged", "Quality-improvement privileged"


class SubmittedVia(models.TextChoices):
    ACCOUNT = "account", "Signed-in report"
    INTAKE = "intake", "Intake link"
    IMPORT = "import", "Imported"
    API = "api", "Partner system (API)"


class Likelihood(models.IntegerChoices):
    RARE = 1, "Rare"
    UNLIKELY = 2, "Unlikely"
    POSSIBLE = 3, "Possible"
    LIKELY = 4, "Likely"
    ALMOST_CERTAIN = 5, "Almost certain"


class Severity(models.IntegerChoices):
    NEGLIGIBLE = 1, "Negligible"
    MINOR = 2, "Minor"
    MODERATE = 3, "Moderate"
    MAJOR = 4, "Major"
    CATASTROPHIC = 5, "Catastrophic"


class RiskGrade(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"
    EXTREME = "extreme", "Extreme"


def risk_grade(likelihood: int | None, severity: int | None) -> str:
    """The grade of a 5 × 5 likelihood × severity matrix (score 1–3 low, 4–6 moderate, 8–12 high, 15–25 extreme)."""
    if not likelihood or not severity:
        return ""
    score = likelihood * severity
    if score <= 3:
        return RiskGrade.LOW
    if score <= 6:
        return RiskGrade.MODERATE
    if score <= 12:
        return RiskGrade.HIGH
    return RiskGrade.EXTREME


class Priority(models.TextChoices):
    ROUTINE = "routine", "Routine"
    PRIORITY = "priority", "High"
    URGENT = "urgent", "Urgent"


class ReferenceCounter(models.Model):
    """The last incident number given in a workgroup in a year (INC-2026-0042): locked while a number is taken."""

    workgroup = models.ForeignKey("toolkit.Workgroup", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workgroup", "year"], name="incident_counter_once_a_year")]

    def __str__(self) -> str:
        return f"{self.workgroup_id}/{self.year}: {self.last}"


class Incident(WorkgroupOwnedModel):
    reference = models.CharField(max_length=20, editable=False)  # INC-2026-0042, unique in the workgroup
    incident_class = models.CharField("class", max_length=20, choices=IncidentClass.choices)
    category = models.CharField(max_length=20, choices=Category.choices)
    occurred_at = models.DateTimeField("when it happened")
    discovered_at = models.DateTimeField("when it was noticed")
    organizations = models.ManyToManyField("partners.Organization", blank=True, related_name="+",
                                           verbose_name="organizations involved")
    transfer_direction = models.CharField(max_length=20, choices=TransferDirection.choices,
                                          default=TransferDirection.NONE)
    cad_reference = models.CharField("CAD incident number", max_length=60, blank=True)
    contact_reference = models.CharField("988 contact id", max_length=60, blank=True)
    # Filled from triage's in-force history at ``occurred_at``; RESTRICT there keeps the version.
    protocol_version = models.ForeignKey("triage.ProtocolVersion", on_delete=models.SET_NULL, null=True, blank=True,
                                         related_name="+")
    risk_level = models.CharField("risk level assigned", max_length=80, blank=True)
    narrative = models.TextField(help_text="What happened, in order. No names or other identifiers of callers.")
    immediate_actions = models.TextField(blank=True)
    harm_estimate = models.CharField("harm (reporter's estimate)", max_length=10, choices=Harm.choices,
                                     default=Harm.UNKNOWN)
    debrief_offered = models.BooleanField("debrief offered to the staff involved", default=False)
    status = models.CharField(max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.SUBMITTED)
    # Triage (QA): who reviews it and how soon.
    priority = models.CharField(max_length=10, choices=Priority.choices, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    triaged_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    submitted_via = models.CharField(max_length=10, choices=SubmittedVia.choices, default=SubmittedVia.ACCOUNT)
    # Reports through the intake link may name their author (or stay anonymous); never shared or exported.
    reporter_name = models.CharField("reporter's name", max_length=200, blank=True)
    reporter_contact = models.CharField("how to reach the reporter", max_length=200, blank=True)
    confidentiality = models.CharField(max_length=12, choices=Confidentiality.choices, default=Confidentiality.NORMAL)
    # Agreements the incident bears on (the one governing the transfer, say); their legal reviewers read it.
    agreements = models.ManyToManyField("agreements.Agreement", blank=True, related_name="+",
                                        verbose_name="related agreements")
    # Review (QA): the harm level two reviewers agreed, the risk grade, what they found.
    agreed_harm = models.CharField("harm (agreed by reviewers)", max_length=10, choices=Harm.choices, blank=True)
    harm_agreed_at = models.DateTimeField(null=True, blank=True)
    likelihood = models.PositiveSmallIntegerField("likelihood of recurrence", choices=Likelihood.choices,
                                                  null=True, blank=True)
    severity = models.PositiveSmallIntegerField(choices=Severity.choices, null=True, blank=True)
    findings = models.TextField(blank=True)
    review_started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_note = models.TextField(blank=True)
    reopened_count = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workgroup", "reference"], name="incident_reference_once"),
            models.CheckConstraint(condition=models.Q(discovered_at__gte=models.F("occurred_at")),
                                   name="incident_discovered_after_it_happened"),
            models.CheckConstraint(condition=models.Q(status__in=IncidentStatus.values), name="incident_status_valid"),
            models.CheckConstraint(condition=models.Q(confidentiality__in=Confidentiality.values),
                                   name="incident_confidentiality_valid"),
            models.CheckConstraint(condition=models.Q(likelihood__isnull=True) | models.Q(likelihood__range=(1, 5)),
                                   name="incident_likelihood_1_to_5"),
            models.CheckConstraint(condition=models.Q(severity__isnull=True) | models.Q(severity__range=(1, 5)),
                                   name="incident_severity_1_to_5"),
            models.CheckConstraint(condition=~models.Q(status="closed") | models.Q(closed_at__isnull=False),
                                   name="incident_closed_has_time"),
        ]
        indexes = [
            # The incident list (newest first; by status) and a reporter's own reports, with keyset pages.
            models.Index(fields=["workgroup", "-occurred_at", "-id"], name="incident_wg_occurred"),
            models.Index(fields=["workgroup", "status", "-occurred_at", "-id"], name="incident_wg_status_occurred"),
            models.Index(fields=["workgroup", "reported_by", "-occurred_at", "-id"], name="incident_wg_reporter"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_category_display()}"

    def get_absolute_url(self) -> str:
        return reverse("incidents:incident-detail", kwargs={"slug": self.workgroup.slug, "incident_id": self.pk})

    @property
    def is_marked(self) -> bool:
        return self.confidentiality != Confidentiality.NORMAL

    @property
    def risk_grade(self) -> str:
        return risk_grade(self.likelihood, self.severity)

    def get_risk_grade_display(self) -> str:
        grade = self.risk_grade
        return RiskGrade(grade).label if grade else ""


class IncidentSettings(models.Model):
    """A workgroup's choices for incidents: its public intake link, and what it shares with partners.

    No row means the defaults (intake link off, joint reviewers see coded fields only, no exports);
    ``selectors.incident_settings`` answers those without writing.
    """

    workgroup = models.OneToOneField("toolkit.Workgroup", on_delete=models.CASCADE, related_name="+")
    # The intake link's secret part; rotating replaces it (the old link stops working); empty: no link.
    intake_token = models.CharField(max_length=64, blank=True)
    intake_rotated_at = models.DateTimeField(null=True, blank=True)
    # The fields of an incident joint reviewers from partner agencies see (``sharing.JOINT_REVIEW_FIELDS``).
    joint_review_fields = models.JSONField(default=list, blank=True)
    # How far exports for post-response data sharing may go: none, de-identified, or a limited data set.
    export_level = models.CharField(max_length=12, default="none")
    # A limited data set only leaves under a data use agreement recorded in agreements.
    data_use_agreement = models.ForeignKey("agreements.Agreement", on_delete=models.SET_NULL, null=True, blank=True,
                                           related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "intake_token"])

    class Meta:
        verbose_name = "incident settings"
        verbose_name_plural = "incident settings"
        constraints = [
            models.UniqueConstraint(fields=["intake_token"], condition=~models.Q(intake_token=""),
                                    name="incident_intake_token_unique"),
            models.CheckConstraint(condition=models.Q(export_level__in=("none", "deidentified", "limited")),
                                   name="incident_export_level_valid"),
        ]

    def __str__(self) -> str:
        return f"Incident settings of workgroup {self.workgroup_id}"


class HarmRating(WorkgroupOwnedModel):
    """One reviewer's own rating of the harm, made before seeing the other's; two are agreed into one level."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="harm_ratings")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    harm = models.CharField(max_length=10, choices=Harm.choices)
    rationale = models.TextField(blank=True)

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["incident", "reviewer"], name="harm_rating_once_per_reviewer")]

    def __str__(self) -> str:
        return f"{self.get_harm_display()} ({self.reviewer})"


class ContributingFactor(WorkgroupOwnedModel):
    """A factor of the two-level taxonomy (``incidents.taxonomy``) that reviewers found played a part."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="contributing_factors")
    code = models.CharField(max_length=60)  # "communication.handoff_incomplete"
    note = models.CharField(max_length=500, blank=True)

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["incident", "code"], name="contributing_factor_once")]
        indexes = [models.Index(fields=["code"], name="contributing_factor_code")]

    def __str__(self) -> str:
        from incidents.taxonomy import factor_label

        return factor_label(self.code)


class RootCause(WorkgroupOwnedModel):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="root_causes")
    description = models.TextField()
    factor_code = models.CharField("contributing factor", max_length=60, blank=True)

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.description[:80]


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class Effectiveness(models.TextChoices):
    NOT_CHECKED = "not_checked", "Not checked yet"
    EFFECTIVE = "effective", "Effective"
    PARTLY_EFFECTIVE = "partly_effective", "Partly effective"
    NOT_EFFECTIVE = "not_effective", "Not effective"


class CorrectiveAction(WorkgroupOwnedModel):
    """What a partner will change so a root cause does not recur, by when, and whether it worked."""

    root_cause = models.ForeignKey(RootCause, on_delete=models.CASCADE, related_name="actions")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="corrective_actions")
    description = models.TextField()
    owner_organization = models.ForeignKey("partners.Organization", on_delete=models.SET_NULL, null=True,
                                           related_name="+", verbose_name="owner organization")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", help_text="Who is reminded when it is overdue.")
    due_date = models.DateField()
    status = models.CharField(max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    completed_at = models.DateTimeField(null=True, blank=True)
    effectiveness_check = models.TextField("how its effect will be checked", blank=True)
    effectiveness = models.CharField(max_length=20, choices=Effectiveness.choices, default=Effectiveness.NOT_CHECKED)
    effectiveness_note = models.TextField(blank=True)
    last_reminded_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["workgroup", "status", "due_date"], name="corrective_action_wg_due")]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ActionStatus.values), name="corrective_action_status"),
            models.CheckConstraint(condition=~models.Q(status="done") | models.Q(completed_at__isnull=False),
                                   name="corrective_action_done_has_time"),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.is_open and self.due_date < timezone.localdate()


class IncidentComment(WorkgroupOwnedModel):
    """A note on the review. Internal notes are read by QA reviewers and coordinators only."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField()
    internal = models.BooleanField("internal to QA", default=True)

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["incident", "created_at"], name="incident_comment_time")]

    def __str__(self) -> str:
        return self.body[:80]


class IncidentShare(WorkgroupOwnedModel):
    """A named person from an involved organization, asked to review the incident jointly with QA."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey("partners.Organization", on_delete=models.CASCADE, related_name="+")
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["incident", "user"], name="incident_share_once_per_person")]
        indexes = [models.Index(fields=["user", "incident"], name="incident_share_user")]

    def __str__(self) -> str:
        return f"{self.incident} shared with {self.user}"


class Attachment(WorkgroupOwnedModel):
    """A screenshot, transcript or PDF; its type is read from its content, and it is served only through the app."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=WorkgroupUploadTo("incidents/attachments"), max_length=300)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField("size in bytes")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.filename


class AfterActionReport(WorkgroupOwnedModel):
    """For a significant incident: what went well, what to improve, and the plan (its corrective actions)."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="after_action")
    summary = models.TextField(blank=True)
    strengths = models.TextField(blank=True)
    areas_for_improvement = models.TextField(blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    history = HistoricalRecords(excluded_fields=["updated_at"])

    def __str__(self) -> str:
        return f"After-action report on {self.incident}"


class ImportStatus(models.TextChoices):
    PENDING = "pending", "Waiting for confirmation"
    IMPORTED = "imported", "Imported"
    DISCARDED = "discarded", "Discarded"


class IncidentImport(WorkgroupOwnedModel):
    """A CSV of past incidents, from upload through the background check and preview to the import (as partners)."""

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    filename = models.CharField(max_length=255)
    file = models.FileField(upload_to=WorkgroupUploadTo("incident-imports"), blank=True, max_length=300)
    size = models.PositiveBigIntegerField("size in bytes", default=0)
    # Which column of the file holds which field ({"category": "Event type", …}), chosen before the check.
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    summary = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    incidents_created = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workgroup", "-created_at"], name="incident_import_wg_created")]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ImportStatus.values), name="incident_import_status"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("incidents:import-preview", kwargs={"slug": self.workgroup.slug, "incident_import_id": self.pk})
