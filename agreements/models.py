"""Agreements: the clause library, templates with typed variables, agreements, immutable versions, review.

Every save of an agreement creates an ``AgreementVersion`` holding a complete snapshot (clause
texts, variable values, parties), so any version can be shown, compared or exported exactly as
it was, whatever happens to the library or the partner map later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from agreements.variables import TYPES
from toolkit.models import WorkgroupOwnedModel, WorkgroupUploadTo

HISTORY = {"excluded_fields": ["updated_at"]}


class Clause(WorkgroupOwnedModel):
    key = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=30)
    body = models.TextField(help_text="Clause text with [[placeholders]]; cleaned of unsafe HTML on save.")
    guidance = models.TextField(blank=True, help_text="For the drafter: why it matters, the risk it addresses.")
    condition = models.CharField(max_length=60, blank=True, help_text="Include only when this flag is true.")

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["category", "title"]
        constraints = [models.UniqueConstraint(fields=["workgroup", "key"], name="clause_key_unique_in_workgroup")]

    def __str__(self) -> str:
        return self.title


class AgreementKind(models.TextChoices):
    MOU = "mou", "Memorandum of understanding"
    MOA = "moa", "Memorandum of agreement"
    DATA_SHARING = "data_sharing", "Data sharing agreement"
    SERVICE = "service", "Service agreement"
    MUTUAL_AID = "mutual_aid", "Mutual aid agreement"


class AgreementTemplate(WorkgroupOwnedModel):
    key = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=AgreementKind.choices)
    description = models.TextField(blank=True)

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workgroup", "key"], name="template_key_unique_in_workgroup")]

    def __str__(self) -> str:
        return self.name


class TemplateClause(models.Model):
    template = models.ForeignKey(AgreementTemplate, on_delete=models.CASCADE, related_name="template_clauses")
    # RESTRICT: a clause a template uses cannot be deleted on its own (services.clause_delete says why),
    # but deleting the whole workgroup takes both.
    clause = models.ForeignKey(Clause, on_delete=models.RESTRICT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["template", "clause"], name="template_clause_once")]

    def __str__(self) -> str:
        return f"{self.template}: {self.clause}"


class TemplateVariable(models.Model):
    template = models.ForeignKey(AgreementTemplate, on_delete=models.CASCADE, related_name="variables")
    name = models.SlugField(max_length=60)
    label = models.CharField(max_length=200)
    type = models.CharField(max_length=12, choices=[(t, t) for t in TYPES])
    default = models.CharField(max_length=500, blank=True)
    help = models.CharField(max_length=300, blank=True)
    choices = models.JSONField(default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["template", "name"], name="template_variable_once")]

    def __str__(self) -> str:
        return self.label


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In legal review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    EXECUTED = "executed", "Executed"


class Agreement(WorkgroupOwnedModel):
    title = models.CharField(max_length=200)
    # RESTRICT, as for clauses: a template with agreements stays, unless the whole workgroup goes.
    template = models.ForeignKey(AgreementTemplate, on_delete=models.RESTRICT, related_name="agreements")
    status = models.CharField(max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT)
    current_version_number = models.PositiveIntegerField(default=0)
    protocol = models.ForeignKey("triage.Protocol", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    protocol_version = models.ForeignKey(
        "triage.ProtocolVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The protocol version in force when the agreement was last saved.",
    )

    # The approval of the current version (cleared when a new draft starts): the clean copy for signature names it.
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    signed_scan = models.FileField(upload_to=WorkgroupUploadTo("agreements/signed"), blank=True, max_length=300,
                                   help_text="The executed agreement as signed (PDF); downloaded only through the app.")

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            # The agreement list: newest change first, all of them or one status.
            models.Index(fields=["workgroup", "-updated_at", "-id"], name="agreement_wg_updated"),
            models.Index(fields=["workgroup", "status", "-updated_at", "-id"], name="agreement_wg_status_updated"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agreements:agreement-detail",
                       kwargs={"slug": self.workgroup.slug, "agreement_id": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status in (AgreementStatus.DRAFT, AgreementStatus.CHANGES_REQUESTED)


class AgreementParty(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    organization = models.ForeignKey("partners.Organization", on_delete=models.SET_NULL, null=True, related_name="+")
    name = models.CharField(max_length=200)  # kept if the organization is renamed or removed
    is_substance_use_provider = models.BooleanField(default=False)
    signatory_name = models.CharField(max_length=200, blank=True)
    signatory_title = models.CharField(max_length=200, blank=True)
    signed_on = models.DateField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["agreement", "organization"], name="party_once_per_agreement")]

    def __str__(self) -> str:
        return self.name


class AgreementVersion(WorkgroupOwnedModel):
    """Immutable: created by services on every save, never updated."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    change_summary = models.CharField(max_length=300, blank=True)
    title = models.CharField(max_length=200)
    variables = models.JSONField(default=dict)  # {name: stored value}
    clauses = models.JSONField(default=list)  # [{key, title, body, condition}]
    parties = models.JSONField(default=list)  # [{name, signatory_name, signatory_title, substance_use}]

    class Meta:
        ordering = ["agreement", "-number"]
        constraints = [models.UniqueConstraint(fields=["agreement", "number"], name="agreement_version_number_once")]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class ReviewComment(WorkgroupOwnedModel):
    """A reviewer's comment on one clause, raised on one version and open on every later one until resolved.

    ``version`` is the version it was raised on; ``agreement`` lets the current version find every open
    comment without walking the versions. ``quote`` is the passage it is about, as the reviewer selected it.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="comments")
    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="comments")
    clause_key = models.SlugField(max_length=60)
    quote = models.CharField(max_length=500, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    # The version in which it was resolved (the text the resolver read).
    resolved_on_version = models.PositiveIntegerField(null=True, blank=True)

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # The dashboard counts a workgroup's open comments.
            models.Index(fields=["workgroup"], condition=models.Q(resolved_at__isnull=True),
                         name="comment_open_by_workgroup"),
            # A version's page reads its agreement's comments, open first.
            models.Index(fields=["agreement", "clause_key", "created_at"], name="comment_agreement_clause"),
        ]

    def __str__(self) -> str:
        return f"Comment on {self.clause_key} ({self.version})"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class CommentReply(WorkgroupOwnedModel):
    """A reply in a comment's thread (the drafter's answer, the reviewer's follow-up)."""

    comment = models.ForeignKey(ReviewComment, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    version_number = models.PositiveIntegerField()  # the version the author was reading
    body = models.TextField()

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Reply to comment {self.comment_id}"


class ReviewDecision(WorkgroupOwnedModel):
    """The workgroup's legal reviewer's decision on one version: changes requested, or approved.

    Approving while comments are open needs a reason; it is kept here with the number left open.
    """

    class Kind(models.TextChoices):
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="review_decisions")
    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="review_decisions")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decision = models.CharField(max_length=20, choices=Kind.choices)
    note = models.TextField(blank=True)
    open_comments = models.PositiveIntegerField(default=0)
    override_reason = models.TextField(blank=True)

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agreement", "reviewer", "-created_at"], name="decision_agreement_reviewer")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(open_comments=0) | ~models.Q(override_reason=""),
                name="approval_over_open_comments_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.version}"


class PartyApproval(WorkgroupOwnedModel):
    """One party's counsel approving (or declining) one version, recorded through an account or a one-time link.

    A row with ``token_nonce`` and no ``decided_at`` is a link sent and not yet used.
    """

    class Decision(models.TextChoices):
        PENDING = "pending", "Waiting"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="party_approvals")
    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="party_approvals")
    party = models.ForeignKey(AgreementParty, on_delete=models.CASCADE, related_name="approvals")
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    approver_name = models.CharField(max_length=200, blank=True)
    approver_title = models.CharField(max_length=200, blank=True)
    approver_email = models.EmailField(blank=True)
    note = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")  # the account that recorded it; empty when by link
    token_nonce = models.CharField(max_length=32, blank=True)
    link_expires_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "token_nonce"])

    class Meta:
        ordering = ["party__order", "-created_at", "-id"]
        indexes = [models.Index(fields=["version", "party", "-created_at"], name="party_approval_version_party")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision="pending", decided_at__isnull=True)
                | (~models.Q(decision="pending") & models.Q(decided_at__isnull=False)),
                name="party_approval_decided_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party}: {self.get_decision_display()} ({self.version})"


class WordImport(WorkgroupOwnedModel):
    """A DOCX edited outside the app, read against one version: proposed clause changes waiting for a decision.

    ``proposals``: [{key, title, status, base_html, proposed_html, tracked}] per matched clause;
    ``unmatched``: [{text, where}] passages that could not be tied to a clause. The uploaded file is not kept.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="word_imports")
    base_version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="word_imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    filename = models.CharField(max_length=200)
    from_party = models.CharField(max_length=200, blank=True)  # whose counsel marked it up
    # False when the file did not say which agreement and version it was exported from (read against the current).
    origin_checked = models.BooleanField(default=True)
    proposals = models.JSONField(default=list, blank=True)
    unmatched = models.JSONField(default=list, blank=True)
    # The version the accepted changes became (empty until applied; an applied import is not applied again).
    applied_version = models.ForeignKey(AgreementVersion, on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="+")
    applied_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "proposals", "unmatched"])

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agreement", "-created_at", "-id"], name="word_import_agreement_created")]

    def __str__(self) -> str:
        return f"{self.filename} against {self.base_version}"


class PacketSection(models.TextChoices):
    """What an agreement packet may hold besides its cover, contents, the agreement and signature pages."""

    DIRECTORY = "directory", "Contact directory of the parties"
    RACI = "raci", "Roles and responsibilities (RACI)"
    PROTOCOL = "protocol", "Triage protocol: risk levels, decision tree and decision-point matrix"
    DATA_SHARING = "data_sharing", "Data-sharing terms"
    COMMENTS = "comments", "Open review comments (versions not yet approved)"


class AgreementPacket(WorkgroupOwnedModel):
    """A PDF packet of one agreement version, built in the background; its file is its job's result."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="packets")
    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="packets")
    sections = models.JSONField(default=list, blank=True)  # PacketSection values, in PacketSection order
    options_key = models.CharField(max_length=200)  # the options as one string: same version + key = same packet
    # For counsel who redline in Word: a ZIP of the agreement as DOCX and the rest of the packet as PDF.
    as_zip = models.BooleanField(default=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # The job that builds it (the latest one, after a retry). Deleting the packet deletes its job and file.
    job = models.OneToOneField("toolkit.Job", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="agreement_packet")
    page_count = models.PositiveIntegerField(null=True, blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["agreement", "-created_at", "-id"], name="packet_agreement_created"),
            models.Index(fields=["version", "options_key"], name="packet_version_options"),
        ]

    def __str__(self) -> str:
        return f"Packet of {self.version}"

    def get_absolute_url(self) -> str:
        return reverse("agreements:packet-detail", kwargs={"slug": self.workgroup.slug,
                                                           "agreement_id": self.agreement_id, "packet_id": self.pk})
