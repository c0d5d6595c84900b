"""Readiness self-assessment: instruments (versioned), rounds sent to respondents, answers, action items.

An instrument version is edited only while it is a draft; a published version is immutable
(rounds cite it) and editing starts a new draft copied from it. Respondents are members with
accounts or people reached by an expiring one-time link; a submitted response is locked.
Scores are computed from the answers on demand (``readiness.scoring``), never stored.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from toolkit.models import WorkgroupGoal, WorkgroupOwnedModel

HISTORY = {"excluded_fields": ["updated_at"]}
WEIGHT_VALIDATORS = [MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("10"))]


class Instrument(WorkgroupOwnedModel):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("workgroup", Lower("name"), name="instrument_name_unique_in_workgroup")
        ]
        indexes = [models.Index(fields=["workgroup", "name"], name="readiness_instrument_wg_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("readiness:instrument-detail", kwargs={"slug": self.workgroup.slug, "instrument_id": self.pk})


class InstrumentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class InstrumentVersion(WorkgroupOwnedModel):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=InstrumentStatus.choices, default=InstrumentStatus.DRAFT)
    based_on = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    change_summary = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["instrument", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "number"], name="instrument_version_number_unique"),
            models.UniqueConstraint(
                fields=["instrument"], condition=models.Q(status="draft"), name="instrument_one_open_draft"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=InstrumentStatus.values), name="instrument_version_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["workgroup", "status"], name="readiness_version_wg_status")]

    def __str__(self) -> str:
        return f"{self.instrument} v{self.number} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("readiness:version-detail",
                       kwargs={"slug": self.workgroup.slug, "instrument_version_id": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status == InstrumentStatus.DRAFT


class Dimension(WorkgroupOwnedModel):
    version = models.ForeignKey(InstrumentVersion, on_delete=models.CASCADE, related_name="dimensions")
    key = models.SlugField(
        max_length=40, help_text="Short name that stays the same across versions, so rounds can be compared."
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    suggested_action = models.TextField(
        blank=True, help_text="Proposed as an action item when this dimension scores under the round's threshold."
    )
    weight = models.DecimalField(
        max_digits=4, decimal_places=2, default=Decimal("1"), validators=WEIGHT_VALIDATORS,
        help_text="How much this dimension counts in the overall score (1 = the same as the others).",
    )
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="dimension_key_unique_in_version"),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="dimension_weight_positive"),
        ]
        indexes = [models.Index(fields=["version", "order", "id"], name="readiness_dimension_order")]

    def __str__(self) -> str:
        return self.name


class AnswerType(models.TextChoices):
    AGREEMENT = "agreement", "Agreement scale (1–5)"
    YES_PARTLY_NO = "yes_partly_no", "Yes / partly / no"
    NUMBER = "number", "Number (recorded, not scored)"
    TEXT = "text", "Free text (recorded, not scored)"


SCORED_TYPES = (AnswerType.AGREEMENT, AnswerType.YES_PARTLY_NO)


class Item(WorkgroupOwnedModel):
    version = models.ForeignKey(InstrumentVersion, on_delete=models.CASCADE, related_name="items")
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="items")
    statement = models.CharField(max_length=400)
    help_text = models.TextField(blank=True)
    answer_type = models.CharField(max_length=15, choices=AnswerType.choices, default=AnswerType.AGREEMENT)
    weight = models.DecimalField(
        max_digits=4, decimal_places=2, default=Decimal("1"), validators=WEIGHT_VALIDATORS,
        help_text="How much this statement counts within its dimension.",
    )
    reverse_scored = models.BooleanField(
        default=False, help_text="Agreeing is a bad sign (e.g. “Turnover is likely to set this work back”)."
    )
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="item_weight_positive"),
            models.CheckConstraint(
                condition=models.Q(answer_type__in=AnswerType.values), name="item_answer_type_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(reverse_scored=False) | models.Q(answer_type__in=[t.value for t in SCORED_TYPES]),
                name="item_reverse_only_when_scored",
            ),
        ]
        indexes = [
            models.Index(fields=["version", "order", "id"], name="readiness_item_version_order"),
            models.Index(fields=["dimension", "order", "id"], name="readiness_item_dimension_order"),
        ]

    def __str__(self) -> str:
        return self.statement

    @property
    def is_scored(self) -> bool:
        return self.answer_type in SCORED_TYPES


class RoundStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class AssessmentRound(WorkgroupOwnedModel):
    title = models.CharField(max_length=200)
    # RESTRICT: a version a round cites cannot be deleted on its own, but goes with its workgroup.
    instrument_version = models.ForeignKey(InstrumentVersion, on_delete=models.RESTRICT, related_name="rounds")
    scope_statement = models.TextField(
        help_text="What change partners are asked about: which calls, which area, which organizations."
    )
    goal = models.CharField(max_length=30, choices=WorkgroupGoal.choices, default=WorkgroupGoal.INTEROPERABILITY)
    due_date = models.DateField()
    action_threshold = models.DecimalField(
        max_digits=3, decimal_places=2, default=Decimal("3.00"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("5"))],
        help_text="Dimensions and statements scoring under this become proposed action items.",
    )
    status = models.CharField(max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=RoundStatus.values), name="round_status_valid"),
            models.CheckConstraint(
                condition=models.Q(action_threshold__gte=1) & models.Q(action_threshold__lte=5),
                name="round_threshold_on_the_scale",
            ),
        ]
        indexes = [
            models.Index(fields=["workgroup", "-opened_at", "-id"], name="readiness_round_wg_opened"),
            models.Index(fields=["workgroup", "status"], name="readiness_round_wg_status"),
            # The daily reminder task looks for open rounds due soon, across workgroups.
            models.Index(fields=["status", "due_date"], name="readiness_round_status_due"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("readiness:round-detail", kwargs={"slug": self.workgroup.slug, "round_id": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN


# Respondents reached by a one-time link (they have a nonce), for filters; members have none.
LINK_RESPONDENT = ~models.Q(token_nonce="")


class Respondent(WorkgroupOwnedModel):
    """Someone asked to answer a round: a member (``user``) or a person reached by a one-time link.

    A member whose account is deleted stays (``user`` becomes NULL) with their answers, as neither a
    member nor a link respondent: ``account_deleted``. Nobody can answer for them or be sent their questionnaire.
    """

    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="respondents")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contact = models.ForeignKey("partners.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    organization = models.ForeignKey(
        "partners.Organization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    organization_name = models.CharField(max_length=200, blank=True)  # kept if the organization is removed
    role_title = models.CharField("role", max_length=200, blank=True)
    # Rotated when a new link is sent, which makes every earlier link useless.
    token_nonce = models.CharField(max_length=32, blank=True)
    link_expires_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invitation_sent_at = models.DateTimeField(null=True, blank=True)
    # Why the last invitation e-mail was not delivered (the coordinator sees it and can resend).
    invitation_error = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords(excluded_fields=["updated_at", "token_nonce"])

    class Meta:
        ordering = ["organization_name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "user"], condition=models.Q(user__isnull=False),
                name="respondent_member_once_per_round",
            ),
            models.UniqueConstraint("round", Lower("email"), name="respondent_email_once_per_round"),
            # A link (a nonce) always has an expiry, and an expiry belongs to a link. Nothing here names the
            # user: a member whose account is deleted (user → NULL) keeps the row and its answers.
            models.CheckConstraint(
                condition=(models.Q(token_nonce="") & models.Q(link_expires_at__isnull=True))
                | (~models.Q(token_nonce="") & models.Q(link_expires_at__isnull=False)),
                name="respondent_link_has_expiry",
            ),
            # A member answers in the app, never through a link.
            models.CheckConstraint(
                condition=models.Q(user__isnull=True) | models.Q(token_nonce=""),
                name="respondent_member_has_no_link",
            ),
        ]
        indexes = [
            models.Index(fields=["round", "organization_name", "name"], name="readiness_respondent_list"),
            models.Index(fields=["round", "submitted_at"], name="readiness_respondent_submitted"),
            models.Index(fields=["user", "workgroup"], name="readiness_respondent_user",
                         condition=models.Q(user__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organization_name or 'no organization'})"

    @property
    def uses_link(self) -> bool:
        """Reached by a one-time link (it has a nonce), not a member account."""
        return bool(self.token_nonce)

    @property
    def account_deleted(self) -> bool:
        """A member whose account was deleted: the row and its answers stay, but nobody can answer or be sent it."""
        return not self.token_nonce and self.user_id is None

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def link_expired(self) -> bool:
        return self.link_expires_at is not None and timezone.now() >= self.link_expires_at

    @property
    def state_label(self) -> str:
        if self.submitted_at:
            return "Submitted"
        if self.account_deleted:
            return "Account deleted"
        if self.started_at:
            return "In progress"
        return "Invited"


class Answer(models.Model):
    """One respondent's answer to one statement. ``choice`` holds 1–5, yes/partly/no or “unsure”."""

    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="answers")
    choice = models.CharField(max_length=10, blank=True)
    number = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    text = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["item__dimension__order", "item__order", "item_id"]
        constraints = [models.UniqueConstraint(fields=["respondent", "item"], name="answer_once_per_item")]

    def __str__(self) -> str:
        return f"{self.respondent} → {self.item_id}: {self.choice or self.number or self.text[:30]}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class ActionItem(WorkgroupOwnedModel):
    """A step in the workgroup's action plan, usually accepted from a round's gaps."""

    round = models.ForeignKey(
        AssessmentRound, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items"
    )
    # "dimension:<key>" or "item:<id>" for accepted gaps, so one gap becomes at most one action item.
    source_key = models.CharField(max_length=60, blank=True)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owner_organization = models.ForeignKey(
        "partners.Organization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(**HISTORY)

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "source_key"], condition=~models.Q(source_key=""), name="action_once_per_gap"
            ),
            models.CheckConstraint(condition=models.Q(status__in=ActionStatus.values), name="action_status_valid"),
        ]
        indexes = [
            models.Index(fields=["workgroup", "status", "due_date"], name="readiness_action_wg_status_due"),
            models.Index(fields=["workgroup", "due_date"], name="readiness_action_wg_due"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("readiness:action-edit", kwargs={"slug": self.workgroup.slug, "action_item_id": self.pk})

    @property
    def is_closed(self) -> bool:
        return self.status in (ActionStatus.DONE, ActionStatus.DROPPED)

    @property
    def is_overdue(self) -> bool:
        return not self.is_closed and self.due_date is not None and self.due_date < timezone.localdate()
