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

from toolkit.models import WorkgroupOwnedModel

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


class Priority(models.TextChoices):
    ROUTINE = "routine", "Routine"
    PRIORITY = "priority", "Priority"
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

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workgroup", "reference"], name="incident_reference_once"),
            models.CheckConstraint(condition=models.Q(discovered_at__gte=models.F("occurred_at")),
                                   name="incident_discovered_after_it_happened"),
            models.CheckConstraint(condition=models.Q(status__in=IncidentStatus.values), name="incident_status_valid"),
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
