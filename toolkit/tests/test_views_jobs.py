"""Job pages respect what each job kind requires to be seen, not only workgroup membership."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from toolkit import jobs
from toolkit.models import Job, JobStatus
from toolkit.permissions import Action

RESTRICTED = "restricted_export_for_test"


@pytest.fixture
def restricted_kind():
    jobs.register(
        jobs.JobKind(
            kind=RESTRICTED,
            label="Restricted export",
            action=Action.EXPORT_AGREEMENTS,
            run=lambda **kwargs: ("x.pdf", b"%PDF-1.7"),
        )
    )
    yield RESTRICTED
    jobs._KINDS.pop(RESTRICTED)


@pytest.fixture
def restricted_job(workgroup, coordinator, restricted_kind):
    job = Job.objects.create(
        workgroup=workgroup, kind=restricted_kind, requested_by=coordinator, status=JobStatus.SUCCEEDED
    )
    job.result.save("secret-draft.pdf", ContentFile(b"%PDF-1.7 restricted"))
    return job


def test_a_viewer_cannot_see_or_download_a_job_of_a_kind_their_role_may_not_export(
    client, viewer, workgroup, restricted_job
):
    client.force_login(viewer)

    assert client.get(f"/w/{workgroup.slug}/jobs/{restricted_job.pk}/").status_code == 403
    assert client.get(f"/w/{workgroup.slug}/jobs/{restricted_job.pk}/download/").status_code == 403
    listing = client.get(f"/w/{workgroup.slug}/jobs/").content.decode()
    assert "Restricted export" not in listing


def test_a_legal_reviewer_sees_and_downloads_the_same_job(client, legal_reviewer, workgroup, restricted_job):
    client.force_login(legal_reviewer)

    assert "Restricted export" in client.get(f"/w/{workgroup.slug}/jobs/").content.decode()
    download = client.get(f"/w/{workgroup.slug}/jobs/{restricted_job.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.7 restricted"


def test_a_job_of_an_unknown_kind_is_shown_to_coordinators_only(client, coordinator, member, workgroup):
    job = Job.objects.create(workgroup=workgroup, kind="retired_kind", requested_by=coordinator)

    client.force_login(member)
    assert client.get(f"/w/{workgroup.slug}/jobs/{job.pk}/").status_code == 403
    client.force_login(coordinator)
    assert client.get(f"/w/{workgroup.slug}/jobs/{job.pk}/").status_code == 200


def test_the_status_partial_keeps_polling_until_the_job_finishes(client, member, workgroup):
    job = Job.objects.create(workgroup=workgroup, kind="workgroup_summary_pdf", requested_by=member)
    client.force_login(member)

    queued = client.get(f"/w/{workgroup.slug}/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error_message="The mail server was down.")
    failed = client.get(f"/w/{workgroup.slug}/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()

    assert 'hx-trigger="every 2s"' in queued
    assert "<html" not in queued  # the partial alone, swapped in place
    assert "hx-trigger" not in failed
    assert "The mail server was down." in failed


def test_a_finished_job_page_never_says_it_is_still_being_built(client, member, workgroup, settings, tmp_path):
    """The start message stays on the page while its status block turns to Ready: it says what was asked."""
    from toolkit.services import job_run

    settings.MEDIA_ROOT = tmp_path
    client.force_login(member)
    response = client.post(f"/w/{workgroup.slug}/jobs/start/workgroup_summary_pdf/")
    job_run(job_id=Job.objects.get().pk)  # as a worker would, before the person's browser follows the redirect

    page = client.get(response["Location"]).content.decode()

    assert Job.objects.get().status == JobStatus.SUCCEEDED
    assert "You asked for: Workgroup summary" in page and "Ready" in page
    assert "being built" not in page and "updates by itself" not in page
    assert 'data-testid="job-download"' in page


def test_the_job_list_offers_a_download_for_each_finished_file_only(client, member, workgroup, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ready = Job.objects.create(workgroup=workgroup, kind="workgroup_summary_pdf", requested_by=member,
                               status=JobStatus.SUCCEEDED)
    ready.result.save("summary.pdf", ContentFile(b"%PDF-1.7 summary"))
    Job.objects.create(workgroup=workgroup, kind="workgroup_summary_pdf", requested_by=member)  # still queued
    Job.objects.create(workgroup=workgroup, kind="workgroup_summary_pdf", requested_by=member,
                       status=JobStatus.FAILED, error_message="The worker stopped.")
    client.force_login(member)

    page = client.get(f"/w/{workgroup.slug}/jobs/").content.decode()

    assert page.count('data-testid="job-list-download"') == 1
    assert f'href="/w/{workgroup.slug}/jobs/{ready.pk}/download/"' in page
    assert client.get(f"/w/{workgroup.slug}/jobs/{ready.pk}/download/").status_code == 200
