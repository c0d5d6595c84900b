"""Job bookkeeping that keeps the status page honest when workers or the broker fail."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from unittest import mock

from django.utils import timezone

from toolkit import jobs as jobs_module
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


def test_the_sweeper_fails_jobs_whose_lease_lapsed_and_leaves_live_ones_alone(workgroup, member, settings):
    now = timezone.now()
    lapsed = now - timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS + 1)
    dead = Job.objects.create(workgroup=workgroup, kind=WORKGROUP_SUMMARY, requested_by=member,
                              status=JobStatus.RUNNING, started_at=now - timedelta(hours=1), lease_expires_at=lapsed)
    alive = Job.objects.create(workgroup=workgroup, kind=WORKGROUP_SUMMARY, requested_by=member,
                               status=JobStatus.RUNNING, started_at=now - timedelta(hours=1),
                               lease_expires_at=now + timedelta(seconds=30))

    assert services.job_fail_stale(now=now) == 1

    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == JobStatus.FAILED
    assert "stopped making progress" in dead.error_message
    assert alive.status == JobStatus.RUNNING


def test_the_sweeper_fails_jobs_whose_message_never_reached_a_worker(workgroup, member, settings):
    now = timezone.now()
    lost = Job.objects.create(workgroup=workgroup, kind=WORKGROUP_SUMMARY, requested_by=member)
    waiting = Job.objects.create(workgroup=workgroup, kind=WORKGROUP_SUMMARY, requested_by=member)
    Job.objects.filter(pk=lost.pk).update(created_at=now - timedelta(seconds=settings.JOB_QUEUED_TIMEOUT_SECONDS + 1))

    assert services.job_fail_stale(now=now) == 1

    lost.refresh_from_db()
    waiting.refresh_from_db()
    assert lost.status == JobStatus.FAILED
    assert "No background worker picked this job up" in lost.error_message
    assert waiting.status == JobStatus.QUEUED


def test_a_duplicate_message_is_dropped_while_the_lease_is_live(workgroup, member):
    job = Job.objects.create(
        workgroup=workgroup, kind=WORKGROUP_SUMMARY, requested_by=member, status=JobStatus.RUNNING, attempts=1,
        lease_token="another-worker", lease_expires_at=timezone.now() + timedelta(seconds=60),
    )

    assert services.job_run(job_id=job.pk) is None

    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    assert job.attempts == 1
    assert job.lease_token == "another-worker"


def test_an_expired_lease_is_taken_over(workgroup, member):
    job = Job.objects.create(
        workgroup=workgroup, kind=WORKGROUP_SUMMARY, requested_by=member, status=JobStatus.RUNNING, attempts=1,
        lease_token="a-dead-worker", lease_expires_at=timezone.now() - timedelta(seconds=1),
    )

    services.job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.attempts == 2
    assert job.lease_token == ""


def test_a_worker_that_lost_its_lease_does_not_record_an_outcome(workgroup, member, monkeypatch):
    """While this worker ran, the job was taken over by another: the first one's result is thrown away."""
    job = Job.objects.create(workgroup=workgroup, kind=WORKGROUP_SUMMARY, requested_by=member)
    kind = jobs_module.get_kind(WORKGROUP_SUMMARY)

    def runner_that_loses_its_lease(*, job, set_progress, output):
        Job.objects.filter(pk=job.pk).update(lease_token="the-other-worker")
        return kind.run(job=job, set_progress=set_progress, output=output)

    losing = dataclasses.replace(kind, run=runner_that_loses_its_lease)
    monkeypatch.setitem(jobs_module._KINDS, WORKGROUP_SUMMARY, losing)
    services.job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    assert job.lease_token == "the-other-worker"
    assert not job.result


def test_the_time_limit_is_set_in_one_place(settings):
    assert settings.CELERY_TASK_TIME_LIMIT == settings.JOB_TIME_LIMIT_SECONDS
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.JOB_TIME_LIMIT_SECONDS
    assert run_job.time_limit == settings.JOB_TIME_LIMIT_SECONDS  # the task reads it from the settings


def test_when_the_broker_is_down_the_job_is_kept_queued_and_the_request_does_not_fail(
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
    assert job.status == JobStatus.QUEUED and job.awaiting_broker
    page = client.get(response["Location"]).content.decode()
    assert "cannot be reached just now. This job is kept and starts by itself" in page


def test_workgroup_pages_tell_caches_not_to_keep_them(client, workgroup, member):
    client.force_login(member)

    response = client.get(f"/w/{workgroup.slug}/")

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_job_kept_through_a_long_broker_outage_is_not_failed_as_lost_once_it_is_finally_sent(
        workgroup, member, settings):
    """Redis down for longer than the queued timeout: sent when it is back, the job gets the full wait again."""
    from datetime import timedelta

    from django.utils import timezone

    from toolkit.services import job_fail_stale, job_send_unsent

    job = Job.objects.create(workgroup=workgroup, kind="workgroup_summary_pdf", requested_by=member,
                             awaiting_broker=True)
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=2))

    assert job_fail_stale() == 0  # kept while the broker is down
    with mock.patch("toolkit.tasks.run_job.delay"):
        assert job_send_unsent() == 1
    assert job_fail_stale() == 0  # just sent: not "never picked up"

    later = timezone.now() + timedelta(seconds=settings.JOB_QUEUED_TIMEOUT_SECONDS + 1)
    assert job_fail_stale(now=later) == 1  # sent, and still no worker took it after the full wait
