"""Core models: people, workgroups, memberships with roles, invitations and background jobs."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from simple_history.models import HistoricalRecords

from toolkit.text import normalise_text

if TYPE_CHECKING:
    from toolkit.permissions import Action


class ScopedQuerySet(models.QuerySet):
    """``restrict(membership, action)``: the one scoped read (see ``toolkit.permissions.restrict``)."""

    def restrict(self, membership: Membership | None, action: Action) -> models.QuerySet:
        from toolkit.permissions import restrict

        return restrict(self, membership, action)


class NormalisedTextMixin:
    """``full_clean()`` passes every free-text field through the one normaliser (``toolkit.text``).

    Services call ``full_clean()`` before saving, so text from forms, imports and the API alike
    reaches the database with line breaks unified and without characters documents cannot hold.
    """

    def clean_fields(self, exclude=None) -> None:
        errors: dict[str, list] = {}
        for field in self._meta.concrete_fields:
            if exclude and field.name in exclude:
                continue
            if not isinstance(field, models.CharField | models.TextField) or field.choices:
                continue
            value = getattr(self, field.attname)
            if not isinstance(value, str):
                continue
            try:
                setattr(self, field.attname, normalise_text(value, multiline=isinstance(field, models.TextField)))
            except ValidationError as exc:
                errors[field.name] = exc.error_list
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


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


class User(NormalisedTextMixin, AbstractUser):
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
        """Workgroups the person belongs to, archived ones included (they can still be read)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)

    def active(self) -> WorkgroupQuerySet:
        return self.filter(archived_at__isnull=True)

    def archived(self) -> WorkgroupQuerySet:
        return self.filter(archived_at__isnull=False)


class Workgroup(NormalisedTextMixin, models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    jurisdiction_type = models.CharField(max_length=20, choices=JurisdictionType.choices)
    jurisdiction_name = models.CharField(
        max_length=200, help_text="For example “Riverbend County” or “State of Example”."
    )
    goal = models.CharField(max_length=30, choices=WorkgroupGoal.choices, default=WorkgroupGoal.INTEROPERABILITY)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Archived: read-only for everyone, out of the switcher, restorable by a coordinator.
    archived_at = models.DateTimeField(null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Coordinators, legal and QA reviewers must pass two-step sign-in to open the workgroup.
    mfa_required = models.BooleanField(
        "require two-step sign-in", default=False,
        help_text="Coordinators, legal reviewers and QA reviewers must sign in with a code from an authenticator "
                  "app as well as their password.",
    )

    history = HistoricalRecords(excluded_fields=["archived_by"])
    objects = WorkgroupQuerySet.as_manager()
    workgroup_lookup = "pk"

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("toolkit:dashboard", kwargs={"slug": self.slug})

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


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
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["workgroup__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "workgroup"], name="membership_one_per_user_and_workgroup"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} in {self.workgroup}"


class Invitation(NormalisedTextMixin, models.Model):
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
    objects = ScopedQuerySet.as_manager()

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


class WorkgroupOwnedQuerySet(ScopedQuerySet):
    def for_workgroup(self, workgroup: Workgroup) -> WorkgroupOwnedQuerySet:
        """The workgroup's rows, for selectors handed a workgroup the permission layer already resolved."""
        return self.filter(workgroup=workgroup)


class WorkgroupOwnedModel(NormalisedTextMixin, models.Model):
    """Base for every row that belongs to one workgroup (organizations, agreements, incidents…).

    The ``workgroup`` field is what the permission layer (``objects.restrict``), the scoped
    forms and the audit trail look for; ``full_clean()`` normalises its text (``toolkit.text``).
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


class JobQuerySet(ScopedQuerySet):
    def for_workgroup(self, workgroup: Workgroup) -> JobQuerySet:
        return self.filter(workgroup=workgroup)


def workgroup_file_prefix(workgroup_id: int) -> str:
    """Every file a workgroup owns lives under this prefix (deleting the workgroup removes it)."""
    return f"workgroups/{workgroup_id}/"


@deconstructible
class WorkgroupUploadTo:
    """``upload_to`` for files a workgroup owns: ``workgroups/<id>/<folder>/<random>/<name>``.

    Random folders keep two uploads of ``signed.pdf`` apart and make paths unguessable; files are
    only ever served through permission-checked views. django-cleanup deletes a file after the
    deletion or replacement of its row commits.
    """

    def __init__(self, folder: str):
        self.folder = folder.strip("/")

    def __call__(self, instance: models.Model, filename: str) -> str:
        return f"{workgroup_file_prefix(instance.workgroup_id)}{self.folder}/{uuid.uuid4().hex}/{filename}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WorkgroupUploadTo) and other.folder == self.folder


def job_result_path(job: Job, filename: str) -> str:
    return f"{workgroup_file_prefix(job.workgroup_id)}jobs/{job.pk}/{filename}"


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
    # What the runner is doing now, in words ("Section 3 of 9: contact directory"), for the status page.
    progress_note = models.CharField(max_length=200, blank=True)
    error_message = models.TextField(blank=True)
    result = models.FileField(upload_to=job_result_path, blank=True, max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="jobs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The lease: the worker holding ``lease_token`` runs the job until ``lease_expires_at`` and renews it
    # while it works. A duplicate message for a job whose lease is live is dropped; an expired lease
    # (the worker died) can be taken over.
    lease_token = models.CharField(max_length=32, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    retry_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="retries")
    # Its message could not be handed to the broker (Redis was down): the sweeper sends it once it is back.
    awaiting_broker = models.BooleanField(default=False)
    # When the sweeper finally sent it: "never picked up" counts from then, not from when it was asked for.
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="job_progress_at_most_100"),
            models.CheckConstraint(condition=models.Q(status__in=JobStatus.values), name="job_status_valid"),
        ]
        indexes = [
            models.Index(fields=["workgroup", "-created_at"]),
            # The sweeper looks for queued and running jobs only.
            models.Index(fields=["status", "created_at"], name="job_status_created",
                         condition=models.Q(status__in=["queued", "running"])),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("toolkit:job-detail", kwargs={"slug": self.workgroup.slug, "job_id": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.status in {JobStatus.SUCCEEDED, JobStatus.FAILED}

    @property
    def filename(self) -> str:
        return self.result.name.rsplit("/", 1)[-1] if self.result else ""


class AuditAction(models.TextChoices):
    CREATED = "created", "Created"
    CHANGED = "changed", "Changed"
    DELETED = "deleted", "Deleted"
    # Reads of confidential data (a privileged incident opened, exported, downloaded) are recorded too.
    VIEWED = "viewed", "Viewed"
    EXPORTED = "exported", "Exported"
    DOWNLOADED = "downloaded", "Downloaded"


class AuditEventQuerySet(ScopedQuerySet):
    def update(self, **kwargs):  # noqa: ARG002
        raise TypeError("Audit events are append-only.")

    def bulk_create(self, objs, *args, **kwargs):
        """New rows join their workgroup's hash chain first (``toolkit.audit_chain``), unless the caller sealed
        them in this transaction already (``record_created_in_bulk``, whose COPY path skips this method)."""
        from toolkit import audit_chain

        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            sealed = [bool(event.row_hash) for event in objs]
            if not all(sealed):
                if any(sealed):
                    raise ValueError("Seal all of these audit rows or none.")
                audit_chain.seal(objs, using=self.db)
            return super().bulk_create(objs, *args, **kwargs)


class AuditEvent(models.Model):
    """One change to a workgroup's data: who, what, when, old → new. Append-only.

    Written in the same transaction as the change (``toolkit.audit``), so the trail can never
    show a change that was rolled back or miss one that was committed. The audit page reads this
    one table with keyset pagination, whatever the number of models or rows.

    Tamper-evident: each workgroup's rows form a hash chain (``toolkit.audit_chain``,
    ``manage.py verify_audit_chain``), and on PostgreSQL a trigger refuses UPDATE, DELETE and
    TRUNCATE except for the two legitimate changes (migration ``0010_audit_chain_guard``).
    """

    # Indexed by the composite indexes below, which all start with it. DO_NOTHING: deleting a workgroup for
    # good deletes its trail after the workgroup row (toolkit.services.deletion), the one delete the
    # PostgreSQL trigger allows; the constraint, checked at commit, makes sure it happened.
    workgroup = models.ForeignKey(Workgroup, on_delete=models.DO_NOTHING, related_name="audit_events",
                                  db_index=False)
    occurred_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept as written: the trail still names who did it after the account is deleted or anonymised.
    actor_name = models.CharField(max_length=300, blank=True)
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    object_type = models.CharField(max_length=100)  # "partners.organization"
    object_label = models.CharField(max_length=100)  # "Organization"
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300)
    changes = models.JSONField(default=list, blank=True)  # [{"field": "Name", "old": "…", "new": "…"}]
    # The hash chain (toolkit.audit_chain): the row's place in its workgroup's chain, and SHA-256 of the
    # previous row's hash and this row's content.
    seq = models.PositiveBigIntegerField(editable=False)
    row_hash = models.CharField(max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["workgroup", "-occurred_at", "-id"], name="audit_wg_time"),
            models.Index(fields=["workgroup", "object_type", "-occurred_at", "-id"], name="audit_wg_type_time"),
            models.Index(fields=["workgroup", "actor", "-occurred_at", "-id"], name="audit_wg_actor_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(action__in=AuditAction.values), name="audit_action_valid"),
            # Two appends can never take the same place: a fork fails instead of being stored.
            models.UniqueConstraint(fields=["workgroup", "seq"], name="audit_chain_position"),
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="audit_chain_starts_at_1"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_label} {self.object_repr}"

    def save(self, *args, **kwargs) -> None:
        from toolkit import audit_chain

        if self.pk is not None and not kwargs.get("force_insert"):
            raise TypeError("Audit events are append-only.")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):  # the chain's lock lasts until the commit
            audit_chain.seal([self], using=using)
            super().save(*args, **kwargs)


class ApiScope(models.TextChoices):
    READ = "read", "Read: protocols in force and metrics"
    WRITE = "write", "Read and write: also send transfer records and incidents"


class ApiToken(models.Model):
    """A partner system's key to one workgroup's API. Shown once when created; only its hash is kept.

    ``prefix`` (the key's first characters) lets coordinators tell keys apart in the list and lets the
    authentication find the row by an indexed lookup before comparing hashes.
    """

    workgroup = models.ForeignKey(Workgroup, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=120, help_text="Which system uses it, e.g. “County CAD export”.")
    scope = models.CharField(max_length=5, choices=ApiScope.choices, default=ApiScope.READ)
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)  # SHA-256 of the whole key, hex
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    objects = ScopedQuerySet.as_manager()
    # Created and revoked are audited; the hash never leaves this row, and each use is not a change.
    history = HistoricalRecords(excluded_fields=["key_hash", "last_used_at"])

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workgroup", "-created_at"], name="api_token_wg_created")]
        constraints = [
            models.CheckConstraint(condition=models.Q(scope__in=ApiScope.values), name="api_token_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
