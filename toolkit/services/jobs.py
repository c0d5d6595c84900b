"""Background jobs: record, enqueue on commit, run once, record the outcome."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from toolkit import jobs
from toolkit.models import Job, JobStatus, Workgroup
from toolkit.permissions import require
from toolkit.services.messages import (
    MSG_JOB_GAVE_UP,
    MSG_JOB_KIND_UNKNOWN,
    MSG_JOB_NOT_QUEUED,
    MSG_JOB_STALE,
)

if TYPE_CHECKING:
    from toolkit.models import User

logger = logging.getLogger(__name__)

MAX_JOB_ATTEMPTS = 3


@transaction.atomic
def job_create(*, actor: User, workgroup: Workgroup, kind: str, params: dict | None = None) -> Job:
    """Record a job and enqueue it once the row is committed (the worker must find it)."""
    job_kind = jobs.get_kind(kind)
    if job_kind is None:
        raise ValidationError(MSG_JOB_KIND_UNKNOWN.format(kind=kind))
    require(actor, workgroup, job_kind.action)
    job = Job.objects.create(workgroup=workgroup, kind=kind, params=params or {}, requested_by=actor)
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    """Hand the job to the broker; if the broker is down, say so on the job instead of failing the request."""
    from toolkit.tasks import run_job  # tasks import services; import here to avoid the cycle

    try:
        run_job.delay(job_id)
    except Exception:
        logger.exception("Could not queue job %s", job_id)
        Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.FAILED, error_message=MSG_JOB_NOT_QUEUED, finished_at=timezone.now()
        )


def _job_claim(job_id: int) -> Job | None:
    """Mark a job running unless it already finished; returns None when there is nothing to do.

    A redelivered message (acks_late after a worker crash) finds the job still
    ``running`` and runs it again; the result file is simply written anew. A job that
    keeps killing its worker stops after MAX_JOB_ATTEMPTS instead of looping forever.
    """
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return None
        if job.attempts >= MAX_JOB_ATTEMPTS:
            job.status = JobStatus.FAILED
            job.error_message = MSG_JOB_GAVE_UP.format(attempts=job.attempts)
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "error_message", "finished_at"])
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


def job_fail_stale(*, now: datetime | None = None) -> int:
    """Mark failed the jobs left "running" past the hard time limit (their worker died or was killed).

    Run every few minutes by Celery beat, so no status page polls forever.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    return Job.objects.filter(status=JobStatus.RUNNING, started_at__lt=cutoff).update(
        status=JobStatus.FAILED, error_message=MSG_JOB_STALE, finished_at=now
    )


def _readable_error(exc: Exception) -> str:
    if isinstance(exc, PermissionDenied):
        return "The person who asked for this job is no longer allowed to run it in this workgroup."
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return (
        f"The job stopped with an unexpected error ({type(exc).__name__}). "
        "It has been logged; try again, or tell your coordinator if it happens again."
    )
