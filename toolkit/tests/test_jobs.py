"""Job bookkeeping that keeps the status page honest when workers or the broker fail."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from django.utils import timezone

from toolkit import services
from toolkit.models import Job, JobStatus
from toolkit.reports import WORKGROUP_SUMMARY
from toolkit.tasks import run_job


def test_the_task_is_acknowledged_late_and_requeued_if_its_worker_dies():
    assert run_job.acks_late is True
    assert run_job.reject_on_worker_lost is True


def test_a_job_that_keeps_killing_its_worker_is_given_up_after_three_attempts(workgroup, member):
    job = Job.objects.create(
        workgroup=workgroup, kind=WORKGROUP_SUMMARY, requested_by=member,
        status=JobStatus.RUNNING, attempts=services.MAX_JOB_ATTEMPTS,
    )

    assert services.job_run(job_id=job.pk) is None

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "given up" in job.error_message
    assert not job.result


def test_a_redelivered_job_below_the_limit_runs_again(workgroup, member):
    job = Job.objects.create(
        workgroup=workgroup, kind=WORKGROUP_SUMMARY, requested_by=member, status=JobStatus.RUNNING, attempts=1
    )

    services.job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.attempts == 2


def test_jobs_left_running_past_the_time_limit_are_marked_failed(workgroup, member, settings):
    now = timezone.now()
    limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 61)
    stale = Job.objects.create(workgroup=workgroup, kind=WORKGROUP_SUMMARY, requested_by=member,
                               status=JobStatus.RUNNING, started_at=now - limit)
    fresh = Job.objects.create(workgroup=workgroup, kind=WORKGROUP_SUMMARY, requested_by=member,
                               status=JobStatus.RUNNING, started_at=now - timedelta(seconds=30))

    assert services.job_fail_stale(now=now) == 1

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == JobStatus.FAILED
    assert "time limit" in stale.error_message
    assert fresh.status == JobStatus.RUNNING


def test_when_the_broker_is_down_the_job_says_so_and_the_request_does_not_fail(
    client, workgroup, member, django_capture_on_commit_callbacks
):
    client.force_login(member)
    with (
        mock.patch("toolkit.tasks.run_job.delay", side_effect=ConnectionError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(f"/w/{workgroup.slug}/jobs/start/workgroup_summary_pdf/")

    job = Job.objects.get()
    assert response.status_code == 302
    assert job.status == JobStatus.FAILED
    assert "could not be reached" in job.error_message
    page = client.get(response["Location"]).content.decode()
    assert "could not be reached" in page


def test_workgroup_pages_tell_caches_not_to_keep_them(client, workgroup, member):
    client.force_login(member)

    response = client.get(f"/w/{workgroup.slug}/")

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
