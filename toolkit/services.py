"""Writes for the core: workgroups, memberships, invitations and background jobs.

Plain keyword-only functions, called alike from views, tasks, commands and tests.
Each one checks permission through ``toolkit.permissions``, validates, writes
atomically and names the actor so the audit trail records who did it.
"""

from __future__ import annotations

import logging
import smtplib
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from toolkit import jobs
from toolkit.models import Invitation, Job, JobStatus, Membership, Role, Workgroup
from toolkit.permissions import Action, require

if TYPE_CHECKING:
    from toolkit.models import User

logger = logging.getLogger(__name__)

INVITATION_SALT = "toolkit.invitation"

MSG_SLUG_TAKEN = "That web address is already used by another workgroup; choose another."
MSG_ALREADY_MEMBER = "{email} is already a member of this workgroup."
MSG_LAST_COORDINATOR = "A workgroup needs at least one coordinator; make someone else coordinator first."
MSG_INVITATION_INVALID = (
    "This invitation link is not valid. Check that you copied the whole link, or ask for a new one."
)
MSG_INVITATION_EXPIRED = "This invitation has expired. Ask the workgroup coordinator to send a new one."
MSG_INVITATION_USED = "This invitation has already been used. Sign in to reach the workgroup."
MSG_INVITATION_REVOKED = "This invitation was withdrawn by the workgroup coordinator."
MSG_INVITATION_WRONG_ACCOUNT = (
    "This invitation was sent to {email}, but you are signed in as {current}. "
    "Sign out and open the link again, or ask for an invitation to your address."
)
MSG_INVITATION_ACCOUNT_EXISTS = "An account for {email} already exists: sign in to accept the invitation."
MSG_INVITATION_EMAIL_FAILED = (
    "The invitation e-mail could not be sent (the mail server did not accept it). "
    "Nothing was saved; try again in a moment."
)
MSG_INVITATION_ALREADY_ACCEPTED = "{email} has already accepted this invitation; remove the member instead."
MSG_JOB_KIND_UNKNOWN = "Unknown kind of background job: {kind}."


# --- Workgroups -----------------------------------------------------------------


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "workgroup"
    slug, n = base, 2
    while Workgroup.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def workgroup_create(
    *,
    actor: User,
    name: str,
    jurisdiction_type: str,
    jurisdiction_name: str,
    goal: str,
    description: str = "",
    slug: str = "",
) -> Workgroup:
    """Create a workgroup; whoever creates it becomes its first coordinator."""
    slug = slug or _unique_slug(name)
    if Workgroup.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": MSG_SLUG_TAKEN})
    workgroup = Workgroup(
        name=name,
        slug=slug,
        jurisdiction_type=jurisdiction_type,
        jurisdiction_name=jurisdiction_name,
        goal=goal,
        description=description,
    )
    workgroup.full_clean()
    workgroup._history_user = actor
    workgroup.save()
    membership = Membership(user=actor, workgroup=workgroup, role=Role.COORDINATOR)
    membership._history_user = actor
    membership.save()
    return workgroup


@transaction.atomic
def workgroup_update(*, actor: User, workgroup: Workgroup, **fields: Any) -> Workgroup:
    require(actor, workgroup, Action.EDIT_WORKGROUP)
    allowed = {"name", "jurisdiction_type", "jurisdiction_name", "goal", "description"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Cannot update {sorted(unknown)} here.")
    for name, value in fields.items():
        setattr(workgroup, name, value)
    workgroup.full_clean()
    workgroup._history_user = actor
    workgroup.save()
    return workgroup


# --- Memberships ----------------------------------------------------------------


def _is_last_coordinator(membership: Membership) -> bool:
    return (
        membership.role == Role.COORDINATOR
        and not Membership.objects.filter(workgroup=membership.workgroup, role=Role.COORDINATOR)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    require(actor, membership.workgroup, Action.MANAGE_MEMBERS)
    if role not in Role.values:
        raise ValidationError({"role": f"“{role}” is not a role."})
    # Lock the workgroup's coordinator rows so two demotions cannot both pass the check.
    list(Membership.objects.select_for_update().filter(workgroup=membership.workgroup, role=Role.COORDINATOR))
    if role != Role.COORDINATOR and _is_last_coordinator(membership):
        raise ValidationError(MSG_LAST_COORDINATOR)
    membership.role = role
    membership._history_user = actor
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    require(actor, membership.workgroup, Action.MANAGE_MEMBERS)
    list(Membership.objects.select_for_update().filter(workgroup=membership.workgroup, role=Role.COORDINATOR))
    if _is_last_coordinator(membership):
        raise ValidationError(MSG_LAST_COORDINATOR)
    membership._history_user = actor
    membership.delete()


# --- Invitations ----------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"invitation": invitation.pk}, salt=INVITATION_SALT, compress=True)


def invitation_url(invitation: Invitation) -> str:
    return reverse("toolkit:invitation-accept", kwargs={"token": invitation_token(invitation)})


@transaction.atomic
def invitation_create(
    *, actor: User, workgroup: Workgroup, email: str, role: str, base_url: str
) -> Invitation:
    """Invite someone by e-mail; a newer invitation to the same address replaces an open one."""
    require(actor, workgroup, Action.MANAGE_MEMBERS)
    email = get_user_model().objects.normalize_email(email).lower()
    if Membership.objects.filter(workgroup=workgroup, user__email__iexact=email).exists():
        raise ValidationError({"email": MSG_ALREADY_MEMBER.format(email=email)})
    now = timezone.now()
    for previous in Invitation.objects.filter(
        workgroup=workgroup, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ):
        previous.revoked_at = now
        previous._history_user = actor
        previous.save(update_fields=["revoked_at"])
    invitation = Invitation(
        workgroup=workgroup,
        email=email,
        role=role,
        invited_by=actor,
        expires_at=now + settings.INVITATION_MAX_AGE,
    )
    invitation.full_clean()
    invitation._history_user = actor
    invitation.save()
    link = base_url.rstrip("/") + invitation_url(invitation)
    body = render_to_string(
        "toolkit/email/invitation.txt", {"invitation": invitation, "link": link, "inviter": actor}
    )
    # Sent before commit: if the mail server refuses, the invitation is rolled back and the
    # coordinator is told, rather than left with an invitation nobody received.
    try:
        send_mail(f"You are invited to the {workgroup.name} workgroup", body, None, [email], fail_silently=False)
    except (OSError, smtplib.SMTPException) as exc:
        logger.warning("Invitation e-mail to %s failed: %s", email, exc)
        raise ValidationError(MSG_INVITATION_EMAIL_FAILED, code="email_failed") from exc
    return invitation


def invitation_resolve(*, token: str) -> Invitation:
    """Turn a link token into an open invitation, or say plainly why it cannot be used."""
    try:
        data = signing.loads(
            token, salt=INVITATION_SALT, max_age=settings.INVITATION_MAX_AGE.total_seconds()
        )
    except signing.SignatureExpired:
        raise ValidationError(MSG_INVITATION_EXPIRED, code="expired") from None
    except signing.BadSignature:
        raise ValidationError(MSG_INVITATION_INVALID, code="invalid") from None
    invitation = Invitation.objects.select_related("workgroup").filter(pk=data.get("invitation")).first()
    if invitation is None:
        raise ValidationError(MSG_INVITATION_INVALID, code="invalid")
    if invitation.accepted_at is not None:
        raise ValidationError(MSG_INVITATION_USED, code="used")
    if invitation.revoked_at is not None:
        raise ValidationError(MSG_INVITATION_REVOKED, code="revoked")
    if invitation.is_expired:
        raise ValidationError(MSG_INVITATION_EXPIRED, code="expired")
    return invitation


def _accept(invitation: Invitation, user: User) -> Membership:
    membership, _ = Membership.objects.get_or_create(
        user=user, workgroup=invitation.workgroup, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation._history_user = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    invitation = invitation_resolve(token=token)
    # Lock the row: two clicks on the same link must not both succeed.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(MSG_INVITATION_USED, code="used")
    if invitation.email.lower() != user.email.lower():
        raise ValidationError(
            MSG_INVITATION_WRONG_ACCOUNT.format(email=invitation.email, current=user.email), code="wrong_account"
        )
    return _accept(invitation, user)


@transaction.atomic
def invitation_accept_with_new_account(
    *, token: str, first_name: str, last_name: str, password: str
) -> Membership:
    invitation = invitation_resolve(token=token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(MSG_INVITATION_USED, code="used")
    user_model = get_user_model()
    if user_model.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(MSG_INVITATION_ACCOUNT_EXISTS.format(email=invitation.email), code="account_exists")
    user = user_model(email=invitation.email, first_name=first_name, last_name=last_name)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return _accept(invitation, user)


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    require(actor, invitation.workgroup, Action.MANAGE_MEMBERS)
    if invitation.accepted_at is not None:
        raise ValidationError(MSG_INVITATION_ALREADY_ACCEPTED.format(email=invitation.email), code="accepted")
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation._history_user = actor
        invitation.save(update_fields=["revoked_at"])
    return invitation


# --- Background jobs ------------------------------------------------------------


@transaction.atomic
def job_create(*, actor: User, workgroup: Workgroup, kind: str, params: dict | None = None) -> Job:
    """Record a job and enqueue it once the row is committed (the worker must find it)."""
    job_kind = jobs.get_kind(kind)
    if job_kind is None:
        raise ValidationError(MSG_JOB_KIND_UNKNOWN.format(kind=kind))
    require(actor, workgroup, job_kind.action)
    job = Job.objects.create(workgroup=workgroup, kind=kind, params=params or {}, requested_by=actor)
    from toolkit.tasks import run_job  # tasks import services; import here to avoid the cycle

    transaction.on_commit(lambda: run_job.delay(job.pk))
    return job


def _job_claim(job_id: int) -> Job | None:
    """Mark a job running unless it already finished; returns None when there is nothing to do.

    A redelivered message (acks_late after a worker crash) finds the job still
    ``running`` and runs it again; the result file is simply written anew.
    """
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return None
        job.status = JobStatus.RUNNING
        job.started_at = timezone.now()
        job.attempts += 1
        job.progress = 0
        job.save(update_fields=["status", "started_at", "attempts", "progress"])
        return job


def job_set_progress(*, job: Job, progress: int) -> None:
    Job.objects.filter(pk=job.pk).update(progress=max(0, min(100, progress)))


def job_run(*, job_id: int) -> Job | None:
    """Run a queued job to completion, recording success or a readable failure."""
    job = _job_claim(job_id)
    if job is None:
        return None
    try:
        job_kind = jobs.get_kind(job.kind)
        if job_kind is None:
            raise ValidationError(MSG_JOB_KIND_UNKNOWN.format(kind=job.kind))
        # The requester may have lost access between the click and now.
        if job.requested_by is None:
            raise ValidationError("The person who asked for this job no longer has an account.")
        require(job.requested_by, job.workgroup, job_kind.action)
        filename, content = job_kind.run(job=job, set_progress=lambda p: job_set_progress(job=job, progress=p))
    except Exception as exc:  # recorded for the person who asked; the worker stays up
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        job.status = JobStatus.FAILED
        job.error_message = _readable_error(exc)
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error_message", "finished_at"])
        return job
    if job.result:
        job.result.delete(save=False)
    job.result.save(filename, ContentFile(content), save=False)
    job.status = JobStatus.SUCCEEDED
    job.progress = 100
    job.error_message = ""
    job.finished_at = timezone.now()
    job.save(update_fields=["result", "status", "progress", "error_message", "finished_at"])
    return job


def _readable_error(exc: Exception) -> str:
    from django.core.exceptions import PermissionDenied

    if isinstance(exc, PermissionDenied):
        return "The person who asked for this job is no longer allowed to run it in this workgroup."
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return (
        f"The job stopped with an unexpected error ({type(exc).__name__}). "
        "It has been logged; try again, or tell your coordinator if it happens again."
    )
