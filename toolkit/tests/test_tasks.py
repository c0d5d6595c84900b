"""Background jobs through a real Celery worker process on Redis and PostgreSQL."""

from __future__ import annotations

import pytest

from conftest import wait_for
from toolkit import services
from toolkit.models import Job, JobStatus, Membership
from toolkit.reports import WORKGROUP_SUMMARY
from toolkit.tasks import run_job

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _finished(job: Job):
    def check():
        job.refresh_from_db()
        return job if job.is_finished else None

    return check


def test_summary_job_goes_from_queued_to_succeeded_and_its_pdf_downloads(
    client, coordinator, workgroup, worker_media
):
    job = services.job_create(actor=coordinator, workgroup=workgroup, kind=WORKGROUP_SUMMARY)
    assert job.status == JobStatus.QUEUED

    wait_for(_finished(job))

    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert job.progress == 100
    assert job.attempts == 1
    with job.result.open("rb") as handle:
        assert handle.read(4) == b"%PDF"
    client.force_login(coordinator)
    status = client.get(f"/w/{workgroup.slug}/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
    assert b'data-testid="job-download"' in status.content
    assert f"Download {workgroup.slug}-summary.pdf".encode() in status.content
    assert b"hx-trigger" not in status.content  # finished: the page stops polling
    download = client.get(f"/w/{workgroup.slug}/jobs/{job.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_job_whose_requester_lost_access_fails_with_a_readable_error(
    client, coordinator, member, workgroup, worker_media
):
    job = Job.objects.create(workgroup=workgroup, kind=WORKGROUP_SUMMARY, requested_by=member)
    Membership.objects.filter(user=member, workgroup=workgroup).delete()

    run_job.delay(job.pk)
    wait_for(_finished(job))

    assert job.status == JobStatus.FAILED
    assert "no longer allowed" in job.error_message
    assert not job.result
    client.force_login(coordinator)
    page = client.get(f"/w/{workgroup.slug}/jobs/{job.pk}/")
    assert b"no longer allowed" in page.content
    assert client.get(f"/w/{workgroup.slug}/jobs/{job.pk}/download/").status_code == 404


def test_delivering_the_same_job_twice_runs_it_once(coordinator, workgroup, worker_media):
    job = Job.objects.create(workgroup=workgroup, kind=WORKGROUP_SUMMARY, requested_by=coordinator)

    run_job.delay(job.pk)
    run_job.delay(job.pk)
    wait_for(_finished(job))
    first_finish = job.finished_at
    # The solo worker takes messages in order; a third, marker message shows the second was handled.
    marker = Job.objects.create(workgroup=workgroup, kind=WORKGROUP_SUMMARY, requested_by=coordinator)
    run_job.delay(marker.pk)
    wait_for(_finished(marker))

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.attempts == 1
    assert job.finished_at == first_finish
