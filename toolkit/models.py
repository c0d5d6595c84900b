"""Core models: people, workgroups, memberships with roles, invitations and background jobs."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords


class UserManager(BaseUserManager):
    """People sign in with their e-mail address; there is no separate username."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username: str):
        # People type their address with whatever capitals their phone gives them.
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    email = models.EmailField("e-mail address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_unique_ignoring_case")]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).strip().lower()


class JurisdictionType(models.TextChoices):
    STATE = "state", "State"
    TERRITORY = "territory", "Territory"
    TRIBAL_NATION = "tribal_nation", "Tribal nation"
    COUNTY = "county", "County"
    CITY = "city", "City"
    REGION = "region", "Region"


class WorkgroupGoal(models.TextChoices):
    # The seed's first readiness question: is the goal interoperability or integrated workflows?
    INTEROPERABILITY = "interoperability", "Interoperability of 988 and 911"
    INTEGRATED_WORKFLOWS = "integrated_workflows", "Integrated workflows"


class WorkgroupQuerySet(models.QuerySet):
    def visible_to(self, user) -> WorkgroupQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


class Workgroup(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    jurisdiction_type = models.CharField(max_length=20, choices=JurisdictionType.choices)
    jurisdiction_name = models.CharField(
        max_length=200, help_text="For example “Riverbend County” or “State of Example”."
    )
    goal = models.CharField(max_length=30, choices=WorkgroupGoal.choices, default=WorkgroupGoal.INTEROPERABILITY)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = WorkgroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("toolkit:dashboard", kwargs={"slug": self.slug})


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "Coordinator"
    MEMBER = "member", "Member"
    LEGAL_REVIEWER = "legal_reviewer", "Legal reviewer"
    QA_REVIEWER = "qa_reviewer", "QA reviewer"
    VIEWER = "viewer", "Viewer"


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    workgroup = models.ForeignKey(Workgroup, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["workgroup__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "workgroup"], name="membership_one_per_user_and_workgroup"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} in {self.workgroup}"


class Invitation(models.Model):
    workgroup = models.ForeignKey(Workgroup, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="invitation_role_valid"),
            # At most one open invitation per address and workgroup: re-inviting replaces it.
            models.UniqueConstraint(
                Lower("email"),
                "workgroup",
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.workgroup} as {self.get_role_display()}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired


class WorkgroupOwnedQuerySet(models.QuerySet):
    def for_workgroup(self, workgroup: Workgroup) -> WorkgroupOwnedQuerySet:
        return self.filter(workgroup=workgroup)


class WorkgroupOwnedModel(models.Model):
    """Base for every row that belongs to one workgroup (organizations, agreements, incidents…).

    The ``workgroup`` field is what the permission layer, the scoped forms and the audit
    trail look for.
    """

    workgroup = models.ForeignKey(Workgroup, on_delete=models.CASCADE, related_name="%(app_label)s_%(class)s_set")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkgroupOwnedQuerySet.as_manager()

    class Meta:
        abstract = True


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class JobQuerySet(models.QuerySet):
    def for_workgroup(self, workgroup: Workgroup) -> JobQuerySet:
        return self.filter(workgroup=workgroup)


def job_result_path(job: Job, filename: str) -> str:
    return f"jobs/{job.workgroup_id}/{job.pk}/{filename}"


class Job(models.Model):
    """A piece of background work (a PDF packet, a report) and what became of it.

    The kind names a registered runner (see ``toolkit.jobs``); the row is the only
    place its outcome is kept, so the status page and downloads read it from here.
    """

    workgroup = models.ForeignKey(Workgroup, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=60)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    error_message = models.TextField(blank=True)
    result = models.FileField(upload_to=job_result_path, blank=True, max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="jobs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="job_progress_at_most_100"),
            models.CheckConstraint(condition=models.Q(status__in=JobStatus.values), name="job_status_valid"),
        ]
        indexes = [models.Index(fields=["workgroup", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("toolkit:job-detail", kwargs={"slug": self.workgroup.slug, "pk": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.status in {JobStatus.SUCCEEDED, JobStatus.FAILED}
