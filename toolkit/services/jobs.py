"""Background jobs: record, enqueue on commit, run under a lease, stream the file to storage, sweep.

The lease makes a job run in one worker at a time. Claiming a job sets a random lease token and
``lease_expires_at``; the worker renews the lease while the runner works. A second message for the
same job (a redelivery, a duplicate publish) finds the lease live and is dropped; a message that
arrives after the lease expired (its worker died) takes the job over. Only the holder of the lease
may record the outcome. The sweeper fails jobs whose lease lapsed long ago and jobs whose message
never reached a worker, so no status page waits for ever.
"""

from __future__ import annotations

import errno
import logging
import secrets
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import close_old_connections, connection, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from toolkit import jobs
from toolkit.models import Job, JobStatus, Workgroup
from toolkit.permissions import require
from toolkit.services.messages import (
    MSG_JOB_GAVE_UP,
    MSG_JOB_KIND_UNKNOWN,
    MSG_JOB_NO_ROOM,
    MSG_JOB_NOT_FAILED,
    MSG_JOB_NOT_PICKED_UP,
    MSG_JOB_STALE,
    MSG_JOB_TOO_SLOW,
)

if TYPE_CHECKING:
    from toolkit.models import User

logger = logging.getLogger(__name__)

MAX_JOB_ATTEMPTS = 3
# A file bigger than this goes to disk while the runner writes it, never twice into memory.
SPOOL_IN_MEMORY_BYTES = 4 * 1024 * 1024


def _lease_length() -> timedelta:
    return timedelta(seconds=settings.JOB_LEASE_SECONDS)


@transaction.atomic
def job_create(
    *, actor: User, workgroup: Workgroup, kind: str, params: dict | None = None, retry_of: Job | None = None
) -> Job:
    """Record a job and enqueue it once the row is committed (the worker must find it)."""
    job_kind = jobs.get_kind(kind)
    if job_kind is None:
        raise ValidationError(MSG_JOB_KIND_UNKNOWN.format(kind=kind))
    require(actor, workgroup, job_kind.action)
    job = Job.objects.create(
        workgroup=workgroup, kind=kind, params=params or {}, requested_by=actor, retry_of=retry_of
    )
    transaction.on_commit(lambda: _enqueue(job.pk, queue=job_kind.queue))
    return job


def job_retry(*, actor: User, job: Job) -> Job:
    """Run a failed job again as a new job (the failed one stays on the list as it was)."""
    if job.status != JobStatus.FAILED:
        raise ValidationError(MSG_JOB_NOT_FAILED)
    return job_create(actor=actor, workgroup=job.workgroup, kind=job.kind, params=job.params, retry_of=job)


def _publish(job_id: int, *, queue: str = "") -> None:
    from toolkit.tasks import run_job  # tasks import services; import here to avoid the cycle

    if queue:
        run_job.apply_async(args=[job_id], queue=queue)
    else:
        run_job.delay(job_id)


def _enqueue(job_id: int, *, queue: str = "") -> None:
    """Hand the job to the broker. If the broker is down, the job stays queued and is marked so: the
    sweeper sends it again once the broker answers, and the request that asked for it still succeeds.

    The message carries the job's id only; everything else is read from the row when it runs.
    """
    try:
        _publish(job_id, queue=queue)
    except Exception:
        logger.warning("Could not queue job %s; the sweeper will send it when the broker is back", job_id,
                       exc_info=True)
        Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(awaiting_broker=True)


def job_send_unsent(*, limit: int = 500) -> int:
    """Send the messages of jobs the broker could not take when they were asked for. Run by the sweeper.

    Stops at the first failure (the broker is still down) and leaves the rest marked for the next run. A
    message sent twice is harmless: the job's lease lets one worker run it.
    """
    sent = 0
    unsent = Job.objects.filter(status=JobStatus.QUEUED, awaiting_broker=True).order_by("pk")
    for job_id, kind in unsent.values_list("pk", "kind")[:limit]:
        job_kind = jobs.get_kind(kind)
        try:
            _publish(job_id, queue=job_kind.queue if job_kind else "")
        except Exception:
            logger.warning("The broker still cannot be reached; %s job(s) wait to be sent", limit - sent)
            break
        Job.objects.filter(pk=job_id).update(awaiting_broker=False, sent_at=timezone.now())
        sent += 1
    if sent:
        logger.info("Sent %s job(s) the broker could not take earlier", sent)
    return sent


def _job_claim(job_id: int, token: str) -> Job | None:
    """Take the lease on a job, or return None when there is nothing to do.

    Nothing to do: the job is gone or finished, or another worker holds a live lease on it (this
    message is a duplicate). A job whose lease lapsed is taken over; one that has been started
    MAX_JOB_ATTEMPTS times (it keeps killing its worker) is given up instead of looping for ever.
    """
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return None
        now = timezone.now()
        if job.status == JobStatus.RUNNING and job.lease_expires_at and job.lease_expires_at > now:
            logger.info("Job %s is held by another worker until %s; duplicate message dropped",
                        job_id, job.lease_expires_at.isoformat())
            return None
        if job.attempts >= MAX_JOB_ATTEMPTS:
            job.status = JobStatus.FAILED
            job.error_message = MSG_JOB_GAVE_UP.format(attempts=job.attempts)
            job.finished_at = now
            job.lease_token = ""
            job.save(update_fields=["status", "error_message", "finished_at", "lease_token"])
            return None
        if job.status == JobStatus.RUNNING:
            logger.warning("Job %s: its lease lapsed at %s; taking it over", job_id, job.lease_expires_at)
        job.status = JobStatus.RUNNING
        job.started_at = now
        job.attempts += 1
        job.progress = 0
        job.progress_note = ""
        job.lease_token = token
        job.lease_expires_at = now + _lease_length()
        job.save(update_fields=["status", "started_at", "attempts", "progress", "progress_note", "lease_token",
                                "lease_expires_at"])
        return job


def _renew_lease(job_id: int, token: str) -> bool:
    return bool(
        Job.objects.filter(pk=job_id, lease_token=token, status=JobStatus.RUNNING).update(
            lease_expires_at=timezone.now() + _lease_length()
        )
    )


class _LeaseKeeper(threading.Thread):
    """Renews the lease every third of its length while the runner works (in the worker only)."""

    def __init__(self, job_id: int, token: str):
        super().__init__(name=f"job-{job_id}-lease", daemon=True)
        self.job_id, self.token = job_id, token
        self.stopped = threading.Event()

    def run(self) -> None:
        interval = max(1.0, settings.JOB_LEASE_SECONDS / 3)
        try:
            while not self.stopped.wait(interval):
                try:
                    if not _renew_lease(self.job_id, self.token):
                        logger.warning("Job %s: lease lost; its result will be discarded", self.job_id)
                        return
                except Exception:  # a database hiccup: try again at the next tick
                    logger.exception("Job %s: could not renew its lease", self.job_id)
                    close_old_connections()
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=10)


def job_set_progress(*, job: Job, progress: int, note: str = "") -> None:
    """Progress (and what is being done, in words) for the status page; also proof of life: it renews the lease."""
    fields = {"progress": max(0, min(100, progress)), "progress_note": note[:200]}
    if job.lease_token:
        fields["lease_expires_at"] = timezone.now() + _lease_length()
    Job.objects.filter(pk=job.pk, lease_token=job.lease_token).update(**fields)


class _ProgressRelay:
    """Reports progress through another database connection while this one holds a long transaction.

    Progress written inside the transaction would only become visible when it commits, at 100%.
    A thread with its own connection writes the latest value; the caller never waits for it.
    """

    def __init__(self, set_progress: Callable[[int], None]):
        self.set_progress = set_progress
        self.latest: int | None = None
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.stopping = False
        self.thread = threading.Thread(target=self._run, name="job-progress", daemon=True)

    def __call__(self, percent: int) -> None:
        with self.lock:
            self.latest = percent
        self.wake.set()

    def _run(self) -> None:
        try:
            while True:
                self.wake.wait()
                self.wake.clear()
                with self.lock:
                    value, self.latest = self.latest, None
                if value is not None:
                    try:
                        self.set_progress(value)
                    except Exception as exc:  # progress is a courtesy; the import goes on without it
                        logger.warning("Could not report job progress: %s", exc)
                if self.stopping:
                    return
        finally:
            connection.close()

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping = True
        self.wake.set()
        self.thread.join(timeout=5)


@contextmanager
def progress_reporter(set_progress: Callable[[int], None]) -> Iterator[Callable[[int], None]]:
    """``set_progress`` that stays visible during a long transaction (see ``_ProgressRelay``).

    Progress is written directly when the caller is already inside a transaction (a test, a command:
    nobody else could see the job row change anyway) and on SQLite, which has one writer at a time:
    there the page shows the parse's progress, then nothing new until the writes commit.
    """
    if connection.in_atomic_block or connection.vendor == "sqlite":
        yield set_progress
        return
    relay = _ProgressRelay(set_progress)
    relay.start()
    try:
        yield relay
    finally:
        relay.stop()


def job_run(*, job_id: int, keep_lease_alive: bool = False) -> Job | None:
    """Run a job to completion under a lease, recording success or a readable failure.

    ``keep_lease_alive`` starts the renewing thread; the Celery task asks for it. The runner writes
    its file into a temporary file (on disk past a few MB), which is then copied to storage in chunks.
    """
    token = secrets.token_hex(16)
    job = _job_claim(job_id, token)
    if job is None:
        return None
    keeper = _LeaseKeeper(job.pk, token) if keep_lease_alive else None
    if keeper:
        keeper.start()
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES, mode="w+b") as output:
        failure = None
        try:
            filename = _run_runner(job, output)
        except Exception as exc:  # recorded for the person who asked; the worker stays up
            logger.exception("Job %s (%s) failed", job.pk, job.kind)
            failure = _readable_error(exc)
        finally:
            _stop(keeper)  # before the outcome is recorded, so it never ticks against a finished job
        if failure is not None:
            return _finish_failed(job, token, failure)
        output.seek(0)
        return _finish_succeeded(job, token, filename, output)


def _stop(keeper: _LeaseKeeper | None) -> None:
    if keeper is not None and keeper.is_alive():
        keeper.stop()


def _run_runner(job: Job, output) -> str:
    job_kind = jobs.get_kind(job.kind)
    if job_kind is None:
        raise ValidationError(MSG_JOB_KIND_UNKNOWN.format(kind=job.kind))
    # The requester may have lost access between the click and now.
    if job.requested_by is None:
        raise ValidationError("The person who asked for this job no longer has an account.")
    require(job.requested_by, job.workgroup, job_kind.action)
    return job_kind.run(job=job, set_progress=lambda p, note="": job_set_progress(job=job, progress=p, note=note),
                        output=output)


def _still_holding(job: Job, token: str) -> Job | None:
    """Lock the row; None when another worker took the job over or the sweeper gave it up meanwhile."""
    current = Job.objects.select_for_update().filter(pk=job.pk).first()
    if current is None or current.lease_token != token or current.status != JobStatus.RUNNING:
        logger.warning("Job %s: no longer ours to finish; outcome discarded", job.pk)
        return None
    return current


def _finish_failed(job: Job, token: str, message: str) -> Job:
    with transaction.atomic():
        current = _still_holding(job, token)
        if current is None:
            return Job.objects.get(pk=job.pk)
        current.status = JobStatus.FAILED
        current.error_message = message
        current.finished_at = timezone.now()
        current.lease_token = ""
        current.save(update_fields=["status", "error_message", "finished_at", "lease_token"])
        return current


def _finish_succeeded(job: Job, token: str, filename: str, output) -> Job:
    # Write the file first (outside the transaction: storage is not transactional), then claim it.
    storage = job.result.storage
    target = storage.get_available_name(job.result.field.generate_filename(job, filename))
    try:
        name = storage.save(target, File(output, name=filename))
    except Exception as exc:  # a full disk, a bucket that refuses: the job fails, and no part-file stays behind
        logger.exception("Job %s: could not store %s", job.pk, target)
        with transaction.atomic():
            holding = _still_holding(job, token) is not None
        if holding:  # a worker that lost the lease (another took the job over) never touches the job's files
            _delete_quietly(storage, target)
        return _finish_failed(job, token, _readable_error(exc))
    with transaction.atomic():
        current = _still_holding(job, token)
        if current is None:
            storage.delete(name)
            return Job.objects.get(pk=job.pk)
        old_name = current.result.name if current.result else ""
        current.result.name = name
        current.status = JobStatus.SUCCEEDED
        current.progress = 100
        current.progress_note = ""
        current.error_message = ""
        current.finished_at = timezone.now()
        current.lease_token = ""
        current.save(update_fields=["result", "status", "progress", "progress_note", "error_message", "finished_at",
                                    "lease_token"])
        if old_name and old_name != name:
            transaction.on_commit(lambda: storage.delete(old_name))
        return current


def _delete_quietly(storage, name: str) -> None:
    try:
        if storage.exists(name):
            storage.delete(name)
    except Exception:  # the disk may still be in trouble; cleanup_orphaned_files finds what is left
        logger.warning("Could not remove the part-written file %s", name, exc_info=True)


def job_fail_stale(*, now: datetime | None = None) -> int:
    """Fail the jobs nobody is working on, so no status page waits for ever. Run by beat every few minutes.

    * running, with a lease that lapsed more than ``JOB_STALE_AFTER_SECONDS`` ago: its worker died;
    * queued for more than ``JOB_QUEUED_TIMEOUT_SECONDS``: its message was lost or no worker runs.
    """
    now = now or timezone.now()
    lapsed = now - timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS)
    stale = Job.objects.filter(status=JobStatus.RUNNING, lease_expires_at__lt=lapsed).update(
        status=JobStatus.FAILED, error_message=MSG_JOB_STALE, finished_at=now, lease_token=""
    )
    # Rows from before leases existed have no lease: judge them by the hard time limit.
    stale += Job.objects.filter(
        status=JobStatus.RUNNING, lease_expires_at__isnull=True,
        started_at__lt=now - timedelta(seconds=settings.JOB_TIME_LIMIT_SECONDS + 60),
    ).update(status=JobStatus.FAILED, error_message=MSG_JOB_STALE, finished_at=now)
    # Jobs still waiting for the broker are kept however long it is down: they run when it is back, and
    # count as lost only that long after they were finally sent.
    lost = Job.objects.filter(status=JobStatus.QUEUED, awaiting_broker=False).alias(
        sent=Coalesce("sent_at", "created_at"),
    ).filter(sent__lt=now - timedelta(seconds=settings.JOB_QUEUED_TIMEOUT_SECONDS)).update(
        status=JobStatus.FAILED, error_message=MSG_JOB_NOT_PICKED_UP, finished_at=now)
    if stale or lost:
        logger.warning("Sweeper failed %s stale running job(s) and %s never picked up", stale, lost)
    return stale + lost


def _readable_error(exc: Exception) -> str:
    if isinstance(exc, PermissionDenied):
        return "The person who asked for this job is no longer allowed to run it in this workgroup."
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, SoftTimeLimitExceeded):
        return MSG_JOB_TOO_SLOW.format(minutes=max(1, settings.JOB_TIME_LIMIT_SECONDS // 60))
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return MSG_JOB_NO_ROOM
    return (
        f"The job stopped with an unexpected error ({type(exc).__name__}). "
        "It has been logged; try again, or tell your coordinator if it happens again."
    )
