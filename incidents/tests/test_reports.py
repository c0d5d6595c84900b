"""The quarterly incident review PDF: built by the job runner from this workgroup's quarter, marked when it must be."""

from __future__ import annotations

import subprocess
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from incidents.models import ActionStatus
from incidents.reports import CONFIDENTIAL_MARK, MSG_BAD_QUARTER, PRIVILEGED_MARK, QUARTERLY_REPORT
from incidents.tests.test_trends import make_action, make_incident
from partners.tests.factories import OrganizationFactory
from toolkit import jobs
from toolkit import services as core_services
from toolkit.models import AuditAction, AuditEvent, Job, JobStatus
from toolkit.permissions import Action

pytestmark = pytest.mark.django_db


def _run(actor, workgroup, **params) -> Job:
    job = core_services.job_create(actor=actor, workgroup=workgroup, kind=QUARTERLY_REPORT, params=params)
    core_services.job_run(job_id=job.pk)  # what the worker does
    job.refresh_from_db()
    return job


def _pages(job: Job) -> list[str]:
    with job.result.open("rb") as handle:
        return [" ".join(page.extract_text().split()) for page in PdfReader(handle).pages]


def quarter(workgroup):
    """2025 Q2: 3 delays in April and 2 in May (one of them privileged), 2 closed in the quarter after 2 and 6 days;
    one incident in March and one elsewhere that must not show."""
    county = OrganizationFactory(workgroup=workgroup, name="County 911")
    april = [make_incident(workgroup, occurred=date(2025, 4, d), closed_after_days=days, organizations=[county],
                           narrative="Caller Jane Roe waited.", reporter_name="Sam Reporter",
                           cad_reference="CAD-778812")
             for d, days in ((2, 2), (9, 6), (20, None))]
    may = [make_incident(workgroup, occurred=date(2025, 5, 5), category="failed_transfer", incident_class="harm",
                         agreed_harm="moderate"),
           make_incident(workgroup, occurred=date(2025, 5, 6), confidentiality="privileged")]
    march = make_incident(workgroup, occurred=date(2025, 3, 30))
    make_action(april[0], status=ActionStatus.OPEN, due=date(2025, 5, 1))  # overdue now
    return april, may, march


def test_the_report_holds_the_quarters_counts_median_and_list_without_text(workgroup, qa_reviewer,
                                                                          other_workgroup, outsider):
    april, may, march = quarter(workgroup)
    elsewhere = make_incident(other_workgroup, occurred=date(2025, 4, 3), narrative="Elsewhere secret")

    job = _run(qa_reviewer, workgroup, year=2025, quarter=2)

    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert job.result.name.endswith("-incident-review-2025-q2.pdf")
    text = " ".join(_pages(job))
    assert "Quarterly incident review" in text and "2025 Q2" in text
    assert "Incidents that happened 5" in text
    assert "Apr 2025 3 May 2025 2 Jun 2025 0" in text
    assert "Delay 4" in text and "Failed or dropped transfer 1" in text and "Moderate harm 1" in text
    assert "2 incidents closed in the quarter" in text and "4.0 median days" in text
    for incident in april + may:
        assert incident.reference in text
    assert march.reference not in text and elsewhere.reference not in text
    for leaked in ("Jane", "Sam Reporter", "CAD-778812", "Elsewhere secret"):
        assert leaked not in text


def test_a_privileged_incident_marks_every_page_and_writes_an_audit_row(workgroup, coordinator):
    april, may, _ = quarter(workgroup)
    for day in range(1, 40):  # enough rows for a second page of the list
        make_incident(workgroup, occurred=date(2025, 6, 1) + timedelta(days=day % 29))

    job = _run(coordinator, workgroup, year=2025, quarter=2)

    pages = _pages(job)
    assert len(pages) > 2
    assert all(PRIVILEGED_MARK in page for page in pages)
    exported = AuditEvent.objects.filter(action=AuditAction.EXPORTED)
    assert [e.object_id for e in exported] == [str(may[1].pk)]
    assert exported.get().actor == coordinator and "2025 Q2" in exported.get().changes[0]["new"]


def test_a_confidential_incident_marks_the_pages_as_confidential_not_privileged(workgroup, qa_reviewer):
    confidential = make_incident(workgroup, occurred=date(2025, 1, 15), confidentiality="confidential")

    job = _run(qa_reviewer, workgroup, year=2025, quarter=1)

    pages = _pages(job)
    assert all(CONFIDENTIAL_MARK in page and PRIVILEGED_MARK not in page for page in pages)
    assert AuditEvent.objects.get(action=AuditAction.EXPORTED).object_id == str(confidential.pk)


def test_a_report_without_marked_incidents_carries_no_mark(workgroup, qa_reviewer):
    make_incident(workgroup, occurred=date(2025, 1, 15))

    job = _run(qa_reviewer, workgroup, year=2025, quarter=1)

    assert job.status == JobStatus.SUCCEEDED
    assert not any(PRIVILEGED_MARK in page for page in _pages(job))
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED).exists()


def test_a_quarter_without_incidents_gives_a_short_report(workgroup, qa_reviewer):
    job = _run(qa_reviewer, workgroup, year=2024, quarter=3)

    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert "No incident happened in 2024 Q3" in " ".join(_pages(job))


@pytest.mark.parametrize("params", [{"year": 2025, "quarter": 5}, {"year": "x", "quarter": 1}, {},
                                    {"year": date.today().year + 1, "quarter": 1}])
def test_a_job_asking_for_no_real_quarter_fails_readably(workgroup, qa_reviewer, params):
    job = _run(qa_reviewer, workgroup, **params)

    assert job.status == JobStatus.FAILED and job.error_message == MSG_BAD_QUARTER


def test_the_kind_is_for_qa_and_coordinators_on_the_pdf_queue():
    kind = jobs.get_kind(QUARTERLY_REPORT)

    assert kind.action == Action.REVIEW_INCIDENTS and kind.queue == "pdf"
    assert kind.label == "Quarterly incident review (PDF)"


def test_the_pages_look_right(workgroup, qa_reviewer, artifacts_dir, tmp_path):
    quarter(workgroup)
    job = _run(qa_reviewer, workgroup, year=2025, quarter=2)
    pdf = tmp_path / "report.pdf"
    with job.result.open("rb") as handle:
        pdf.write_bytes(handle.read())

    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(artifacts_dir / "incidents-quarterly-report")],
                   check=True)

    assert sorted(artifacts_dir.glob("incidents-quarterly-report*.png"))


def test_each_download_of_the_quarterly_review_is_on_the_audit_trail(client, workgroup, qa_reviewer, coordinator):
    make_incident(workgroup, occurred=date(2025, 1, 15), confidentiality="confidential")
    job = _run(qa_reviewer, workgroup, year=2025, quarter=1)
    client.force_login(coordinator)

    assert client.get(f"/w/{workgroup.slug}/jobs/{job.pk}/download/").status_code == 200

    downloaded = AuditEvent.objects.get(action=AuditAction.DOWNLOADED)
    assert (downloaded.actor, downloaded.object_type, downloaded.object_id) == (coordinator, "toolkit.job", str(job.pk))
    assert downloaded.changes[0]["new"] == "Quarterly incident review PDF (may hold marked incidents)"
