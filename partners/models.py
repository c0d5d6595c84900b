"""The partner map: sectors, organizations, contacts, interoperability functions and RACI roles."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

from partners.validators import validate_phone, validate_transfer_number
from toolkit.models import WorkgroupOwnedModel, WorkgroupUploadTo


class SectorTier(models.TextChoices):
    CORE = "core", "Core member (recommended)"
    ADDITIONAL = "additional", "Additional member (recommended)"
    CUSTOM = "custom", "Added by the workgroup"


class Sector(WorkgroupOwnedModel):
    key = models.SlugField(max_length=60)
    name = models.CharField(max_length=120)
    tier = models.CharField(max_length=12, choices=SectorTier.choices, default=SectorTier.CUSTOM)
    why = models.CharField("why it matters", max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=100)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["order", "name"]
        indexes = [models.Index(fields=["workgroup", "tier", "order"], name="partners_sector_wg_tier")]
        constraints = [
            models.UniqueConstraint(fields=["workgroup", "key"], name="sector_key_unique_in_workgroup"),
            models.UniqueConstraint("workgroup", Lower("name"), name="sector_name_unique_in_workgroup"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_recommended(self) -> bool:
        return self.tier != SectorTier.CUSTOM


class OrganizationType(models.TextChoices):
    PUBLIC_AGENCY = "public_agency", "Public agency"
    PROVIDER = "provider", "Service provider"
    COMMUNITY = "community", "Community organization"
    TRIBAL_GOVERNMENT = "tribal_government", "Tribal government"
    ELECTED_OFFICE = "elected_office", "Elected office"
    OTHER = "other", "Other"


class EngagementStatus(models.TextChoices):
    IDENTIFIED = "identified", "Identified"
    INVITED = "invited", "Invited"
    ENGAGED = "engaged", "Engaged"
    CHAMPION = "champion", "Champion"
    INACTIVE = "inactive", "Inactive"


class Engagement(models.TextChoices):
    """Where a partner stands on 988/911 interoperability (a stakeholder engagement scale)."""

    UNAWARE = "unaware", "Unaware"
    RESISTANT = "resistant", "Resistant"
    NEUTRAL = "neutral", "Neutral"
    SUPPORTIVE = "supportive", "Supportive"
    LEADING = "leading", "Leading"


ENGAGEMENT_ORDER = {value: index for index, value in enumerate(Engagement.values)}


class Quadrant(models.TextChoices):
    MANAGE_CLOSELY = "manage_closely", "Manage closely"
    KEEP_SATISFIED = "keep_satisfied", "Keep satisfied"
    KEEP_INFORMED = "keep_informed", "Keep informed"
    MONITOR = "monitor", "Monitor"


# On the 1–5 scales a 3 counts as high: better to over-engage a partner than to overlook one.
HIGH_SCORE = 3


def quadrant_for(influence: int, interest: int) -> str:
    if influence >= HIGH_SCORE:
        return Quadrant.MANAGE_CLOSELY if interest >= HIGH_SCORE else Quadrant.KEEP_SATISFIED
    return Quadrant.KEEP_INFORMED if interest >= HIGH_SCORE else Quadrant.MONITOR


def _score_field(verbose_name: str, help_text: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(verbose_name, default=3, help_text=help_text)


class Organization(WorkgroupOwnedModel):
    name = models.CharField(max_length=200)
    # RESTRICT: a sector in use cannot be deleted alone, but goes with its workgroup.
    sector = models.ForeignKey(Sector, on_delete=models.RESTRICT, related_name="organizations")
    org_type = models.CharField("type", max_length=20, choices=OrganizationType.choices)
    jurisdiction = models.CharField(max_length=200, blank=True)
    website = models.URLField(blank=True)
    notes = models.TextField(blank=True)
    engagement_status = models.CharField(
        max_length=12, choices=EngagementStatus.choices, default=EngagementStatus.IDENTIFIED
    )
    influence = _score_field("influence", "1–5: how much this organization can shape the outcome.")
    impact = _score_field("impact", "1–5: how much interoperability changes this organization's work.")
    interest = _score_field("interest", "1–5: how much this organization cares about the outcome.")
    current_engagement = models.CharField(max_length=12, choices=Engagement.choices, default=Engagement.UNAWARE)
    desired_engagement = models.CharField(max_length=12, choices=Engagement.choices, default=Engagement.SUPPORTIVE)
    rating_evidence = models.TextField(
        "evidence for the ratings",
        blank=True,
        help_text="What the ratings rest on (meetings, letters, votes). Keep it factual: partners may read it.",
    )
    last_reviewed = models.DateField("ratings last reviewed", null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["name"]
        # The directory's ordering and filters, the grid's quadrant (influence, interest) and the RACI columns.
        # Text search (icontains) on name and jurisdiction uses trigram indexes (migration 0003, PostgreSQL).
        indexes = [
            models.Index(fields=["workgroup", "name"], name="partners_org_wg_name"),
            models.Index(fields=["workgroup", "engagement_status", "name"], name="partners_org_wg_status"),
            models.Index(fields=["sector", "name"], name="partners_org_sector_name"),
            models.Index(fields=["workgroup", "influence", "interest"], name="partners_org_wg_scores"),
        ]
        constraints = [
            models.UniqueConstraint("workgroup", Lower("name"), name="organization_name_unique_in_workgroup"),
            models.CheckConstraint(condition=models.Q(influence__gte=1, influence__lte=5), name="org_influence_1_5"),
            models.CheckConstraint(condition=models.Q(impact__gte=1, impact__lte=5), name="org_impact_1_5"),
            models.CheckConstraint(condition=models.Q(interest__gte=1, interest__lte=5), name="org_interest_1_5"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "partners:organization-detail", kwargs={"slug": self.workgroup.slug, "organization_id": self.pk}
        )

    @property
    def quadrant(self) -> str:
        return quadrant_for(self.influence, self.interest)

    @property
    def engagement_gap(self) -> int:
        """Steps between where the partner is and where the workgroup needs them (positive: to raise)."""
        return ENGAGEMENT_ORDER[self.desired_engagement] - ENGAGEMENT_ORDER[self.current_engagement]


class WorkgroupRole(models.TextChoices):
    CHAIR = "chair", "Chair or co-chair"
    VOTING = "voting", "Voting member"
    ADVISORY = "advisory", "Advisory member"
    ALTERNATE = "alternate", "Alternate"
    STAFF = "staff", "Staff support"
    NONE = "none", "Not on the workgroup"


class TurnoverRisk(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Contact(WorkgroupOwnedModel):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(
        max_length=40, blank=True, validators=[validate_phone], help_text="Stored in international format."
    )
    workgroup_role = models.CharField(max_length=12, choices=WorkgroupRole.choices, default=WorkgroupRole.VOTING)
    is_primary = models.BooleanField(
        "primary contact", default=False, help_text="Making this person primary replaces the current primary contact."
    )
    turnover_risk = models.CharField(
        "leadership-turnover risk",
        max_length=8,
        choices=TurnoverRisk.choices,
        default=TurnoverRisk.LOW,
        help_text="How likely this person is to leave the role soon; high risk threatens continuity.",
    )
    lived_experience = models.BooleanField("person with lived experience", default=False)
    lived_experience_consent = models.CharField(
        "consent to record lived experience",
        max_length=300,
        blank=True,
        help_text="When and how the person agreed to be listed as having lived experience.",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-is_primary", "name"]
        indexes = [models.Index(fields=["organization", "-is_primary", "name"], name="partners_contact_org_order")]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=models.Q(is_primary=True), name="contact_one_primary_per_org"
            ),
            # Lived experience is sensitive: it may only be recorded with the person's consent noted.
            models.CheckConstraint(
                condition=models.Q(lived_experience=False) | ~models.Q(lived_experience_consent=""),
                name="contact_lived_experience_needs_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organization})"


class InteropFunction(WorkgroupOwnedModel):
    """A job in the 988/911 system that someone must be responsible for (a RACI row)."""

    key = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    description = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=100)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["order", "name"]
        indexes = [models.Index(fields=["workgroup", "order", "name"], name="partners_function_wg_order")]
        constraints = [
            models.UniqueConstraint(fields=["workgroup", "key"], name="function_key_unique_in_workgroup"),
            models.UniqueConstraint("workgroup", Lower("name"), name="function_name_unique_in_workgroup"),
        ]

    def __str__(self) -> str:
        return self.name


class RaciRole(models.TextChoices):
    RESPONSIBLE = "R", "Responsible"
    ACCOUNTABLE = "A", "Accountable"
    CONSULTED = "C", "Consulted"
    INFORMED = "I", "Informed"


class RaciAssignment(WorkgroupOwnedModel):
    function = models.ForeignKey(InteropFunction, on_delete=models.CASCADE, related_name="assignments")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="raci_assignments")
    role = models.CharField(max_length=1, choices=RaciRole.choices)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["function__order", "organization__name"]
        # The matrix counts roles per function across the workgroup (the "Check" column and the summary).
        indexes = [models.Index(fields=["workgroup", "function", "role"], name="partners_raci_wg_function")]
        constraints = [
            models.UniqueConstraint(fields=["function", "organization"], name="raci_one_role_per_cell"),
            models.CheckConstraint(condition=models.Q(role__in=RaciRole.values), name="raci_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.function}: {self.organization} = {self.role}"


class ImportStatus(models.TextChoices):
    PENDING = "pending", "Waiting for confirmation"
    IMPORTED = "imported", "Imported"
    DISCARDED = "discarded", "Discarded"


class DirectoryImport(WorkgroupOwnedModel):
    """An uploaded directory CSV, from the upload through the background check and preview to the import.

    The file lives under the workgroup's prefix until it is imported or discarded; then it is
    deleted (the people's details live in the directory, or were not wanted). ``summary`` is what
    the last check found, for the preview page: counts, new sectors, the first rows and problems.
    """

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    filename = models.CharField(max_length=255)
    file = models.FileField(upload_to=WorkgroupUploadTo("partner-imports"), blank=True, max_length=300)
    size = models.PositiveBigIntegerField("size in bytes", default=0)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    summary = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    organizations_created = models.PositiveIntegerField(default=0)
    contacts_created = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workgroup", "-created_at"], name="partners_import_wg_created")]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ImportStatus.values), name="directory_import_status"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("partners:import-preview", kwargs={"slug": self.workgroup.slug, "directory_import_id": self.pk})


# --- Routing directory: the operational facts a transfer depends on -------------------------


class RoutingProfile(WorkgroupOwnedModel):
    """When an organization answers and where it serves: what a call-taker needs before transferring to it."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="routing")
    answers_24_7 = models.BooleanField("answers 24 hours a day, 7 days a week", default=False)
    hours = models.CharField("hours of operation", max_length=200, blank=True,
                             help_text="When it does not answer around the clock, e.g. “Mon–Fri 8:00–20:00”.")
    counties = models.TextField(blank=True, help_text="Counties or county-equivalents served, one per line.")
    cities = models.TextField(blank=True, help_text="Cities or towns served, one per line.")
    zip_codes = models.TextField("ZIP codes", blank=True, help_text="Five-digit ZIP codes, separated by spaces.")
    tribal_lands = models.TextField(blank=True, help_text="Tribal lands or reservations served, one per line.")
    mobile_response_urban_minutes = models.PositiveSmallIntegerField(
        "mobile crisis response target, urban (minutes)", null=True, blank=True)
    mobile_response_rural_minutes = models.PositiveSmallIntegerField(
        "mobile crisis response target, rural (minutes)", null=True, blank=True)
    notes = models.TextField(blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mobile_response_urban_minutes__isnull=True)
                | models.Q(mobile_response_urban_minutes__range=(1, 1440)), name="routing_urban_minutes_day"),
            models.CheckConstraint(
                condition=models.Q(mobile_response_rural_minutes__isnull=True)
                | models.Q(mobile_response_rural_minutes__range=(1, 1440)), name="routing_rural_minutes_day"),
        ]

    def __str__(self) -> str:
        return f"Routing of {self.organization}"


class LinePurpose(models.TextChoices):
    FROM_911 = "from_911", "Takes transfers from 911"
    FROM_988 = "from_988", "Takes transfers from 988"
    MOBILE_DISPATCH = "mobile_dispatch", "Mobile crisis dispatch"
    CO_RESPONSE = "co_response", "Co-response dispatch"
    BACKUP = "backup", "Backup or overflow"


class LineTestResult(models.TextChoices):
    ANSWERED = "answered", "Answered and reached the right desk"
    FAILED = "failed", "Failed (not answered, wrong desk or out of service)"


class TransferLine(WorkgroupOwnedModel):
    """A 10-digit number partners dial to transfer a call, and when it was last proven to work."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="transfer_lines")
    name = models.CharField(max_length=120, help_text="What partners call it, e.g. “Warm-transfer line for PSAPs”.")
    purpose = models.CharField(max_length=20, choices=LinePurpose.choices)
    number = models.CharField(max_length=40, validators=[validate_transfer_number],
                              help_text="The full 10-digit number with area code; never 911 or 988.")
    hours = models.CharField("hours", max_length=200, blank=True,
                             help_text="Leave blank when the line answers whenever the organization does.")
    is_active = models.BooleanField("in use", default=True)
    test_interval_days = models.PositiveSmallIntegerField("test every (days)", default=90)
    last_tested_on = models.DateField(null=True, blank=True)
    last_test_result = models.CharField(max_length=10, choices=LineTestResult.choices, blank=True)
    # last_tested_on (or the day the line was added) + test_interval_days, kept by the services: the
    # dashboard's overdue rule is one indexed comparison with today.
    next_test_due = models.DateField()
    notes = models.TextField(blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["organization__name", "name", "pk"]
        indexes = [
            models.Index(fields=["workgroup", "is_active", "next_test_due"], name="partners_line_wg_test_due"),
            models.Index(fields=["organization", "name"], name="partners_line_org_name"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="transfer_line_number_once_per_org"),
            models.CheckConstraint(condition=models.Q(test_interval_days__range=(1, 366)),
                                   name="transfer_line_test_interval_1_366"),
            models.CheckConstraint(condition=models.Q(purpose__in=LinePurpose.values), name="transfer_line_purpose"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} – {self.name}"


class TransferLineTest(WorkgroupOwnedModel):
    """One test call to a transfer line: the log behind ``TransferLine.last_tested_on``."""

    line = models.ForeignKey(TransferLine, on_delete=models.CASCADE, related_name="tests")
    tested_on = models.DateField()
    result = models.CharField(max_length=10, choices=LineTestResult.choices)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-tested_on", "-pk"]
        indexes = [models.Index(fields=["line", "-tested_on"], name="partners_linetest_line_date")]
        constraints = [
            models.CheckConstraint(condition=models.Q(result__in=LineTestResult.values), name="line_test_result"),
        ]

    def __str__(self) -> str:
        return f"{self.line} tested {self.tested_on}: {self.get_result_display()}"
