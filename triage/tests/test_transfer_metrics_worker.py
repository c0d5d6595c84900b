"""The monthly transfer report PDF through a real Celery worker (Redis and PostgreSQL), looked at as PNGs."""

from __future__ import annotations

import subprocess
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import wait_for
from incidents.models import IncidentSettings
from partners.tests.factories import OrganizationFactory
from toolkit.models import AuditAction, AuditEvent, Job, JobStatus
from triage.models import Direction, TransferResult
from triage.tests.transfer_factories import TransferFactory
from triage.transfers import metrics

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
NEW_YORK = ZoneInfo("America/New_York")


def _finished(job_id: int):
    def check():
        job = Job.objects.get(pk=job_id)
        return job if job.is_finished else None

    return check


def test_the_worker_builds_the_monthly_pdf_and_audits_it(client, workgroup, qa_reviewer, worker_media, artifacts_dir):
    IncidentSettings.objects.create(workgroup=workgroup, export_level="deidentified")
    month = metrics.add_months(timezone.localdate().replace(day=1), -1)
    at = datetime.combine(month.replace(day=4), datetime.min.time(), tzinfo=NEW_YORK) + timedelta(hours=9)
    county, crisis = (OrganizationFactory(workgroup=workgroup, name=n) for n in ("County 911", "Lakeside 988"))
    TransferFactory.create_batch(40, workgroup=workgroup, initiated_at=at, sending_organization=county,
                                 receiving_organization=crisis, risk_level_name="Moderate")
    TransferFactory.create_batch(14, workgroup=workgroup, initiated_at=at, sending_organization=county,
                                 receiving_organization=crisis, result=TransferResult.REFUSED, risk_level_name="High")
    TransferFactory.create_batch(3, workgroup=workgroup, initiated_at=at, sending_organization=crisis,
                                 receiving_organization=county, direction=Direction.FROM_988_TO_911)
    client.force_login(qa_reviewer)

    response = client.post(reverse("transfers:report", kwargs={"slug": workgroup.slug}), {"month": f"{month:%Y-%m}"})
    job = wait_for(_finished(Job.objects.get().pk), timeout=90)

    assert response.status_code == 302
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert job.result.name.endswith(f"-transfers-{month:%Y-%m}.pdf")
    data = job.result.open("rb").read()
    assert data.startswith(b"%PDF-")
    pdf = artifacts_dir / "transfer-monthly-report.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(artifacts_dir / "transfer-monthly-report")],
                   check=True)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Transfers by partner pair" in text and "<11" in text and "suppressed" in text
    assert f"{date(month.year, month.month, 1):%B %Y}" in text
    event = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert event.actor == qa_reviewer and "(PDF)" in str(event.changes)
