"""The directory import as background jobs (partners.imports): upload, check, import all or nothing, discard.

Jobs run in-process here (``job_run``); test_imports_tasks.py runs them through a real worker.
"""

from __future__ import annotations

import csv
import io
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners import directory_io, imports
from partners.models import Contact, DirectoryImport, ImportStatus, Organization, Sector
from partners.tests.test_directory_io import csv_bytes, make_org, row, sector_of, stored_import
from toolkit import jobs
from toolkit.models import AuditAction, AuditEvent, Job, JobStatus
from toolkit.permissions import Action
from toolkit.services import job_run, workgroup_delete_permanently
from toolkit.services.jobs import progress_reporter
from toolkit.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NO_CONTACT = {column: "" for column in directory_io.CONTACT_COLUMNS}


def rows(count: int, *, contacts: int = 2, start: int = 0) -> list[dict[str, str]]:
    """``count`` organizations with ``contacts`` contacts each, the first one primary."""
    return [
        row(organization=f"Org {n:04d}", contact_name=f"Person {n}-{k}", contact_email=f"p{k}@org{n}.test",
            contact_phone=f"(202) 555-{n % 10000:04d}", contact_primary="yes" if k == 0 else "no")
        for n in range(start, start + count) for k in range(contacts)
    ]


def upload(workgroup, actor, data: bytes, name: str = "partners.csv") -> DirectoryImport:
    return imports.directory_import_upload(actor=actor, workgroup=workgroup,
                                           file=SimpleUploadedFile(name, data, "text/csv"))


def run_latest(directory_import: DirectoryImport, kind: str) -> Job:
    job = Job.objects.filter(kind=kind, params__directory_import_id=directory_import.pk).latest("pk")
    return job_run(job_id=job.pk)


def checked(workgroup, actor, data: bytes) -> DirectoryImport:
    directory_import = upload(workgroup, actor, data)
    job = run_latest(directory_import, imports.CHECK_JOB)
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    directory_import.refresh_from_db()
    return directory_import


def read_csv(job: Job) -> list[list[str]]:
    with job.result.open("rb") as handle:
        return list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))


# --- Upload ------------------------------------------------------------------------------------


def test_upload_stores_the_file_under_the_workgroups_prefix_and_queues_its_check(
    workgroup, member, django_capture_on_commit_callbacks
):
    sector_of(workgroup)
    with django_capture_on_commit_callbacks() as callbacks:
        directory_import = upload(workgroup, member, csv_bytes(row()), name="Our partners (2025).csv")

    assert directory_import.file.name.startswith(f"workgroups/{workgroup.pk}/partner-imports/")
    assert directory_import.file.name.endswith("/our-partners-2025.csv")
    assert (directory_import.filename, directory_import.uploaded_by, directory_import.status) == (
        "Our partners (2025).csv", member, ImportStatus.PENDING)
    job = Job.objects.get()
    assert (job.kind, job.params, job.requested_by, job.status) == (
        imports.CHECK_JOB, {"directory_import_id": directory_import.pk}, member, JobStatus.QUEUED)
    assert len(callbacks) == 1  # the job is enqueued once the row is committed
    assert not Organization.objects.exists()


@pytest.mark.parametrize(("data", "message"), [
    (lambda: b"", "The file is empty"),
    (lambda: ";".join(directory_io.EXPORT_COLUMNS).encode() + b"\n", "separated by semicolons"),
    (lambda: b"organization,fax\r\nHarbor,1\r\n", "Row 1: Missing columns: sector, type"),
    (lambda: csv_bytes(), directory_io.MSG_NO_ROWS),
    (lambda: csv_bytes(row(organization="caf\xe9")).replace(b"\xc3\xa9", b"\xe9"), "CSV UTF-8"),
    # A big file is judged on its header line at upload; the rest waits for the check job.
    (lambda: b"organization,fax\n" + b"x," * directory_io.HEAD_BYTES, "Missing columns"),
], ids=["empty", "semicolons", "columns", "header-only", "latin-1", "big-file-bad-header"])
def test_an_unusable_upload_is_refused_at_once_and_nothing_is_stored(workgroup, coordinator, data, message):
    with pytest.raises(ValidationError) as refused:
        upload(workgroup, coordinator, data())

    assert message in " ".join(refused.value.message_dict["file"])
    assert not DirectoryImport.objects.exists() and not Job.objects.exists()


def test_upload_refuses_a_file_over_the_size_cap(workgroup, coordinator, settings):
    too_big = pytest.raises(ValidationError, match=f"larger than {directory_io.MAX_MEGABYTES} MB")
    with mock.patch.object(imports, "MAX_BYTES", 100), too_big:
        upload(workgroup, coordinator, csv_bytes(row()))
    assert not DirectoryImport.objects.exists()


def test_upload_needs_permission_to_edit_partners(workgroup, viewer):
    with pytest.raises(PermissionDenied):
        upload(workgroup, viewer, csv_bytes(row()))


def test_both_job_kinds_need_partners_edit_to_start_and_to_see():
    for kind in (imports.CHECK_JOB, imports.IMPORT_JOB):
        assert jobs.get_kind(kind).action == Action.EDIT_PARTNERS
        assert jobs.view_action_for(kind) == Action.EDIT_PARTNERS  # the report names people


# --- The check job -----------------------------------------------------------------------------


def test_the_check_summarises_what_would_be_added_for_the_preview(workgroup, member):
    sector_of(workgroup)
    data = csv_bytes(*rows(25), row(organization="Interfaith Council", sector="Faith communities", **NO_CONTACT))

    directory_import = checked(workgroup, member, data)

    summary = directory_import.summary
    assert (summary["rows"], summary["organizations"], summary["contacts"], summary["problem_count"]) == (
        51, 26, 50, 0)
    assert summary["new_sectors"] == ["Faith communities"]
    assert len(summary["preview"]) == imports.PREVIEW_ROWS
    first = summary["preview"][0]
    assert (first["row"], first["name"], first["sector"], first["type"], first["scores"]) == (
        2, "Org 0000", "988 center leadership", "Service provider", "4 / 3 / 5")
    assert first["contacts"][0] == {"name": "Person 0-0", "email": "p0@org0.test", "phone": "+1 202-555-0000",
                                    "is_primary": True}
    assert imports.directory_import_state(directory_import=directory_import).phase == "ready"
    assert not Organization.objects.filter(workgroup=workgroup).exists()


def test_the_check_report_has_every_problem_and_the_page_summary_the_first_fifty(workgroup, coordinator):
    sector_of(workgroup)
    bad = [row(organization=f"Bad {n}", influence="9", contact_email=f"x{n}@h.test", contact_primary="no")
           for n in range(120)]
    data = csv_bytes(*bad, row(organization="Last", contact_email="nope"))

    directory_import = checked(workgroup, coordinator, data)

    summary = directory_import.summary
    assert summary["problem_count"] == 121 and len(summary["problems"]) == imports.PREVIEW_PROBLEMS
    assert summary["problems"][0] == [2, "influence", "“9” is not a whole number from 1 to 5."]
    check_job = Job.objects.get(kind=imports.CHECK_JOB)
    report = read_csv(check_job)
    assert report[0] == ["row", "column", "problem"]
    assert len(report) == 1 + 121
    assert report[1] == ["2", "influence", "“9” is not a whole number from 1 to 5."]
    assert report[-1] == ["122", "contact_email", "“nope” is not a valid e-mail address."]
    assert check_job.filename == "partners-problems.csv"
    assert imports.directory_import_state(directory_import=directory_import).phase == "problems"


def test_a_check_of_a_discarded_import_fails_with_a_clear_message(workgroup, coordinator):
    directory_import = upload(workgroup, coordinator, csv_bytes(row()))
    DirectoryImport.objects.filter(pk=directory_import.pk).update(status=ImportStatus.DISCARDED)

    job = run_latest(directory_import, imports.CHECK_JOB)

    assert job.status == JobStatus.FAILED
    assert job.error_message == "This import was already discarded; it cannot be imported again."


# --- The import job ----------------------------------------------------------------------------


def test_the_import_writes_everything_with_history_and_audit_in_bulk(workgroup, member):
    sector_of(workgroup)
    directory_import = checked(workgroup, member, csv_bytes(
        *rows(30), row(organization="Interfaith Council", sector="Faith communities", **NO_CONTACT)))
    imports.directory_import_start(actor=member, directory_import=directory_import)

    job = run_latest(directory_import, imports.IMPORT_JOB)

    assert job.status == JobStatus.SUCCEEDED, job.error_message
    directory_import.refresh_from_db()
    assert (directory_import.status, directory_import.organizations_created, directory_import.contacts_created) == (
        ImportStatus.IMPORTED, 31, 60)
    assert Organization.objects.filter(workgroup=workgroup).count() == 31
    org = Organization.objects.get(name="Org 0007")
    assert list(org.contacts.values_list("name", "is_primary", "phone")) == [
        ("Person 7-0", True, "+1 202-555-0007"), ("Person 7-1", False, "+1 202-555-0007")]
    # History in bulk: one "created" record per row, naming who imported.
    assert Organization.history.filter(history_type="+", history_user=member).count() == 31
    assert Contact.history.filter(history_type="+", history_user=member).count() == 60
    assert org.history.get().history_user == member
    # The audit trail in bulk too (bulk writes skip the signals), plus the new sector through its service.
    events = AuditEvent.objects.filter(workgroup=workgroup, action=AuditAction.CREATED, actor=member)
    assert events.filter(object_type="partners.organization").count() == 31
    assert events.filter(object_type="partners.contact").count() == 60
    assert events.filter(object_type="partners.contact", object_repr="Person 7-1 (Org 0007)").exists()
    assert events.filter(object_type="partners.sector", object_repr="Faith communities").count() == 1
    assert Sector.objects.get(workgroup=workgroup, name="Faith communities").organizations.count() == 1
    # The receipt lists what was added; the uploaded file and the preview's copy of people's details are gone.
    receipt = read_csv(job)
    assert receipt[0] == ["row", "organization", "sector", "contacts"]
    assert receipt[1] == ["2", "Org 0000", "988 center leadership", "2"] and len(receipt) == 32
    assert not directory_import.file and directory_import.summary == {}


def test_the_import_writes_in_batches_not_one_query_per_row(workgroup, coordinator):
    sector_of(workgroup)

    def queries_for(count: int, start: int) -> int:
        directory_import = stored_import(workgroup, coordinator, csv_bytes(*rows(count, start=start)))
        with CaptureQueriesContext(connection) as captured:
            imports.directory_import_apply(actor=coordinator, directory_import=directory_import)
        return len(captured.captured_queries)

    few, many = queries_for(10, start=0), queries_for(300, start=1000)

    # 900 more rows (organizations and contacts), each with a history row and an audit event: only more
    # INSERT batches (SQLite takes at most 999 parameters a statement, PostgreSQL BATCH_SIZE rows).
    assert many - few < 60, (few, many)


def test_the_import_is_all_or_nothing_when_the_directory_changed_since_the_check(workgroup, coordinator):
    sector_of(workgroup)
    directory_import = checked(workgroup, coordinator, csv_bytes(*rows(5)))
    make_org(workgroup, "ORG 0003")  # added by someone else after the check
    imports.directory_import_start(actor=coordinator, directory_import=directory_import)

    job = run_latest(directory_import, imports.IMPORT_JOB)

    assert job.status == JobStatus.FAILED
    assert job.error_message.startswith("Nothing was imported: the file now has 1 problem")
    assert "row 8: An organization called “Org 0003” is already on the map" in job.error_message
    assert list(Organization.objects.values_list("name", flat=True)) == ["ORG 0003"]
    assert not Contact.objects.exists() and not AuditEvent.objects.filter(object_type="partners.contact").exists()
    directory_import.refresh_from_db()
    assert directory_import.status == ImportStatus.PENDING and directory_import.file
    state = imports.directory_import_state(directory_import=directory_import)
    assert state.import_failed == job  # the preview shows why, and offers to check again


def test_a_name_taken_between_the_parse_and_the_lock_stops_the_import(workgroup, coordinator):
    sector_of(workgroup)
    directory_import = stored_import(workgroup, coordinator, csv_bytes(*rows(5)))
    real_parse = imports.parse_directory_csv

    def parse_then_someone_adds_a_partner(**kwargs):
        parsed = real_parse(**kwargs)
        make_org(workgroup, "org 0002")
        return parsed

    with mock.patch.object(imports, "parse_directory_csv", parse_then_someone_adds_a_partner), \
            pytest.raises(ValidationError, match="“org 0002” is already on the map"):
        imports.directory_import_apply(actor=coordinator, directory_import=directory_import)

    assert list(Organization.objects.values_list("name", flat=True)) == ["org 0002"]
    assert not Contact.objects.exists()


def test_a_failure_half_way_through_the_writes_leaves_nothing_behind(workgroup, coordinator):
    sector_of(workgroup)
    directory_import = stored_import(workgroup, coordinator, csv_bytes(*rows(40)))

    audit_fails = mock.patch.object(imports, "record_created_in_bulk", side_effect=[40, RuntimeError("disk full")])
    with audit_fails, pytest.raises(RuntimeError):
        imports.directory_import_apply(actor=coordinator, directory_import=directory_import)

    assert not Organization.objects.exists() and not Contact.objects.exists()
    assert not Organization.history.exists() and not Contact.history.exists()
    directory_import.refresh_from_db()
    assert directory_import.status == ImportStatus.PENDING


def test_the_import_needs_permission_to_edit_partners(workgroup, coordinator, viewer):
    sector_of(workgroup)
    directory_import = stored_import(workgroup, coordinator, csv_bytes(row()))
    with pytest.raises(PermissionDenied):
        imports.directory_import_apply(actor=viewer, directory_import=directory_import)
    with pytest.raises(PermissionDenied):
        imports.directory_import_start(actor=viewer, directory_import=directory_import)
    assert not Organization.objects.exists()


# --- Starting, refusing, discarding ------------------------------------------------------------


def test_only_a_clean_checked_file_can_be_imported(workgroup, coordinator):
    sector_of(workgroup)
    unchecked = stored_import(workgroup, coordinator, csv_bytes(row()))
    with pytest.raises(ValidationError, match="has not been checked yet"):
        imports.directory_import_start(actor=coordinator, directory_import=unchecked)

    running = upload(workgroup, coordinator, csv_bytes(row(organization="Other")))
    with pytest.raises(ValidationError, match="still being checked"):
        imports.directory_import_start(actor=coordinator, directory_import=running)

    with_problems = checked(workgroup, coordinator, csv_bytes(row(influence="0")))
    with pytest.raises(ValidationError, match="The file has problems; nothing was imported"):
        imports.directory_import_start(actor=coordinator, directory_import=with_problems)
    assert not Job.objects.filter(kind=imports.IMPORT_JOB).exists()


def test_importing_the_same_file_twice_is_refused_clearly(workgroup, coordinator):
    sector_of(workgroup)
    directory_import = checked(workgroup, coordinator, csv_bytes(row()))
    imports.directory_import_start(actor=coordinator, directory_import=directory_import)
    with pytest.raises(ValidationError, match="being imported already"):  # a double click
        imports.directory_import_start(actor=coordinator, directory_import=directory_import)
    run_latest(directory_import, imports.IMPORT_JOB)

    with pytest.raises(ValidationError, match="This import was already imported; it cannot be imported again."):
        imports.directory_import_start(actor=coordinator, directory_import=directory_import)
    # A retry of the finished import job (the job page's button) refuses too, and writes nothing.
    retry = Job.objects.create(workgroup=workgroup, kind=imports.IMPORT_JOB, requested_by=coordinator,
                               params={"directory_import_id": directory_import.pk})
    assert job_run(job_id=retry.pk).error_message == (
        "This import was already imported; it cannot be imported again.")
    assert Organization.objects.count() == 1 and Contact.objects.count() == 1


def test_discarding_forgets_the_file_the_preview_and_the_problem_report(
    workgroup, coordinator, django_capture_on_commit_callbacks
):
    sector_of(workgroup)
    directory_import = checked(workgroup, coordinator, csv_bytes(row(contact_email="nope")))
    file_name = directory_import.file.name
    report = Job.objects.get(kind=imports.CHECK_JOB).result.name
    assert default_storage.exists(file_name) and default_storage.exists(report)

    with django_capture_on_commit_callbacks(execute=True):
        imports.directory_import_discard(actor=coordinator, directory_import=directory_import)

    directory_import.refresh_from_db()
    assert (directory_import.status, directory_import.file.name, directory_import.summary) == (
        ImportStatus.DISCARDED, "", {})
    assert not default_storage.exists(file_name) and not default_storage.exists(report)
    with pytest.raises(ValidationError, match="already discarded"):
        imports.directory_import_start(actor=coordinator, directory_import=directory_import)


def test_discarding_waits_for_a_running_import(workgroup, coordinator):
    sector_of(workgroup)
    directory_import = checked(workgroup, coordinator, csv_bytes(row()))
    imports.directory_import_start(actor=coordinator, directory_import=directory_import)

    with pytest.raises(ValidationError, match="being imported already"):
        imports.directory_import_discard(actor=coordinator, directory_import=directory_import)


def test_progress_inside_a_transaction_is_written_directly(workgroup):
    seen = []
    with progress_reporter(seen.append) as progress:  # pytest-django's test runs in a transaction
        progress(40)
    assert seen == [40]


def test_deleting_the_workgroup_takes_its_imports_their_files_and_what_they_created(
    workgroup, coordinator, django_capture_on_commit_callbacks
):
    sector_of(workgroup)
    imported = checked(workgroup, coordinator, csv_bytes(row()))
    imports.directory_import_start(actor=coordinator, directory_import=imported)
    run_latest(imported, imports.IMPORT_JOB)
    pending = upload(workgroup, coordinator, csv_bytes(row(organization="Later")))
    stored = pending.file.name
    assert default_storage.exists(stored)

    staff, workgroup_id = UserFactory(email="staff@toolkit.test", is_staff=True), workgroup.pk
    with django_capture_on_commit_callbacks(execute=True):
        workgroup_delete_permanently(actor=staff, workgroup=workgroup)

    assert not DirectoryImport.objects.exists() and not Organization.objects.exists() and not Job.objects.exists()
    assert not default_storage.exists(stored)
    assert not default_storage.exists(f"workgroups/{workgroup_id}")  # the problem report and receipt too
