"""The transfer import's two jobs through a real Celery worker process on Redis and PostgreSQL."""

from __future__ import annotations

import pytest

from conftest import wait_for
from partners.tests.factories import OrganizationFactory
from toolkit.models import AuditEvent, Job, JobStatus
from triage.models import ImportStatus, Transfer, TransferImport
from triage.tests.test_transfer_imports import GUESSED, csv_bytes, lines, upload
from triage.transfers import imports

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _finished(kind: str, transfer_import: TransferImport):
    def check():
        job = Job.objects.filter(kind=kind, params__transfer_import_id=transfer_import.pk).order_by("-pk").first()
        return job if job is not None and job.is_finished else None

    return check


def test_a_worker_checks_then_imports_a_partners_export(workgroup, member, worker_media):
    metro = OrganizationFactory(workgroup=workgroup, name="Metro 911")
    OrganizationFactory(workgroup=workgroup, name="Harbor Crisis Line")
    transfer_import = upload(workgroup, member, csv_bytes(*lines(500)), metro)
    imports.transfer_import_map(actor=member, transfer_import=transfer_import, mapping=GUESSED)

    check = wait_for(_finished(imports.CHECK_JOB, transfer_import))

    assert check.status == JobStatus.SUCCEEDED, check.error_message
    transfer_import.refresh_from_db()
    assert (transfer_import.summary["new"], transfer_import.summary["problem_count"]) == (500, 0)
    with check.result.open("rb") as report:
        assert report.read().decode("utf-8-sig").strip() == "row,column,problem"

    imports.transfer_import_start(actor=member, transfer_import=transfer_import)
    done = wait_for(_finished(imports.IMPORT_JOB, transfer_import))

    assert done.status == JobStatus.SUCCEEDED, done.error_message
    assert (done.progress, done.attempts) == (100, 1)
    transfer_import.refresh_from_db()
    assert (transfer_import.status, transfer_import.transfers_created) == (ImportStatus.IMPORTED, 500)
    assert Transfer.objects.filter(workgroup=workgroup, source_organization=metro).count() == 500
    assert AuditEvent.objects.filter(workgroup=workgroup, object_type="triage.transfer").count() == 500
    assert not transfer_import.file
