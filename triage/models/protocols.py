"""Triage protocols: versions, risk levels, a decision tree of questions and outcomes, scenarios, approvals.

A version's tree is edited only while the version is a draft; approved versions are immutable and
editing starts a new draft copied from one. Which approved version was in force when is kept in
InForcePeriod rows (incident reports cite the version in force at the time).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

from toolkit.models import WorkgroupOwnedModel

HISTORY = {"excluded_fields": ["updated_at"]}


class Protocol(WorkgroupOwnedModel):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint("workgroup", Lower("name"), name="protocol_name_unique_in_workgroup")]
        indexes = [models.Index(fields=["workgroup", "name"], name="triage_protocol_wg_name")]  # the list

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("triage:protocol-detail", kwargs={"slug": self.workgroup.slug, "protocol_id": self.pk})


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    RETIRED = "retired", "Retired"


class ProtocolVersion(WorkgroupOwnedModel):
    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    based_on = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    change_summary = models.CharField(max_length=300, blank=True)
    reassessment_guidance = models.TextField(
        blank=True,
        help_text="When and how call-takers and responders reassess risk during the call or response.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["protocol", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["protocol", "number"], name="version_number_unique_in_protocol"),
            models.CheckConstraint(condition=models.Q(status__in=VersionStatus.values), name="version_status_valid"),
        ]
        # (protocol, number) is indexed by its unique constraint: a protocol's versions, newest first.
        indexes = [models.Index(fields=["workgroup", "status"], name="triage_version_wg_status")]

    def __str__(self) -> str:
        return f"{self.protocol} v{self.number} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("triage:version-detail", kwargs={"slug": self.workgroup.slug, "protocol_version_id": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT


colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #1f77b4.")


class RiskLevel(WorkgroupOwnedModel):
    version = models.ForeignKey(ProtocolVersion, on_delete=models.CASCADE, related_name="risk_levels")
    key = models.SlugField(max_length=40)
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    default_response = models.TextField(blank=True)
    responder_types = models.CharField(max_length=300, blank=True)
    colour = models.CharField(max_length=7, default="#6c757d", validators=[colour_validator])
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["order", "name"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="risk_level_key_unique_in_version")]
        indexes = [models.Index(fields=["version", "order"], name="triage_level_version_order")]

    def __str__(self) -> str:
        return self.name


class Criterion(WorkgroupOwnedModel):
    """A yes/no fact a decision-point matrix is read by (weapon present, danger to others…)."""

    version = models.ForeignKey(ProtocolVersion, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["order", "label"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="criterion_key_unique_in_version")]
        indexes = [models.Index(fields=["version", "order"], name="triage_criterion_version_order")]

    def __str__(self) -> str:
        return self.label


class NodeKind(models.TextChoices):
    QUESTION = "question", "Question"
    OUTCOME = "outcome", "Outcome"


class Route(models.TextChoices):
    """Who takes the call at an outcome. The values are stored and written to protocol files: never rename one."""

    REMOTE_988 = "988_remote", "988 remote support"
    MOBILE_CRISIS = "988_mobile_crisis", "Mobile crisis team"
    CO_RESPONSE = "co_response", "Co-response (clinician with officer or EMS)"
    EMS = "ems", "EMS"
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"
    EMERGENCY_WITH_BH = "ems_le_with_bh", "EMS and law enforcement, with behavioral-health support"
    TRIBAL_LOCAL = "tribal_local", "Tribal or other local responders"
    TRANSFER_911_TO_988 = "911_to_988", "Warm transfer 911 → 988"
    TRANSFER_988_TO_911 = "988_to_911", "Warm transfer 988 → 911"
    REFERRAL = "referral", "Referral to community services"
    OUT_OF_SCOPE = "out_of_scope", "Outside this protocol (handled as its usual call type)"


class Line(models.TextChoices):
    """The line a call arrived on: each has its own first question (or one first question serves both)."""

    LINE_911 = "911", "911"
    LINE_988 = "988", "988"


class Node(WorkgroupOwnedModel):
    version = models.ForeignKey(ProtocolVersion, on_delete=models.CASCADE, related_name="nodes")
    key = models.SlugField(max_length=60)
    kind = models.CharField(max_length=10, choices=NodeKind.choices)
    text = models.CharField(max_length=300, help_text="The question asked, or the outcome's title.")
    guidance = models.TextField(blank=True, help_text="For the call-taker: what to listen for, how to ask.")
    is_root = models.BooleanField("first question", default=False)
    entry_line = models.CharField(
        "first question for calls arriving on", max_length=3, choices=Line.choices, blank=True,
        help_text="With a first question for each line, say which; blank when one first question serves both.",
    )
    risk_level = models.ForeignKey(RiskLevel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    route = models.CharField(max_length=20, choices=Route.choices, blank=True)
    actions = models.TextField(blank=True, help_text="What to do and document for this outcome.")
    # Outcomes only: the partners' own codes for it, [{"system": "Metro PSAP CAD disposition", "code": "BH-988"}]
    codes = models.JSONField(default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="node_key_unique_in_version"),
            models.UniqueConstraint(fields=["version", "entry_line"], condition=models.Q(is_root=True),
                                    name="one_first_question_per_line"),
        ]
        indexes = [models.Index(fields=["version", "order", "id"], name="triage_node_version_order")]

    def __str__(self) -> str:
        return self.text


class Option(WorkgroupOwnedModel):
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(max_length=200)
    next_node = models.ForeignKey(Node, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Criteria this answer settles for the decision-point matrix: {"weapon_present": true, ...}
    criteria = models.JSONField(default=dict, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["order", "pk"]
        indexes = [models.Index(fields=["node", "order", "id"], name="triage_option_node_order")]

    def __str__(self) -> str:
        return self.label


class Scenario(WorkgroupOwnedModel):
    """A named test case: the answers given, and where the call must end up."""

    version = models.ForeignKey(ProtocolVersion, on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField(max_length=200)
    line = models.CharField("call arrives on", max_length=3, choices=Line.choices, blank=True)
    answers = models.JSONField(default=dict, help_text="{question key: option label}")
    expected_risk_level = models.SlugField(max_length=40, blank=True)  # blank: outside the protocol
    expected_route = models.CharField(max_length=20, choices=Route.choices)

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["version", "name"], name="scenario_name_unique_in_version")]

    def __str__(self) -> str:
        return self.name


class RuleKind(models.TextChoices):
    OUTCOME_WHEN = "outcome_when", "When these answers are given, the outcome must be…"
    ROUTE_ONLY_WHEN = "route_only_when", "These routes are reached only when…"
    ROUTE_RECORDS = "route_records", "Paths to these routes must record…"


class SafetyRule(WorkgroupOwnedModel):
    """A promise about every path of the tree, declared as data and proven by ``triage.engine.breaches``."""

    version = models.ForeignKey(ProtocolVersion, on_delete=models.CASCADE, related_name="rules")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=RuleKind.choices)
    when = models.JSONField(default=dict, blank=True)  # {criterion key: true/false}
    line = models.CharField("only calls arriving on", max_length=3, choices=Line.choices, blank=True)
    levels = models.JSONField(default=list, blank=True)  # risk level keys
    routes = models.JSONField(default=list, blank=True)  # Route values
    criterion = models.SlugField(max_length=40, blank=True)
    criterion_yes = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint("version", Lower("name"), name="rule_name_unique_in_version"),
            models.CheckConstraint(condition=models.Q(kind__in=RuleKind.values), name="rule_kind_valid"),
        ]
        indexes = [models.Index(fields=["version", "order", "id"], name="triage_rule_version_order")]

    def __str__(self) -> str:
        return self.name


class Signatory(WorkgroupOwnedModel):
    """A partner organization whose sign-off the version needs before it can be approved."""

    version = models.ForeignKey(ProtocolVersion, on_delete=models.CASCADE, related_name="signatories")
    organization = models.ForeignKey("partners.Organization", on_delete=models.SET_NULL, null=True, related_name="+")
    organization_name = models.CharField(max_length=200)  # kept if the organization is later removed
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["order", "organization_name"]
        constraints = [
            models.UniqueConstraint(fields=["version", "organization"], name="signatory_once_per_organization")
        ]
        indexes = [models.Index(fields=["version", "order"], name="triage_signatory_version_order")]

    def __str__(self) -> str:
        return f"{self.organization_name} signs {self.version}"


class Decision(models.TextChoices):
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class Approval(WorkgroupOwnedModel):
    """A partner organization's decision on a version: who decided for it, what, and when."""

    version = models.ForeignKey(ProtocolVersion, on_delete=models.CASCADE, related_name="approvals")
    organization = models.ForeignKey(
        "partners.Organization", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    organization_name = models.CharField(max_length=200)  # kept if the organization is later removed
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.APPROVED)
    approver_name = models.CharField(max_length=200, blank=True)  # blank only on decisions recorded before names
    approver_title = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    approved_on = models.DateField("date of the decision")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["approved_on", "organization_name"]
        constraints = [
            models.UniqueConstraint(fields=["version", "organization"], name="approval_once_per_organization"),
            models.CheckConstraint(condition=models.Q(decision__in=Decision.values), name="approval_decision_valid"),
        ]
        indexes = [models.Index(fields=["version", "approved_on"], name="triage_approval_version_date")]

    def __str__(self) -> str:
        return f"{self.organization_name} {self.get_decision_display().lower()} {self.version} on {self.approved_on}"


class InForcePeriod(WorkgroupOwnedModel):
    """From when to when a version was the one in force (the open period is the current one)."""

    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="in_force_periods")
    # RESTRICT: a version that was in force cannot be deleted on its own (incident reports cite it), but it
    # goes with its protocol or its workgroup.
    version = models.ForeignKey(ProtocolVersion, on_delete=models.RESTRICT, related_name="in_force_periods")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["protocol"], condition=models.Q(ended_at__isnull=True), name="one_version_in_force"
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
                name="in_force_period_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["protocol", "-started_at"], name="triage_period_protocol_start"),
            models.Index(fields=["workgroup", "started_at"], name="triage_period_wg_start"),  # in force at
        ]

    def __str__(self) -> str:
        return f"{self.version} in force from {self.started_at:%Y-%m-%d}"
