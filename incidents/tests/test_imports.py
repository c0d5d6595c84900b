"""Importing past incidents (incidents.imports): upload, column mapping, check, all-or-nothing import, discard.

Jobs run in-process (``job_run``) where a worker would pick them up; the pages are in test_imports_views.py.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from incidents import imports
from incidents.models import ImportStatus, Incident, IncidentImport, IncidentStatus, SubmittedVia
from incidents.tests.test_services import in_force, report
from partners.tests.factories import OrganizationFactory
from toolkit.models import AuditAction, AuditEvent, Job, JobStatus
from toolkit.services import job_run

pytestmark = pytest.mark.django_db

HEADER = ("Event class", "Event type", "Occurred", "Reported", "Narrative", "Agencies", "CAD #", "Status",
          "Closed on", "Risk")
GUESSED = {"incident_class": "Event class", "category": "Event type", "occurred_at": "Occurred",
           "discovered_at": "Reported", "narrative": "Narrative", "organizations": "Agencies",
           "cad_reference": "CAD #", "status": "Status", "closed_at": "Closed on", "risk_level": "Risk"}


def line(**cells) -> dict[str, str]:
    values = {"Event class": "Near miss", "Event type": "Delay", "Occurred": "2025-03-04 14:05",
              "Reported": "03/04/2025 3:10 PM", "Narrative": "The transfer line rang out twice.",
              "Agencies": "", "CAD #": "", "Status": "", "Closed on": "", "Risk": ""}
    values.update(cells)
    return values


def csv_bytes(*rows: dict[str, str], header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue().encode()


def upload(workgroup, actor, data: bytes, name="Past incidents 2025.csv") -> IncidentImport:
    return imports.incident_import_upload(actor=actor, workgroup=workgroup,
                                          file=SimpleUploadedFile(name, data, "text/csv"))


def run_latest(incident_import: IncidentImport, kind: str) -> Job:
    job = Job.objects.filter(kind=kind, params__incident_import_id=incident_import.pk).latest("pk")
    return job_run(job_id=job.pk)


def checked(workgroup, actor, data: bytes, mapping=None) -> IncidentImport:
    incident_import = upload(workgroup, actor, data)
    imports.incident_import_map(actor=actor, incident_import=incident_import,
                                mapping=mapping or incident_import.summary["guessed"])
    job = run_latest(incident_import, imports.CHECK_JOB)
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    incident_import.refresh_from_db()
    return incident_import


def imported(incident_import: IncidentImport, actor) -> Job:
    imports.incident_import_start(actor=actor, incident_import=incident_import)
    return run_latest(incident_import, imports.IMPORT_JOB)


# --- Upload and mapping ------------------------------------------------------------------------------


def test_upload_stores_the_file_and_guesses_which_column_holds_what(workgroup, qa_reviewer):
    incident_import = upload(workgroup, qa_reviewer, "\ufeff".encode() + csv_bytes(line()))

    assert incident_import.file.name.startswith(f"workgroups/{workgroup.pk}/incident-imports/")
    assert incident_import.file.name.endswith("/past-incidents-2025.csv")
    assert incident_import.summary["columns"] == list(HEADER)
    assert incident_import.summary["guessed"] == GUESSED
    assert incident_import.summary["samples"]["Event type"] == "Delay"
    assert incident_import.mapping == {} and not Job.objects.exists()  # nothing runs before the mapping
    assert imports.incident_import_state(incident_import=incident_import).phase == "mapping"


@pytest.mark.parametrize(("data", "message"), [
    (b"", "The file is empty"),
    (b"class;category;occurred;noticed;narrative\n", "separated by semicolons"),
    (b"class,category,narrative\nNear miss,Delay,x\n", "names 3 columns; an incident needs at least five"),
    (b"a,b,c,d,A\n1,2,3,4,5\n", "Columns named twice in the first row: “A”, “a”."),
    (b"a,,c,d,e\n1,2,3,4,5\n", "Column 2 of the first row has no name"),
    (b"a,b,c,d,e\n", imports.MSG_NO_ROWS),
    (b"a,b,c,d,e\nn\xe9,2,3,4,5\n", "CSV UTF-8"),
], ids=["empty", "semicolons", "few-columns", "repeated", "blank-name", "header-only", "latin-1"])
def test_an_unusable_upload_is_refused_at_once_and_nothing_is_stored(workgroup, coordinator, data, message):
    with pytest.raises(ValidationError) as refused:
        upload(workgroup, coordinator, data)
    assert message in " ".join(refused.value.message_dict["file"])
    assert not IncidentImport.objects.exists()


def test_upload_refuses_a_file_over_the_size_cap_and_people_who_do_not_review(workgroup, coordinator, member,
                                                                              monkeypatch):
    with pytest.raises(PermissionDenied):
        upload(workgroup, member, csv_bytes(line()))
    monkeypatch.setattr(imports, "MAX_BYTES", 100)
    with pytest.raises(ValidationError, match="larger than"):
        upload(workgroup, coordinator, csv_bytes(line(), line()))
    assert not IncidentImport.objects.exists()


def test_the_mapping_is_saved_and_starts_the_check_and_a_wrong_one_is_refused(workgroup, qa_reviewer):
    incident_import = upload(workgroup, qa_reviewer, csv_bytes(line()))
    wrong = {**GUESSED, "narrative": "", "organizations": "Event type"}

    with pytest.raises(ValidationError) as refused:
        imports.incident_import_map(actor=qa_reviewer, incident_import=incident_import, mapping=wrong)
    assert refused.value.message_dict == {"narrative": [imports.MSG_NEEDS_COLUMN], "organizations": [
        "“Event type” is chosen for Category already; a column holds one field."]}
    incident_import.refresh_from_db()
    assert incident_import.mapping == {} and not Job.objects.exists()

    job = imports.incident_import_map(actor=qa_reviewer, incident_import=incident_import,
                                      mapping={**GUESSED, "risk_level": ""})
    incident_import.refresh_from_db()
    assert incident_import.mapping == {key: value for key, value in GUESSED.items() if key != "risk_level"}
    assert (job.kind, job.params) == (imports.CHECK_JOB, {"incident_import_id": incident_import.pk})


# --- The check -----------------------------------------------------------------------------------------


def test_row_problems_name_their_row_and_column_and_the_report_has_them_all(workgroup, qa_reviewer):
    OrganizationFactory(workgroup=workgroup, name="Riverbend County 911")
    incident_import = checked(workgroup, qa_reviewer, csv_bytes(
        line(Agencies="riverbend county 911"),
        line(**{"Event type": "Bad weather"}),
        line(Occurred="2099-01-01 10:00", Reported="2099-01-01 11:00"),
        line(Agencies="Riverbend County 911; Harbor Crisis Line"),
        line(Occurred="2025-03-04 14:05", Reported="2025-03-04 13:00"),
        line(Occurred="yesterday", Status="triaged"),
    ))

    problems = [tuple(problem) for problem in incident_import.summary["problems"]]
    assert (3, "Event type", "“Bad weather” is not one of: Adverse event, Sentinel event, Delay, Technical "
                             "difficulty, Miscommunication between teams, Failed or dropped transfer, Location or "
                             "information not passed on, Staff safety, Other.") in problems
    assert (4, "Occurred", "“2099-01-01 10:00” is in the future.") in problems
    assert (5, "Agencies", "“Harbor Crisis Line” is not on the partner map (names are compared without regard to "
                           "case; separate several with “;”).") in problems
    assert (6, "Reported", "It cannot have been noticed before it happened.") in problems
    assert (7, "Occurred", imports.MSG_WHEN.format(value="yesterday")) in problems
    assert (7, "Status", "“triaged” is not one of: submitted, closed.") in problems
    summary = incident_import.summary
    assert (summary["rows"], summary["incidents"], summary["problem_count"]) == (6, 1, len(problems))
    assert summary["preview"][0]["organizations"] == "Riverbend County 911"
    assert imports.incident_import_state(incident_import=incident_import).phase == "problems"
    job = Job.objects.get(kind=imports.CHECK_JOB)
    with job.result.open("rb") as handle:
        report_rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))
    assert report_rows[0] == ["row", "column", "problem"] and len(report_rows) == len(problems) + 1


def test_one_bad_row_means_nothing_is_imported(workgroup, qa_reviewer):
    incident_import = checked(workgroup, qa_reviewer, csv_bytes(line(), line(), line(**{"Event class": "Oops"})))

    with pytest.raises(ValidationError, match="The file has problems; nothing was imported."):
        imports.incident_import_start(actor=qa_reviewer, incident_import=incident_import)
    assert not Incident.objects.exists() and not Job.objects.filter(kind=imports.IMPORT_JOB).exists()


def test_a_change_after_the_check_stops_the_import_and_writes_nothing(workgroup, qa_reviewer):
    organization = OrganizationFactory(workgroup=workgroup, name="Harbor Crisis Line")
    incident_import = checked(workgroup, qa_reviewer, csv_bytes(line(), line(Agencies="Harbor Crisis Line")))
    organization.delete()

    job = imported(incident_import, qa_reviewer)

    assert job.status == JobStatus.FAILED and "Nothing was imported: the file now has 1 problem" in job.error_message
    assert not Incident.objects.exists()
    incident_import.refresh_from_db()
    assert incident_import.status == ImportStatus.PENDING and incident_import.file


# --- The import ----------------------------------------------------------------------------------------


def test_the_import_writes_every_incident_with_consecutive_references_history_and_audit(workgroup, member,
                                                                                        qa_reviewer, coordinator):
    earlier = report(member, workgroup)  # this year's first reference is taken
    psap = OrganizationFactory(workgroup=workgroup, name="Riverbend County 911")
    line_org = OrganizationFactory(workgroup=workgroup, name="Riverbend 988 Lifeline Center")
    version = in_force(workgroup, coordinator)
    version.in_force_periods.update(started_at=timezone.make_aware(datetime(2025, 1, 1)))
    incident_import = checked(workgroup, qa_reviewer, csv_bytes(
        line(Occurred="2025-05-02 09:00", Reported="2025-05-02 09:30", Agencies="Riverbend County 911"),
        line(Occurred="2024-11-20 22:15", Reported="2024-11-21 08:00", Status="closed", Risk="moderate"),
        line(Occurred="2025-02-10T07:45:00-05:00", Reported="2025-02-10 08:00", Status="Closed",
             **{"Closed on": "2025-04-01", "Agencies": "riverbend 988 lifeline center;Riverbend County 911",
                "Event class": "incident with harm", "Event type": "failed_transfer", "Risk": "moderate"}),
    ))
    assert incident_import.summary["incidents"] == 3, incident_import.summary["problems"]

    job = imported(incident_import, qa_reviewer)

    assert job.status == JobStatus.SUCCEEDED, job.error_message
    year = timezone.localdate().year
    new = list(Incident.objects.exclude(pk=earlier.pk).order_by("reference"))
    assert [i.reference for i in new] == [f"INC-{year}-0002", f"INC-{year}-0003", f"INC-{year}-0004"]
    oldest, middle, newest = new  # numbered in the order they happened
    assert oldest.occurred_at < middle.occurred_at < newest.occurred_at
    assert {(i.submitted_via, i.reported_by) for i in new} == {(SubmittedVia.IMPORT, None)}
    assert (oldest.status, oldest.closed_at, oldest.protocol_version, oldest.risk_level) == (
        IncidentStatus.CLOSED, oldest.discovered_at, None, "moderate")  # before any version: kept as written
    assert (middle.incident_class, middle.category, middle.protocol_version, middle.risk_level) == (
        "harm", "failed_transfer", version, "Moderate")
    assert timezone.localtime(middle.closed_at).date() == date(2025, 4, 1)
    assert set(middle.organizations.all()) == {psap, line_org} and list(newest.organizations.all()) == [psap]
    assert newest.status == IncidentStatus.SUBMITTED and newest.closed_at is None
    assert {i.history.get().history_user for i in new} == {qa_reviewer}
    created = AuditEvent.objects.filter(object_type="incidents.incident", action=AuditAction.CREATED)
    assert set(created.exclude(object_id=str(earlier.pk)).values_list("object_id", flat=True)) == {
        str(i.pk) for i in new}
    incident_import.refresh_from_db()
    assert (incident_import.status, incident_import.incidents_created, incident_import.file.name) == (
        ImportStatus.IMPORTED, 3, "")
    with pytest.raises(ValidationError, match="This import was already imported; it cannot be imported again."):
        imports.incident_import_start(actor=qa_reviewer, incident_import=incident_import)
    assert Incident.objects.count() == 4


def test_a_risk_level_the_version_then_in_force_does_not_have_is_a_row_problem(workgroup, qa_reviewer, coordinator):
    version = in_force(workgroup, coordinator)
    version.in_force_periods.update(started_at=timezone.make_aware(datetime(2025, 1, 1)))
    incident_import = checked(workgroup, qa_reviewer, csv_bytes(line(Risk="Catastrophic")))
    ((row, column, message),) = incident_import.summary["problems"]
    assert (row, column) == (2, "Risk") and message.startswith("“Catastrophic” is not a risk level of County triage")


def test_an_incident_already_recorded_is_not_imported_again(workgroup, qa_reviewer):
    first = checked(workgroup, qa_reviewer, csv_bytes(line(**{"CAD #": "CAD-1"})))
    assert imported(first, qa_reviewer).status == JobStatus.SUCCEEDED

    second = checked(workgroup, qa_reviewer, csv_bytes(line(**{"CAD #": "cad-1"}), line(**{"CAD #": "CAD-2"}),
                                                       line(**{"CAD #": "CAD-2"})))
    problems = [problem[:2] for problem in second.summary["problems"]]
    assert problems == [[2, "CAD #"], [4, "CAD #"]]
    assert Incident.objects.count() == 1


def test_discarding_deletes_the_file_and_the_check_report(workgroup, qa_reviewer, django_capture_on_commit_callbacks):
    incident_import = checked(workgroup, qa_reviewer, csv_bytes(line(**{"Event type": "?"})))
    stored = incident_import.file.name
    report_name = Job.objects.get(kind=imports.CHECK_JOB).result.name
    assert default_storage.exists(stored) and default_storage.exists(report_name)

    with django_capture_on_commit_callbacks(execute=True):
        imports.incident_import_discard(actor=qa_reviewer, incident_import=incident_import)

    incident_import.refresh_from_db()
    assert (incident_import.status, incident_import.file.name, incident_import.summary) == (
        ImportStatus.DISCARDED, "", {})
    assert not default_storage.exists(stored) and not default_storage.exists(report_name)
    with pytest.raises(ValidationError, match="already discarded"):
        imports.incident_import_start(actor=qa_reviewer, incident_import=incident_import)


def test_a_date_without_a_time_on_the_day_it_was_noticed_means_that_moment(workgroup, qa_reviewer):
    incident_import = checked(workgroup, qa_reviewer, csv_bytes(
        line(Occurred="2025-05-02 09:00", Reported="05/02/2025", Status="closed", **{"Closed on": "2025-05-02"}),
        line(Occurred="2025-05-02 09:00", Reported="2025-05-01")))
    assert [tuple(p) for p in incident_import.summary["problems"]] == [
        (3, "Reported", "It cannot have been noticed before it happened.")]
    assert incident_import.summary["preview"][0]["status"] == "Closed"
