"""Two real worker processes receive the same job: the lease lets exactly one of them run it."""

from __future__ import annotations

import time

import pytest

from conftest import require_worker_services, start_celery_worker, stop_celery_worker, wait_for
from toolkit.models import Job, JobStatus
from toolkit.tasks import run_job

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

QUEUE = "lease-test"
LEASE_SECONDS = 3  # short, so that without renewal the lease would lapse while the job runs


@pytest.fixture
def two_workers(tmp_path, settings):
    from toolkit.celery import app

    require_worker_services()
    app.control.purge()
    media = tmp_path / "media"
    media.mkdir()
    env = {"JOB_LEASE_SECONDS": str(LEASE_SECONDS)}
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    workers = [
        start_celery_worker(media_root=media, log_path=log, app="toolkit.tests.lease_worker", queues=QUEUE,
                            extra_env=env)
        for log in logs
    ]
    settings.MEDIA_ROOT = media
    try:
        yield logs
    finally:
        for worker in workers:
            stop_celery_worker(worker)


def _deliver(job_id: int) -> None:
    run_job.apply_async(args=[job_id], queue=QUEUE)


def _finished(job_id: int):
    def check():
        job = Job.objects.get(pk=job_id)
        return job if job.is_finished else None

    return check


def test_the_same_job_delivered_to_two_workers_runs_once_even_after_its_first_lease_would_have_lapsed(
    two_workers, coordinator, workgroup, tmp_path
):
    marker = tmp_path / "runs.txt"
    job = Job.objects.create(workgroup=workgroup, kind="test_slow_job", requested_by=coordinator,
                             params={"marker": str(marker), "seconds": 3 * LEASE_SECONDS})

    _deliver(job.pk)
    wait_for(lambda: Job.objects.get(pk=job.pk).status == JobStatus.RUNNING, timeout=30)
    time.sleep(LEASE_SECONDS + 1)  # the first lease would have lapsed by now without renewal
    _deliver(job.pk)  # a duplicate, picked up by the idle worker while the first still runs
    done = wait_for(_finished(job.pk), timeout=90)

    assert done.status == JobStatus.SUCCEEDED, done.error_message
    assert done.attempts == 1
    assert marker.read_text().count("ran job") == 1
    logs = "".join(log.read_text(errors="replace") for log in two_workers)
    assert "duplicate message dropped" in logs


def test_a_job_whose_worker_died_is_taken_over_once_its_lease_lapses(two_workers, coordinator, workgroup, tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    marker = tmp_path / "runs.txt"
    job = Job.objects.create(
        workgroup=workgroup, kind="test_slow_job", requested_by=coordinator, status=JobStatus.RUNNING, attempts=1,
        lease_token="a-worker-that-died", lease_expires_at=timezone.now() - timedelta(seconds=1),
        params={"marker": str(marker), "seconds": 1},
    )

    _deliver(job.pk)
    done = wait_for(_finished(job.pk), timeout=60)

    assert done.status == JobStatus.SUCCEEDED
    assert done.attempts == 2
    assert marker.read_text().count("ran job") == 1
