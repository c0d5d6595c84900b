"""The readiness report PDF: built by the job runner, from this workgroup's round and nobody else's."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from conftest import wait_for
from readiness.models import ActionItem
from readiness.reports import MSG_REPORT_ROUND_GONE, MSG_REPORT_ROUND_OPEN, READINESS_REPORT, READINESS_REPORT_LIVE
from readiness.tests.test_views_results import RESPONDENT_NAMES, held_back_round, two_organization_round
from toolkit import services as core_services
from toolkit.models import Job, JobStatus


def _text(job: Job) -> str:
    job.refresh_from_db()
    with job.result.open("rb") as handle:
        text = " ".join(page.extract_text() for page in PdfReader(handle).pages)
    return " ".join(text.split())  # table cells wrap lines; compare words


def _run(actor, workgroup, round_id, kind=READINESS_REPORT) -> Job:
    job = core_services.job_create(actor=actor, workgroup=workgroup, kind=kind, params={"round": round_id})
    core_services.job_run(job_id=job.pk)  # what the worker does
    job.refresh_from_db()
    return job


def test_the_report_has_each_dimension_with_its_truncated_score_and_band(workgroup, member):
    round_, _ = two_organization_round(workgroup)
    ActionItem.objects.create(workgroup=workgroup, round=round_, source_key="item:1", title="Agree shared measures")

    job = _run(member, workgroup, round_.pk)

    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert job.result.name.endswith(".pdf")
    text = _text(job)
    assert "Leadership 3.9 Borderline" in text  # 95/24 ≈ 3.96: cut, never rounded to 4.0
    assert "Data sharing 3.2 Borderline" in text
    assert "Overall 3.4 (Borderline) · Stage 3 of 5: Preparing" in text
    assert "4 submitted of 6 invited" in text
    assert "Partners disagree most on “Data sharing”" in text
    assert "County PSAP" in text and "Riverbend 988 Center" in text
    assert "Agree shared measures" in text
    assert round_.scope_statement in text
    assert "Page 1 of" in text
    for name in RESPONDENT_NAMES:
        assert name not in text


def test_the_report_explains_a_stage_held_back_by_a_concern(workgroup, coordinator):
    round_, _ = held_back_round(workgroup)

    text = _text(_run(coordinator, workgroup, round_.pk))

    assert "Leadership 2.0 Concern" in text
    assert "Held back by: Leadership (2.0)" in text


def test_a_round_without_submissions_still_gives_a_short_report(workgroup, coordinator):
    from readiness.tests.factories import RoundFactory, link_respondent, small_version

    version, _ = small_version(workgroup)
    round_ = RoundFactory(workgroup=workgroup, instrument_version=version, title="Quiet round")
    link_respondent(round_)

    job = _run(coordinator, workgroup, round_.pk)

    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert "Nobody has submitted this questionnaire yet" in _text(job)


def test_a_job_naming_another_workgroups_round_fails_readably(workgroup, other_workgroup, coordinator):
    foreign, _ = two_organization_round(other_workgroup, title="Elsewhere secret round")

    job = _run(coordinator, workgroup, foreign.pk)

    assert job.status == JobStatus.FAILED
    assert job.error_message == MSG_REPORT_ROUND_GONE
    assert not job.result


@pytest.mark.parametrize("params", [{}, {"round": "abc"}, {"round": None}, {"round": 999999}])
def test_a_job_with_a_missing_or_garbled_round_fails_readably(workgroup, coordinator, params):
    job = core_services.job_create(actor=coordinator, workgroup=workgroup, kind=READINESS_REPORT, params=params)
    core_services.job_run(job_id=job.pk)
    job.refresh_from_db()

    assert job.status == JobStatus.FAILED
    assert job.error_message == MSG_REPORT_ROUND_GONE


def test_every_member_may_see_the_finished_report_but_a_viewer_cannot_start_one(
    client, workgroup, coordinator, viewer
):
    round_, _ = two_organization_round(workgroup)
    job = _run(coordinator, workgroup, round_.pk)
    client.force_login(viewer)

    download = client.get(f"/w/{workgroup.slug}/jobs/{job.pk}/download/")

    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert client.post(f"/w/{workgroup.slug}/readiness/rounds/{round_.pk}/report/").status_code == 403


# --- An open round's results are for coordinators until it closes -------------------------------


@pytest.mark.parametrize("role", ["member", "legal_reviewer", "qa_reviewer"])
def test_a_job_for_an_open_round_asked_by_a_non_coordinator_fails_readably(workgroup, people, role):
    round_, _ = two_organization_round(workgroup, closed=False)
    # As if queued by hand or before the round was reopened: the runner checks, not only the button.
    job = Job.objects.create(workgroup=workgroup, kind=READINESS_REPORT, params={"round": round_.pk},
                             requested_by=people[role])

    core_services.job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error_message == MSG_REPORT_ROUND_OPEN == (
        "Results of an open round are for coordinators until the round closes."
    )
    assert not job.result


def test_a_coordinators_report_of_an_open_round_says_it_is_live(workgroup, coordinator):
    round_, _ = two_organization_round(workgroup, closed=False)

    job = _run(coordinator, workgroup, round_.pk, kind=READINESS_REPORT_LIVE)

    assert job.status == JobStatus.SUCCEEDED, job.error_message
    text = _text(job)
    assert "Live results, for coordinators only." in text
    assert "Leadership 3.9 Borderline" in text


def test_a_closed_rounds_report_is_not_marked_live(workgroup, member):
    round_, _ = two_organization_round(workgroup)

    text = _text(_run(member, workgroup, round_.pk))

    assert "Live results" not in text and "closed" in text


# --- Through a real Celery worker (the pattern of toolkit/tests/test_tasks.py) -------------------


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_worker_builds_the_report_from_the_results_button(client, workgroup, member, worker_media):
    round_, _ = two_organization_round(workgroup)
    client.force_login(member)

    response = client.post(f"/w/{workgroup.slug}/readiness/rounds/{round_.pk}/report/")
    job = Job.objects.get()

    def finished():
        job.refresh_from_db()
        return job.is_finished

    wait_for(finished)
    assert response.status_code == 302
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert "Leadership 3.9 Borderline" in _text(job)


def test_the_report_and_each_download_of_it_are_on_the_audit_trail(client, workgroup, member, coordinator):
    from toolkit.models import AuditAction, AuditEvent

    round_, _ = two_organization_round(workgroup)
    job = _run(member, workgroup, round_.pk)
    client.force_login(coordinator)
    assert client.get(f"/w/{workgroup.slug}/jobs/{job.pk}/download/").status_code == 200

    exported = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    downloaded = AuditEvent.objects.get(action=AuditAction.DOWNLOADED)
    assert (exported.actor, exported.object_type, exported.object_id) == (
        member, "readiness.assessmentround", str(round_.pk))
    assert exported.changes[0]["new"] == "Readiness report PDF (results per organization)"
    assert (downloaded.actor, downloaded.object_type, downloaded.object_id) == (coordinator, "toolkit.job", str(job.pk))
