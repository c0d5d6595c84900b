"""The after-action review: the report (who may write it, what it refuses), its page, and its PDF job."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents import after_action, services, workflow
from incidents.models import AfterActionReport, Confidentiality
from incidents.tests.test_services import report
from incidents.tests.test_workflow import under_review
from partners.tests.factories import OrganizationFactory
from toolkit.models import AuditAction, AuditEvent, Job, JobStatus
from toolkit.services import job_run

pytestmark = pytest.mark.django_db

SUMMARY = ("A warm transfer from the county 911 center to the 988 line dropped after 40 seconds; the caller was "
           "reached again by mobile crisis 35 minutes later.")

STEPS = ("test the failover route with both centers monthly.",
         "add a verbal confirmation step to the warm-transfer script and train every shift on it.",
         "report dropped transfers to the telephony vendor within one business day.")


def url(incident, name="after-action"):
    return reverse(f"incidents:{name}", kwargs={"slug": incident.workgroup.slug, "incident_id": incident.pk})


def reviewed_incident(workgroup, qa, second, *, actions=3):
    """An intake report (with a reporter's name and the partners' references) under review, with a plan."""
    psap = OrganizationFactory(workgroup=workgroup, name="Riverbend County 911")
    line = OrganizationFactory(workgroup=workgroup, name="Riverbend 988 Lifeline Center")
    now = timezone.now()
    incident = services.incident_report_from_intake(
        workgroup=workgroup, reporter_name="Robin Reporter", reporter_contact="robin.reporter@example.org",
        incident_class="harm", category="failed_transfer", occurred_at=now - timedelta(days=3),
        discovered_at=now - timedelta(days=3), organizations=[psap, line], cad_reference="CAD-2025-77810",
        contact_reference="988-C-4471", narrative="NARRATIVE-NOT-FOR-PARTNERS the transfer rang out.")
    under_review(incident, qa)
    workflow.harm_rate(actor=qa, incident=incident, harm="moderate")
    workflow.harm_rate(actor=second, incident=incident, harm="moderate")
    workflow.harm_agree(actor=second, incident=incident, harm="moderate")
    workflow.assessment_save(actor=qa, incident=incident, likelihood=3, severity=4,
                             factor_codes=["handoff.warm_transfer_failed", "technology.telephony"],
                             findings="The transfer line had no failover and nobody confirmed the hand-off.")
    causes = [workflow.root_cause_add(actor=qa, incident=incident, description=text) for text in (
        "The shared transfer line has no failover route.", "No step confirms that 988 took the call.")]
    for n in range(actions):
        workflow.action_add(actor=qa, incident=incident, root_cause=causes[n % 2],
                            owner_organization=(psap, line)[n % 2], description=f"Plan step {n + 1}: {STEPS[n % 3]}",
                            due_date=timezone.localdate() + timedelta(days=14 + n))
    incident.refresh_from_db()
    return incident


def run_pdf(actor, incident) -> Job:
    job = after_action.after_action_pdf_start(actor=actor, incident=incident)
    return job_run(job_id=job.pk)


def pdf_pages(job: Job, tmp_path) -> list[str]:
    path = tmp_path / "report.pdf"
    with job.result.open("rb") as handle:
        path.write_bytes(handle.read())
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    count = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    return [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(path), "-"], capture_output=True,
                           text=True, check=True).stdout for n in range(1, count + 1)]


# --- The report --------------------------------------------------------------------------------------


def test_a_qa_reviewer_writes_the_report_and_each_change_is_in_its_history(workgroup, member, qa_reviewer):
    incident = report(member, workgroup)

    saved = after_action.after_action_save(actor=qa_reviewer, incident=incident, summary=SUMMARY,
                                           strengths="Mobile crisis called back.", areas_for_improvement="")
    after_action.after_action_save(actor=qa_reviewer, incident=incident, summary=SUMMARY,
                                   strengths="Mobile crisis called back.", areas_for_improvement="Failover.")
    after_action.after_action_save(actor=qa_reviewer, incident=incident, summary=SUMMARY,
                                   strengths="Mobile crisis called back.", areas_for_improvement="Failover.")

    row = AfterActionReport.objects.get()
    assert row.pk == saved.pk and row.incident == incident and row.updated_by == qa_reviewer
    assert row.areas_for_improvement == "Failover."
    assert row.history.count() == 2  # the unchanged third save wrote nothing
    events = AuditEvent.objects.filter(object_type="incidents.afteractionreport", object_id=str(row.pk))
    assert list(events.order_by("pk").values_list("action", flat=True)) == [AuditAction.CREATED, AuditAction.CHANGED]


def test_the_summary_is_required(workgroup, member, qa_reviewer):
    incident = report(member, workgroup)
    with pytest.raises(ValidationError) as refused:
        after_action.after_action_save(actor=qa_reviewer, incident=incident, summary="  ", strengths="Quick call-back")
    assert refused.value.message_dict == {"summary": [after_action.MSG_SUMMARY_REQUIRED]}
    assert not AfterActionReport.objects.exists()


def test_people_who_do_not_review_cannot_write_it(workgroup, member, viewer, legal_reviewer):
    incident = report(member, workgroup)
    for person in (member, viewer, legal_reviewer):
        with pytest.raises(PermissionDenied):
            after_action.after_action_save(actor=person, incident=incident, summary=SUMMARY)
    assert not AfterActionReport.objects.exists()


# --- The page ----------------------------------------------------------------------------------------


def test_the_page_says_what_it_is_for_and_shows_the_empty_plan(client, workgroup, member, coordinator):
    incident = report(member, workgroup)
    client.force_login(coordinator)

    page = client.get(url(incident)).content.decode()

    assert "meant for <strong>significant incidents</strong>" in page and "None of those signs" in page
    assert 'data-testid="plan-empty"' in page and 'data-testid="report-new"' in page
    assert 'data-testid="pdf-form"' not in page and "Save the report first" in page


def test_posting_the_form_saves_the_report_and_a_bad_post_keeps_what_was_typed(client, workgroup, member,
                                                                                 qa_reviewer):
    incident = report(member, workgroup)
    client.force_login(qa_reviewer)

    bad = client.post(url(incident), {"summary": "", "strengths": "The call-back worked."})
    assert bad.status_code == 400 and "The call-back worked." in bad.content.decode()
    assert not AfterActionReport.objects.exists()

    done = client.post(url(incident), {"summary": SUMMARY, "strengths": "The call-back worked."}, follow=True)
    assert done.redirect_chain == [(url(incident), 302)]
    page = done.content.decode()
    assert f"The after-action report on {incident.reference} is saved." in page and 'data-testid="pdf-form"' in page
    assert AfterActionReport.objects.get().strengths == "The call-back worked."


@pytest.mark.parametrize("role", ["member", "legal_reviewer", "viewer"])
def test_people_who_do_not_review_are_refused_the_page(client, workgroup, people, role):
    incident = report(people["member"], workgroup)
    client.force_login(people[role])
    assert client.get(url(incident)).status_code == 403
    assert client.post(url(incident), {"summary": SUMMARY}).status_code == 403
    assert client.post(url(incident, "after-action-pdf")).status_code == 403
    assert not AfterActionReport.objects.exists() and not Job.objects.exists()


def test_another_workgroups_incident_is_not_found(client, workgroup, other_workgroup, outsider, qa_reviewer):
    theirs = report(outsider, other_workgroup)
    client.force_login(qa_reviewer)
    mine_address = reverse("incidents:after-action", kwargs={"slug": workgroup.slug, "incident_id": theirs.pk})

    assert client.get(mine_address).status_code == 404
    assert client.post(mine_address, {"summary": SUMMARY}).status_code == 404
    assert client.get(url(theirs)).status_code == 404  # their address: not a member there
    assert not AfterActionReport.objects.exists()


def test_the_page_shows_the_plan_with_a_fixed_number_of_queries(client, workgroup, qa_reviewer, second_qa,
                                                                monkeypatch):
    incident = reviewed_incident(workgroup, qa_reviewer, second_qa, actions=2)
    client.force_login(qa_reviewer)
    client.get(url(incident))
    with CaptureQueriesContext(connection) as few:
        page = client.get(url(incident)).content.decode()
    assert "Plan step 1:" in page and "Riverbend County 911" in page and "reviewers agreed moderate harm" in page

    cause = incident.root_causes.first()
    owner = OrganizationFactory(workgroup=workgroup, name="Mobile Crisis Team")
    for n in range(6):
        workflow.action_add(actor=qa_reviewer, incident=incident, root_cause=cause, description=f"Extra {n}",
                            owner_organization=owner, due_date=timezone.localdate() + timedelta(days=40))
    monkeypatch.setattr(after_action, "PLAN_SHOWN", 5)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url(incident)).content.decode()
    assert "The first 5 of 8 actions" in page
    assert len(many) == len(few) + 1  # the total, counted only when the list is cut


# --- The PDF -----------------------------------------------------------------------------------------


def test_the_pdf_job_holds_the_report_and_plan_and_nothing_about_the_reporter_or_the_call(
    workgroup, qa_reviewer, second_qa, tmp_path, artifacts_dir
):
    incident = reviewed_incident(workgroup, qa_reviewer, second_qa)
    after_action.after_action_save(actor=qa_reviewer, incident=incident, summary=SUMMARY,
                                   strengths="Mobile crisis reached the caller within the hour.",
                                   areas_for_improvement="The transfer line needs a tested failover route.")

    job = run_pdf(qa_reviewer, incident)

    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert job.filename == f"{incident.reference.lower()}-after-action-report.pdf"
    text = " ".join(" ".join(page.split()) for page in pdf_pages(job, tmp_path))
    for expected in (incident.reference, "Failed or dropped transfer", "Moderate harm", "High", SUMMARY[:60],
                     "Plan step 1: test the failover route", "Plan step 3:", "The shared transfer line has no",
                     "Riverbend 988 Lifeline Center", "Hand-off and transfer: Warm transfer not completed",
                     "Page 1 of"):
        assert expected in text, expected
    for absent in ("Robin Reporter", "robin.reporter@example.org", "CAD-2025-77810", "988-C-4471",
                   "NARRATIVE-NOT-FOR-PARTNERS"):
        assert absent not in text, absent
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED).exists()  # not marked: no access row
    with job.result.open("rb") as handle:
        (artifacts_dir / "incidents-after-action-report.pdf").write_bytes(handle.read())


def test_a_marked_incidents_pdf_carries_the_mark_on_every_page_and_is_audited(
    workgroup, qa_reviewer, second_qa, coordinator, tmp_path, artifacts_dir
):
    incident = reviewed_incident(workgroup, qa_reviewer, second_qa, actions=14)
    workflow.marking_set(actor=qa_reviewer, incident=incident, confidentiality=Confidentiality.PRIVILEGED)
    long_text = "\n\n".join([SUMMARY] * 6)
    after_action.after_action_save(actor=qa_reviewer, incident=incident, summary=long_text, strengths=long_text,
                                   areas_for_improvement=long_text)

    job = run_pdf(coordinator, incident)

    assert job.status == JobStatus.SUCCEEDED, job.error_message
    pages = pdf_pages(job, tmp_path)
    assert len(pages) >= 2
    for page in pages:
        assert "Quality-improvement privileged" in page and "QI PRIVILEGED" in page
    exported = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert (exported.actor, exported.object_id, exported.changes[0]["new"]) == (
        coordinator, str(incident.pk), "After-action report PDF")
    with job.result.open("rb") as handle:
        (artifacts_dir / "incidents-after-action-report-privileged.pdf").write_bytes(handle.read())


def test_opening_a_marked_incidents_review_page_is_audited(client, workgroup, member, qa_reviewer):
    incident = report(member, workgroup)
    workflow.marking_set(actor=qa_reviewer, incident=incident, confidentiality=Confidentiality.CONFIDENTIAL)
    client.force_login(qa_reviewer)

    page = client.get(url(incident)).content.decode()

    assert after_action.CONFIDENTIAL_MARK in page
    viewed = AuditEvent.objects.get(action=AuditAction.VIEWED)
    assert (viewed.actor, viewed.object_id) == (qa_reviewer, str(incident.pk))


def test_the_pdf_button_starts_a_job_and_goes_to_its_page(client, workgroup, member, qa_reviewer,
                                                          django_capture_on_commit_callbacks):
    incident = report(member, workgroup)
    client.force_login(qa_reviewer)
    refused = client.post(url(incident, "after-action-pdf"), follow=True)
    assert after_action.MSG_NO_REPORT_YET in refused.content.decode() and not Job.objects.exists()

    after_action.after_action_save(actor=qa_reviewer, incident=incident, summary=SUMMARY)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url(incident, "after-action-pdf"))

    job = Job.objects.get()
    assert (job.kind, job.params, job.requested_by) == (after_action.KIND, {"incident_id": incident.pk}, qa_reviewer)
    assert response["Location"] == reverse("toolkit:job-detail", kwargs={"slug": workgroup.slug, "job_id": job.pk})
    assert len(callbacks) == 1


def test_the_job_refuses_an_incident_of_another_workgroup(workgroup, other_workgroup, outsider, qa_reviewer):
    theirs = report(outsider, other_workgroup)
    after_action.after_action_save(actor=outsider, incident=theirs, summary=SUMMARY)
    job = Job.objects.create(workgroup=workgroup, kind=after_action.KIND, params={"incident_id": theirs.pk},
                             requested_by=qa_reviewer)

    job = job_run(job_id=job.pk)

    assert job.status == JobStatus.FAILED and job.error_message == after_action.MSG_INCIDENT_GONE
    assert not job.result


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_the_browser_a_reviewer_writes_the_report_and_builds_its_pdf(page, workgroup, qa_reviewer, second_qa,
                                                                        artifacts_dir):
    from toolkit.tests.factories import TEST_PASSWORD

    incident = reviewed_incident(workgroup, qa_reviewer, second_qa)
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(qa_reviewer.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(url(incident))
    page.get_by_label("Summary").fill(SUMMARY)
    page.get_by_label("Strengths").fill("Mobile crisis reached the caller within the hour.")
    page.get_by_label("Areas for improvement").fill("The transfer line needs a tested failover route.")
    page.get_by_role("button", name="Save the report").click()
    page.get_by_test_id("report-updated").wait_for()
    page.screenshot(path=artifacts_dir / "incidents-after-action.png", full_page=True)

    page.get_by_role("button", name="Build the PDF").click()
    page.wait_for_url("**/jobs/**")
    job_run(job_id=Job.objects.get(kind=after_action.KIND).pk)
    page.reload()
    page.locator("[data-testid=job-status][data-status=succeeded]").wait_for()
    page.screenshot(path=artifacts_dir / "incidents-after-action-job.png", full_page=True)
    assert page.console_errors == []


def test_each_download_of_a_marked_incidents_pdf_is_audited_and_an_unmarked_ones_is_not(
    client, workgroup, qa_reviewer, second_qa, coordinator
):
    incident = reviewed_incident(workgroup, qa_reviewer, second_qa)
    after_action.after_action_save(actor=qa_reviewer, incident=incident, summary=SUMMARY, strengths="Quick.",
                                   areas_for_improvement="Failover.")
    download = f"/w/{workgroup.slug}/jobs/{{}}/download/"
    client.force_login(second_qa)
    assert client.get(download.format(run_pdf(coordinator, incident).pk)).status_code == 200
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOADED).exists()

    workflow.marking_set(actor=qa_reviewer, incident=incident, confidentiality=Confidentiality.CONFIDENTIAL)
    marked_job = run_pdf(coordinator, incident)
    assert client.get(download.format(marked_job.pk)).status_code == 200

    downloaded = AuditEvent.objects.get(action=AuditAction.DOWNLOADED)
    assert (downloaded.actor, downloaded.object_type, downloaded.object_id) == (
        second_qa, "toolkit.job", str(marked_job.pk))
    assert downloaded.changes[0]["new"] == f"After-action report PDF of marked incident {incident.reference}"
