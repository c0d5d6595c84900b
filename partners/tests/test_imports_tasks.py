"""The directory import's two jobs through a real Celery worker process on Redis and PostgreSQL."""

from __future__ import annotations

import pytest

from conftest import wait_for
from partners import imports
from partners.models import Contact, DirectoryImport, ImportStatus, Organization
from partners.tests.test_directory_io import csv_bytes, row, sector_of
from partners.tests.test_imports import rows, upload
from toolkit.models import AuditEvent, Job, JobStatus

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _finished(kind: str, directory_import: DirectoryImport):
    def check():
        job = Job.objects.filter(kind=kind, params__directory_import_id=directory_import.pk).order_by("-pk").first()
        return job if job is not None and job.is_finished else None

    return check


def test_a_worker_checks_then_imports_a_file_all_at_once(coordinator, workgroup, worker_media):
    sector_of(workgroup)
    directory_import = upload(workgroup, coordinator, csv_bytes(*rows(300)))

    check = wait_for(_finished(imports.CHECK_JOB, directory_import))

    assert check.status == JobStatus.SUCCEEDED, check.error_message
    directory_import.refresh_from_db()
    assert (directory_import.summary["organizations"], directory_import.summary["contacts"]) == (300, 600)
    with check.result.open("rb") as report:
        assert report.read().decode("utf-8-sig").strip() == "row,column,problem"  # no problems

    imports.directory_import_start(actor=coordinator, directory_import=directory_import)
    done = wait_for(_finished(imports.IMPORT_JOB, directory_import))

    assert done.status == JobStatus.SUCCEEDED, done.error_message
    assert (done.progress, done.attempts) == (100, 1)
    directory_import.refresh_from_db()
    assert (directory_import.status, directory_import.organizations_created, directory_import.contacts_created) == (
        ImportStatus.IMPORTED, 300, 600)
    assert Organization.objects.filter(workgroup=workgroup).count() == 300
    assert Contact.history.filter(history_user=coordinator).count() == 600
    assert AuditEvent.objects.filter(workgroup=workgroup, object_type="partners.organization").count() == 300
    assert not directory_import.file  # the uploaded copy is gone once imported


def test_a_worker_import_that_meets_a_new_name_writes_nothing_and_says_why(coordinator, workgroup, worker_media):
    sector_of(workgroup)
    directory_import = upload(workgroup, coordinator, csv_bytes(row(), *rows(20)))
    wait_for(_finished(imports.CHECK_JOB, directory_import))
    Organization.objects.create(workgroup=workgroup, name="HARBOR CRISIS LINE", sector=sector_of(workgroup),
                                org_type="other")

    imports.directory_import_start(actor=coordinator, directory_import=directory_import)
    failed = wait_for(_finished(imports.IMPORT_JOB, directory_import))

    assert failed.status == JobStatus.FAILED
    assert "is already on the map" in failed.error_message and "Nothing was imported" in failed.error_message
    assert Organization.objects.filter(workgroup=workgroup).count() == 1 and not Contact.objects.exists()
    directory_import.refresh_from_db()
    assert directory_import.status == ImportStatus.PENDING
