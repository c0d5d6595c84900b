"""Deleting works and leaves nothing behind: a fully seeded demo workgroup, each demo user, stray files."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import models

from toolkit import services
from toolkit.files import orphaned_files, stored_files
from toolkit.models import AuditEvent, Job, JobStatus, Membership, Role, Workgroup
from toolkit.reports import WORKGROUP_SUMMARY

pytestmark = pytest.mark.django_db

# Tables that are about accounts and the framework, not about any workgroup.
_NOT_WORKGROUP_DATA = {"toolkit.user", "auth.group", "auth.permission", "contenttypes.contenttype",
                       "sessions.session", "admin.logentry"}


def _seed_demo(settings, tmp_path):
    call_command("seed_demo", stdout=open(tmp_path / "seed.log", "w"))  # noqa: SIM115
    return {wg.slug: wg for wg in Workgroup.objects.all()}


def _rows_per_table() -> dict[str, int]:
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if label in _NOT_WORKGROUP_DATA or label.startswith("axes."):
            continue
        count = model._base_manager.count()
        if count:
            counts[label] = count
    return counts


def _staff():
    return get_user_model().objects.get(email="admin@example.org")


def _with_files(workgroup):
    """A finished job and an unrecorded stray file under the workgroup's prefix, as real use leaves them."""
    coordinator = Membership.objects.filter(workgroup=workgroup, role=Role.COORDINATOR).first().user
    job = services.job_create(actor=coordinator, workgroup=workgroup, kind=WORKGROUP_SUMMARY)
    services.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    default_storage.save(f"workgroups/{workgroup.pk}/stray/left-by-a-killed-worker.pdf", ContentFile(b"%PDF"))


def test_deleting_both_seeded_demo_workgroups_leaves_no_row_and_no_file(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    before = _rows_per_table()
    workgroups = _seed_demo(settings, tmp_path)
    for workgroup in workgroups.values():
        _with_files(workgroup)
    assert len(list(stored_files())) >= 4
    assert _rows_per_table().keys() - before.keys(), "the demo data should fill many tables"

    with django_capture_on_commit_callbacks(execute=True):
        for workgroup in workgroups.values():
            report = services.workgroup_delete_permanently(actor=_staff(), workgroup=workgroup)
            assert report.total > 50

    assert _rows_per_table() == before
    assert list(stored_files()) == []


def test_deleting_one_workgroup_leaves_the_other_whole(settings, tmp_path, django_capture_on_commit_callbacks):
    workgroups = _seed_demo(settings, tmp_path)
    county, state = workgroups["riverbend-county"], workgroups["example-state-coordination"]
    _with_files(county)
    _with_files(state)
    state_events = AuditEvent.objects.filter(workgroup=state).count()
    state_files = [name for name in stored_files() if name.startswith(f"workgroups/{state.pk}/")]

    with django_capture_on_commit_callbacks(execute=True):
        services.workgroup_delete_permanently(actor=_staff(), workgroup=county)

    assert Workgroup.objects.filter(pk=state.pk).exists()
    assert AuditEvent.objects.filter(workgroup=state).count() == state_events
    assert [name for name in stored_files() if name.startswith(f"workgroups/{state.pk}/")] == state_files
    assert not [name for name in stored_files() if name.startswith(f"workgroups/{county.pk}/")]


def test_only_staff_delete_workgroups_permanently(workgroup, coordinator):
    with pytest.raises(PermissionDenied):
        services.workgroup_delete_permanently(actor=coordinator, workgroup=workgroup)

    assert Workgroup.objects.filter(pk=workgroup.pk).exists()


def _references_to(user_id: int) -> dict[str, int]:
    """Rows anywhere (history tables included) that still name this user id."""
    found = {}
    user_model = get_user_model()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is user_model:
                count = model._base_manager.filter(**{field.attname: user_id}).count()
                if count:
                    found[f"{model._meta.label}.{field.name}"] = count
    return found


@pytest.mark.parametrize("email", ["coordinator@example.org", "member@example.org", "legal@example.org",
                                   "qa@example.org", "viewer@example.org"])
def test_each_demo_user_can_be_deleted_and_nothing_names_them_afterwards(settings, tmp_path, email):
    _seed_demo(settings, tmp_path)
    user = get_user_model().objects.get(email=email)
    user_id, name = user.pk, str(user)
    named_in_trail = AuditEvent.objects.filter(actor=user).count()
    assert _references_to(user_id), "the demo data should name every demo user somewhere"

    services.user_delete(actor=_staff(), user=user, force=True)

    assert not get_user_model().objects.filter(email=email).exists()
    assert _references_to(user_id) == {}
    # The trail still says who did what, by the name it recorded at the time.
    assert AuditEvent.objects.filter(actor_name=name).count() >= named_in_trail


def test_anonymising_keeps_one_former_user_on_the_record_without_anything_personal(settings, tmp_path, client):
    _seed_demo(settings, tmp_path)
    user = get_user_model().objects.get(email="member@example.org")

    services.user_anonymise(actor=_staff(), user=user)

    user.refresh_from_db()
    assert user.email == f"former-user-{user.pk}@anonymised.invalid"
    assert str(user) == f"Former user #{user.pk}"
    assert not user.has_usable_password() and not user.is_active
    assert not Membership.objects.filter(user=user).exists()
    response = client.post("/accounts/login/", {"username": "member@example.org", "password": "demo-pass-988"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_the_last_coordinator_of_a_workgroup_is_not_deleted_without_force(workgroup, coordinator, settings, tmp_path):
    staff = get_user_model().objects.create_user(email="staff@x.test", password="x", is_staff=True)

    with pytest.raises(ValidationError, match="only coordinator"):
        services.user_delete(actor=staff, user=coordinator)

    assert get_user_model().objects.filter(pk=coordinator.pk).exists()


def test_orphaned_files_are_listed_and_removed_but_recorded_and_fresh_ones_stay(workgroup, member, tmp_path):
    job = Job.objects.create(workgroup=workgroup, kind=WORKGROUP_SUMMARY, requested_by=member,
                             status=JobStatus.SUCCEEDED)
    job.result.save("summary.pdf", ContentFile(b"%PDF-1.7"))
    stray = default_storage.save(f"workgroups/{workgroup.pk}/jobs/999/lost.pdf", ContentFile(b"%PDF"))
    fresh = default_storage.save(f"workgroups/{workgroup.pk}/jobs/1000/being-written.pdf", ContentFile(b"%PDF"))
    import os
    import time

    old = time.time() - 2 * 3600
    os.utime(default_storage.path(stray), (old, old))

    assert orphaned_files(older_than=timedelta(hours=1)) == [stray]

    out = tmp_path / "out.txt"
    with open(out, "w") as stdout:
        call_command("cleanup_orphaned_files", "--delete", stdout=stdout)

    assert not default_storage.exists(stray)
    assert default_storage.exists(job.result.name)
    assert default_storage.exists(fresh)
    assert "Deleted 1 orphaned file" in out.read_text()


def test_replacing_a_jobs_file_deletes_the_old_one_after_commit(workgroup, member, django_capture_on_commit_callbacks):
    job = Job.objects.create(workgroup=workgroup, kind=WORKGROUP_SUMMARY, requested_by=member)
    with django_capture_on_commit_callbacks(execute=True):
        services.job_run(job_id=job.pk)
    job.refresh_from_db()
    first = job.result.name
    assert first.startswith(f"workgroups/{workgroup.pk}/jobs/{job.pk}/")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)

    with django_capture_on_commit_callbacks(execute=True):
        services.job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.result.name != first
    assert default_storage.exists(job.result.name)
    assert not default_storage.exists(first)


def test_deleting_a_job_row_deletes_its_file_after_commit(workgroup, member, django_capture_on_commit_callbacks):
    job = Job.objects.create(workgroup=workgroup, kind=WORKGROUP_SUMMARY, requested_by=member)
    services.job_run(job_id=job.pk)
    job.refresh_from_db()
    name = job.result.name

    with django_capture_on_commit_callbacks(execute=True):
        job.delete()

    assert not default_storage.exists(name)
