"""Transfer records: one call handed from one partner to another, closed-loop, without the caller's identity.

Triage owns routing, so it owns what routing produced: each transfer names the protocol version that was
in force when it was initiated (filled in by the services from ``InForcePeriod``), the outcome and risk
level that sent it, the agreement that governs the two partners, the transfer line dialled, and the
incident it led to when something went wrong. Nothing here names or identifies a caller: a partner's own
call id at most, which is also what makes re-importing the same export idempotent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from toolkit.models import WorkgroupOwnedModel, WorkgroupUploadTo
from triage.models.protocols import HISTORY, Route


class Direction(models.TextChoices):
    """Who handed the call to whom. Stored and exchanged through the API and imports: never rename a value."""

    FROM_911_TO_988 = "911_to_988", "911 → 988"
    FROM_988_TO_911 = "988_to_911", "988 → 911"
    FROM_988_TO_MOBILE = "988_to_mobile", "988 → mobile crisis"
    FROM_911_TO_MOBILE = "911_to_mobile", "911 → mobile crisis"
    FROM_911_TO_CO_RESPONSE = "911_to_co_response", "911 → co-response"
    OTHER = "other", "Other transfer between partners"


class TransferKind(models.TextChoices):
    WARM = "warm", "Warm (the sender stays on until the receiver takes the call)"
    COLD = "cold", "Cold (the caller is passed on or given the number)"


class Consent(models.TextChoices):
    AGREED = "agreed", "Caller agreed to the transfer"
    DECLINED = "declined", "Caller declined"
    NOT_ASKED = "not_asked", "Not asked"
    NOT_REQUIRED = "not_required", "Not sought: imminent risk to life"


class TransferResult(models.TextChoices):
    ACCEPTED = "accepted", "Accepted by the receiver"
    REFUSED = "refused", "Refused by the receiver"
    DROPPED = "dropped", "Dropped before the receiver took it"
    CALLER_DISCONNECTED = "caller_disconnected", "Caller disconnected"
    RETURNED = "returned", "Transferred back to the sender"


# Results in which the receiver took the call (and so may have an accept time).
ACCEPTED_RESULTS = (TransferResult.ACCEPTED, TransferResult.RETURNED)


class FollowUpOutcome(models.TextChoices):
    REACHED_SAFE = "reached_safe", "Reached: safe, no further help needed"
    REACHED_HELP = "reached_help", "Reached: further help arranged"
    DECLINED = "declined", "Reached: declined follow-up"
    NOT_REACHED = "not_reached", "Could not be reached"


class TransferSource(models.TextChoices):
    FORM = "form", "Entered in the app"
    IMPORT = "import", "Imported from a CSV export"
    API = "api", "Sent through the API"


class Transfer(WorkgroupOwnedModel):
    direction = models.CharField(max_length=20, choices=Direction.choices)
    # RESTRICT: an organization with transfer records cannot vanish and take the history with it.
    sending_organization = models.ForeignKey("partners.Organization", on_delete=models.RESTRICT, related_name="+")
    receiving_organization = models.ForeignKey("partners.Organization", on_delete=models.RESTRICT, related_name="+")
    line = models.ForeignKey("partners.TransferLine", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="transfers", verbose_name="transfer line dialled")
    # The partner whose system gave ``partner_call_id`` (the one whose export was imported, or the sender).
    source_organization = models.ForeignKey("partners.Organization", on_delete=models.RESTRICT, null=True,
                                            blank=True, related_name="+", verbose_name="call id of")
    partner_call_id = models.CharField(
        "partner's call id", max_length=60, blank=True,
        help_text="The CAD incident number or crisis-line contact id in that partner's system. Never a caller's "
                  "name, phone number or other identifier.")

    call_received_at = models.DateTimeField("call received", null=True, blank=True)
    initiated_at = models.DateTimeField("transfer initiated")
    accepted_at = models.DateTimeField("accepted by the receiver", null=True, blank=True)
    ended_at = models.DateTimeField("call ended", null=True, blank=True)

    kind = models.CharField("warm or cold", max_length=4, choices=TransferKind.choices, default=TransferKind.WARM)
    consent = models.CharField("caller consent", max_length=12, choices=Consent.choices, blank=True)
    result = models.CharField(max_length=20, choices=TransferResult.choices)

    # Why: filled in from the protocol in force when the transfer was initiated (see module docstring).
    protocol_version = models.ForeignKey("triage.ProtocolVersion", on_delete=models.SET_NULL, null=True, blank=True,
                                         related_name="transfers", verbose_name="protocol version in force")
    outcome = models.ForeignKey("triage.Node", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name="triage outcome")
    route = models.CharField(max_length=20, choices=Route.choices, blank=True)
    risk_level = models.ForeignKey("triage.RiskLevel", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    # The level's name as it was (kept if the version goes; metrics group by it across versions).
    risk_level_name = models.CharField("risk level", max_length=80, blank=True)
    agreement = models.ForeignKey("agreements.Agreement", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name="governing agreement")

    follow_up_due_at = models.DateTimeField("follow-up due", null=True, blank=True)
    follow_up_done_at = models.DateTimeField("follow-up done", null=True, blank=True)
    follow_up_outcome = models.CharField(max_length=20, choices=FollowUpOutcome.choices, blank=True)

    incident = models.ForeignKey("incidents.Incident", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="transfers")
    source = models.CharField(max_length=10, choices=TransferSource.choices, default=TransferSource.FORM)
    transfer_import = models.ForeignKey("triage.TransferImport", on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="transfers")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    # Changes to one record (a follow-up, a correction, the incident it led to) are kept; bulk imports write
    # no history rows, only one audit row per transfer (``toolkit.audit.record_created_in_bulk``).
    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["-initiated_at", "-id"]
        indexes = [
            # The list (keyset on initiated_at, id) whole or by one filter, and every metric's period range.
            models.Index(fields=["workgroup", "-initiated_at", "-id"], name="transfer_wg_initiated"),
            models.Index(fields=["workgroup", "direction", "-initiated_at", "-id"], name="transfer_wg_direction"),
            models.Index(fields=["workgroup", "result", "-initiated_at", "-id"], name="transfer_wg_result"),
            models.Index(fields=["sending_organization", "-initiated_at", "-id"], name="transfer_sender"),
            models.Index(fields=["receiving_organization", "-initiated_at", "-id"], name="transfer_receiver"),
            models.Index(fields=["protocol_version", "initiated_at"], name="transfer_protocol_version"),
            models.Index(fields=["workgroup", "follow_up_due_at"], name="transfer_wg_follow_up_due",
                         condition=models.Q(follow_up_done_at__isnull=True, follow_up_due_at__isnull=False)),
        ]
        constraints = [
            # Idempotent imports: a partner's call id is recorded once per partner.
            models.UniqueConstraint(fields=["workgroup", "source_organization", "partner_call_id"],
                                    condition=~models.Q(partner_call_id=""), name="transfer_call_id_once",
                                    violation_error_message="A transfer with this partner's call id is recorded "
                                                            "already."),
            models.CheckConstraint(condition=models.Q(direction__in=Direction.values), name="transfer_direction"),
            models.CheckConstraint(condition=models.Q(result__in=TransferResult.values), name="transfer_result"),
            models.CheckConstraint(condition=models.Q(kind__in=TransferKind.values), name="transfer_kind"),
            models.CheckConstraint(condition=~models.Q(sending_organization=models.F("receiving_organization")),
                                   name="transfer_between_two_partners",
                                   violation_error_message="A transfer goes from one partner to another."),
            models.CheckConstraint(condition=models.Q(call_received_at__isnull=True)
                                   | models.Q(call_received_at__lte=models.F("initiated_at")),
                                   name="transfer_received_before_initiated",
                                   violation_error_message="The call was received after the transfer was "
                                                           "initiated: check both times."),
            models.CheckConstraint(condition=models.Q(accepted_at__isnull=True)
                                   | models.Q(accepted_at__gte=models.F("initiated_at"), result__in=ACCEPTED_RESULTS),
                                   name="transfer_accepted_after_initiated",
                                   violation_error_message="An accept time goes with a transfer that was accepted "
                                                           "(or accepted and sent back), no earlier than it was "
                                                           "initiated."),
            models.CheckConstraint(condition=models.Q(ended_at__isnull=True)
                                   | models.Q(ended_at__gte=models.F("initiated_at")),
                                   name="transfer_ended_after_initiated",
                                   violation_error_message="The call ended before the transfer was initiated: "
                                                           "check both times."),
            models.CheckConstraint(condition=models.Q(follow_up_done_at__isnull=True, follow_up_outcome="")
                                   | models.Q(follow_up_done_at__isnull=False) & ~models.Q(follow_up_outcome=""),
                                   name="transfer_follow_up_done_with_outcome",
                                   violation_error_message="A follow-up needs both when it was done and how it "
                                                           "went."),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} transfer {self.initiated_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("transfers:detail", kwargs={"slug": self.workgroup.slug, "transfer_id": self.pk})

    @property
    def seconds_to_accept(self) -> float | None:
        if self.accepted_at is None:
            return None
        return (self.accepted_at - self.initiated_at).total_seconds()


class TransferSettings(models.Model):
    """A workgroup's transfer choices. No row means the defaults (``selectors.transfer_settings``)."""

    workgroup = models.OneToOneField("toolkit.Workgroup", on_delete=models.CASCADE, related_name="+")
    follow_up_hours = models.PositiveSmallIntegerField(
        "follow up within (hours)", default=72,
        help_text="The window the partners agreed for confirming that help reached the person (24 to 72 hours is "
                  "usual). Each new transfer's follow-up is due this long after it was initiated.")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name_plural = "transfer settings"
        constraints = [models.CheckConstraint(condition=models.Q(follow_up_hours__range=(1, 720)),
                                              name="transfer_follow_up_hours_range")]

    def __str__(self) -> str:
        return f"Transfer settings of workgroup {self.workgroup_id}"


class ImportStatus(models.TextChoices):
    PENDING = "pending", "Waiting for confirmation"
    IMPORTED = "imported", "Imported"
    DISCARDED = "discarded", "Discarded"


class TransferImportMapping(WorkgroupOwnedModel):
    """Which column of a partner's export holds which field, saved so the next month's file maps itself."""

    organization = models.ForeignKey("partners.Organization", on_delete=models.CASCADE, related_name="+")
    mapping = models.JSONField(default=dict, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workgroup", "organization"],
                                               name="transfer_mapping_once_per_partner")]

    def __str__(self) -> str:
        return f"Transfer import columns of {self.organization}"


class TransferImport(WorkgroupOwnedModel):
    """A partner's CSV export of transfers, from upload through mapping, check and preview to the import."""

    organization = models.ForeignKey("partners.Organization", on_delete=models.CASCADE, related_name="+",
                                     verbose_name="whose export")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    filename = models.CharField(max_length=255)
    file = models.FileField(upload_to=WorkgroupUploadTo("transfer-imports"), blank=True, max_length=300)
    size = models.PositiveBigIntegerField("size in bytes", default=0)
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    summary = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    transfers_created = models.PositiveIntegerField(default=0)
    transfers_already_recorded = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workgroup", "-created_at"], name="transfer_import_wg_created")]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ImportStatus.values), name="transfer_import_status"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("transfers:import-preview",
                       kwargs={"slug": self.workgroup.slug, "transfer_import_id": self.pk})
