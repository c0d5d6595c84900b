from __future__ import annotations

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from toolkit import services
from toolkit.models import Invitation, Job, JobStatus, JurisdictionType, Membership, Role, Workgroup, WorkgroupGoal
from toolkit.reports import WORKGROUP_SUMMARY
from toolkit.tests.factories import MembershipFactory, UserFactory, WorkgroupFactory

pytestmark = pytest.mark.django_db


def _create_workgroup(actor, name="Lakeside Crisis Partners", **extra) -> Workgroup:
    return services.workgroup_create(
        actor=actor,
        name=name,
        jurisdiction_type=JurisdictionType.CITY,
        jurisdiction_name="City of Lakeside",
        goal=WorkgroupGoal.INTEGRATED_WORKFLOWS,
        **extra,
    )


def _invite(actor, workgroup, email: str, role: str = Role.MEMBER, base_url: str = "http://testserver/"):
    return services.invitation_create(actor=actor, workgroup=workgroup, email=email, role=role, base_url=base_url)


def _queued_job(actor, workgroup) -> Job:
    """A job as job_create leaves it; on_commit never fires inside the test transaction."""
    return services.job_create(actor=actor, workgroup=workgroup, kind=WORKGROUP_SUMMARY)


# --- Workgroups -------------------------------------------------------------------


def test_workgroup_create_makes_the_creator_its_coordinator():
    actor = UserFactory()

    workgroup = _create_workgroup(actor)

    membership = Membership.objects.get(workgroup=workgroup)
    assert membership.user == actor
    assert membership.role == Role.COORDINATOR


def test_workgroup_create_generates_a_slug_from_the_name():
    workgroup = _create_workgroup(UserFactory(), name="Lakeside Crisis Partners")

    assert workgroup.slug == "lakeside-crisis-partners"


def test_workgroup_create_suffixes_a_slug_that_is_taken():
    WorkgroupFactory(slug="lakeside-crisis-partners")

    second = _create_workgroup(UserFactory(), name="Lakeside Crisis Partners")
    third = _create_workgroup(UserFactory(), name="Lakeside Crisis Partners")

    assert second.slug == "lakeside-crisis-partners-2"
    assert third.slug == "lakeside-crisis-partners-3"


def test_workgroup_create_refuses_an_explicit_slug_that_is_taken():
    WorkgroupFactory(slug="lakeside")

    with pytest.raises(ValidationError) as excinfo:
        _create_workgroup(UserFactory(), slug="lakeside")

    assert excinfo.value.message_dict == {"slug": [services.MSG_SLUG_TAKEN]}
    assert Workgroup.objects.filter(slug="lakeside").count() == 1


def test_workgroup_create_records_the_actor_in_the_audit_history():
    actor = UserFactory()

    workgroup = _create_workgroup(actor)

    assert Workgroup.history.first().history_user == actor
    assert Membership.history.get(workgroup_id=workgroup.pk).history_user == actor


def test_workgroup_update_changes_fields_and_names_the_actor(workgroup, coordinator):
    services.workgroup_update(actor=coordinator, workgroup=workgroup, name="Riverbend Crisis Council")

    workgroup.refresh_from_db()
    assert workgroup.name == "Riverbend Crisis Council"
    latest = Workgroup.history.filter(id=workgroup.pk).first()
    assert latest.history_type == "~"
    assert latest.history_user == coordinator


def test_workgroup_update_is_refused_for_a_member_and_changes_nothing(workgroup, member):
    history_before = Workgroup.history.filter(id=workgroup.pk).count()

    with pytest.raises(PermissionDenied):
        services.workgroup_update(actor=member, workgroup=workgroup, name="Hijacked")

    assert Workgroup.objects.get(pk=workgroup.pk).name == "Riverbend County Workgroup"
    assert Workgroup.history.filter(id=workgroup.pk).count() == history_before


# --- Memberships ------------------------------------------------------------------


def test_demoting_the_last_coordinator_is_refused(workgroup, coordinator):
    membership = Membership.objects.get(user=coordinator, workgroup=workgroup)

    with pytest.raises(ValidationError) as excinfo:
        services.membership_change_role(actor=coordinator, membership=membership, role=Role.MEMBER)

    assert excinfo.value.messages == [services.MSG_LAST_COORDINATOR]
    assert Membership.objects.get(pk=membership.pk).role == Role.COORDINATOR


def test_removing_the_last_coordinator_is_refused(workgroup, coordinator):
    membership = Membership.objects.get(user=coordinator, workgroup=workgroup)

    with pytest.raises(ValidationError) as excinfo:
        services.membership_remove(actor=coordinator, membership=membership)

    assert excinfo.value.messages == [services.MSG_LAST_COORDINATOR]
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_coordinator_can_be_demoted_when_another_remains(workgroup, coordinator):
    MembershipFactory(workgroup=workgroup, role=Role.COORDINATOR)
    membership = Membership.objects.get(user=coordinator, workgroup=workgroup)

    services.membership_change_role(actor=coordinator, membership=membership, role=Role.VIEWER)

    assert Membership.objects.get(pk=membership.pk).role == Role.VIEWER
    assert Membership.history.filter(id=membership.pk).first().history_user == coordinator


def test_a_coordinator_can_be_removed_when_another_remains(workgroup, coordinator):
    second = MembershipFactory(workgroup=workgroup, role=Role.COORDINATOR)
    membership = Membership.objects.get(user=coordinator, workgroup=workgroup)
    pk = membership.pk

    services.membership_remove(actor=second.user, membership=membership)

    assert not Membership.objects.filter(pk=pk).exists()
    deletion = Membership.history.filter(id=pk).first()
    assert deletion.history_type == "-"
    assert deletion.history_user == second.user


def test_changing_a_role_is_refused_for_a_member(workgroup, coordinator, member):
    membership = Membership.objects.get(user=coordinator, workgroup=workgroup)

    with pytest.raises(PermissionDenied):
        services.membership_change_role(actor=member, membership=membership, role=Role.VIEWER)

    assert Membership.objects.get(pk=membership.pk).role == Role.COORDINATOR


# --- Invitations ------------------------------------------------------------------


def test_invitation_create_sends_one_e_mail_before_it_returns(workgroup, coordinator, mailoutbox):
    invitation = _invite(coordinator, workgroup, "new.person@example.test", base_url="https://toolkit.example.org/")

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["new.person@example.test"]
    assert workgroup.name in message.subject
    assert "https://toolkit.example.org" + services.invitation_url(invitation) in message.body


def test_invitation_create_normalises_the_e_mail_case(
    workgroup, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(coordinator, workgroup, "New.Person@EXAMPLE.Test")

    assert invitation.email == "new.person@example.test"
    assert Invitation.objects.get().email == "new.person@example.test"
    assert mailoutbox[0].to == ["new.person@example.test"]


def test_invitation_create_refuses_someone_already_a_member(
    workgroup, coordinator, member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as excinfo:
        _invite(coordinator, workgroup, member.email.upper(), role=Role.VIEWER)

    assert excinfo.value.message_dict == {"email": [services.MSG_ALREADY_MEMBER.format(email=member.email)]}
    assert not Invitation.objects.exists()
    assert mailoutbox == []


# --- Background jobs --------------------------------------------------------------


def test_job_create_records_a_queued_job_and_enqueues_it_on_commit(
    workgroup, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.job_create(actor=member, workgroup=workgroup, kind=WORKGROUP_SUMMARY)

    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    assert job.requested_by == member
    assert len(callbacks) == 1
    with mock.patch("toolkit.tasks.run_job.delay") as delay:
        callbacks[0]()
    delay.assert_called_once_with(job.pk)


def test_job_create_is_refused_for_a_viewer(workgroup, viewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, pytest.raises(PermissionDenied):
        services.job_create(actor=viewer, workgroup=workgroup, kind=WORKGROUP_SUMMARY)

    assert not Job.objects.exists()
    assert callbacks == []


def test_job_create_refuses_an_unknown_kind(workgroup, member):
    with pytest.raises(ValidationError) as excinfo:
        services.job_create(actor=member, workgroup=workgroup, kind="no_such_kind")

    assert excinfo.value.messages == [services.MSG_JOB_KIND_UNKNOWN.format(kind="no_such_kind")]
    assert not Job.objects.exists()


def test_job_run_builds_the_summary_pdf(workgroup, member):
    job = _queued_job(member, workgroup)

    services.job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.progress == 100
    assert job.attempts == 1
    assert job.finished_at is not None
    assert job.error_message == ""
    with job.result.open("rb") as handle:
        assert handle.read().startswith(b"%PDF")
    text = _pdf_text(job)
    assert workgroup.name in text
    assert member.email in text  # the people and roles table
    assert "Partner map" in text  # one row per dashboard area


def test_the_summary_pdf_shows_nothing_of_another_workgroup(workgroup, member, other_workgroup, outsider):
    job = _queued_job(member, workgroup)

    services.job_run(job_id=job.pk)

    text = _pdf_text(job)
    assert other_workgroup.name not in text
    assert outsider.email not in text


def _pdf_text(job) -> str:
    from pypdf import PdfReader

    job.refresh_from_db()
    with job.result.open("rb") as handle:
        return " ".join(page.extract_text() for page in PdfReader(handle).pages)


def test_running_a_finished_job_again_changes_nothing(workgroup, member):
    job = _queued_job(member, workgroup)
    services.job_run(job_id=job.pk)
    job.refresh_from_db()
    finished_at, attempts, result_name = job.finished_at, job.attempts, job.result.name

    assert services.job_run(job_id=job.pk) is None

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.finished_at == finished_at
    assert job.attempts == attempts
    assert job.result.name == result_name


def test_job_run_fails_readably_when_the_requester_left_the_workgroup(workgroup, member):
    job = _queued_job(member, workgroup)
    Membership.objects.filter(user=member, workgroup=workgroup).delete()

    services.job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "no longer allowed" in job.error_message
    assert job.finished_at is not None
    assert not job.result


def test_job_run_hides_the_text_of_an_unexpected_exception(workgroup, member, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("connection string postgres://secret@db/internal")

    monkeypatch.setattr("toolkit.reports.render_pdf", explode)
    job = _queued_job(member, workgroup)

    services.job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "unexpected error" in job.error_message
    assert "secret" not in job.error_message
    assert "postgres://" not in job.error_message


def test_job_run_on_a_missing_id_returns_none(db):
    assert services.job_run(job_id=987654) is None
    assert not Job.objects.exists()
