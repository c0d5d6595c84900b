"""Importing transfers from a partner's CSV export (triage.transfers.imports): mapping, row checks, idempotency,
hostile files, all or nothing. Jobs run in-process (``job_run``); the pages are in test_transfer_imports_views.py.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from partners.tests.factories import OrganizationFactory
from toolkit import csv_imports
from toolkit.models import AuditEvent, Job
from toolkit.services import job_run
from triage.models import (
    Direction,
    ImportStatus,
    Transfer,
    TransferImport,
    TransferImportMapping,
    TransferKind,
    TransferResult,
    TransferSource,
)
from triage.tests.transfer_factories import approved_version
from triage.transfers import imports

pytestmark = pytest.mark.django_db

HEADER = ("Call ID", "Direction", "From", "To", "Received", "Initiated", "Accepted", "Ended", "Warm/Cold", "Consent",
          "Result", "Risk")
GUESSED = {"partner_call_id": "Call ID", "direction": "Direction", "sending_organization": "From",
           "receiving_organization": "To", "call_received_at": "Received", "initiated_at": "Initiated",
           "accepted_at": "Accepted", "ended_at": "Ended", "kind": "Warm/Cold", "consent": "Consent",
           "result": "Result", "risk_level": "Risk"}


def line(call_id: str = "CAD-1", **cells) -> dict[str, str]:
    values = {"Call ID": call_id, "Direction": "911 → 988", "From": "Metro 911", "To": "harbor crisis line",
              "Received": "2025-03-04 14:01", "Initiated": "2025-03-04 14:05", "Accepted": "03/04/2025 2:06 PM",
              "Ended": "2025-03-04 14:30", "Warm/Cold": "warm", "Consent": "yes", "Result": "completed", "Risk": ""}
    values.update(cells)
    return values


def csv_bytes(*rows: dict[str, str], header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue().encode()


def lines(count: int, start: int = 1) -> list[dict[str, str]]:
    return [line(f"CAD-{n}") for n in range(start, start + count)]


def make_partners(workgroup):
    return (OrganizationFactory(workgroup=workgroup, name="Metro 911"),
            OrganizationFactory(workgroup=workgroup, name="Harbor Crisis Line"))


@pytest.fixture
def partners(workgroup):
    return make_partners(workgroup)


def upload(workgroup, actor, data: bytes, organization, name="cad-export.csv") -> TransferImport:
    return imports.transfer_import_upload(actor=actor, workgroup=workgroup, organization=organization,
                                          file=SimpleUploadedFile(name, data, "text/csv"))


def run_latest(transfer_import: TransferImport, kind: str) -> Job:
    job = Job.objects.filter(kind=kind, params__transfer_import_id=transfer_import.pk).latest("pk")
    return job_run(job_id=job.pk)


def checked(workgroup, actor, data: bytes, organization, mapping=None) -> TransferImport:
    transfer_import = upload(workgroup, actor, data, organization)
    imports.transfer_import_map(actor=actor, transfer_import=transfer_import, mapping=mapping or GUESSED)
    run_latest(transfer_import, imports.CHECK_JOB)
    transfer_import.refresh_from_db()
    return transfer_import


def imported(workgroup, actor, data: bytes, organization) -> TransferImport:
    transfer_import = checked(workgroup, actor, data, organization)
    imports.transfer_import_start(actor=actor, transfer_import=transfer_import)
    job = run_latest(transfer_import, imports.IMPORT_JOB)
    assert job.status == "succeeded", job.error_message
    transfer_import.refresh_from_db()
    return transfer_import


def problems(transfer_import: TransferImport) -> list[tuple[int, str, str]]:
    return [tuple(p) for p in transfer_import.summary["problems"]]


# --- Mapping -----------------------------------------------------------------------------------------------


def test_the_columns_are_guessed_from_their_names(workgroup, member, partners):
    transfer_import = upload(workgroup, member, csv_bytes(line()), partners[0])
    assert transfer_import.summary["guessed"] == GUESSED
    assert imports.initial_mapping(transfer_import) == GUESSED
    assert transfer_import.summary["samples"]["Call ID"] == "CAD-1"


def test_the_confirmed_columns_are_saved_for_the_partner_and_prefill_its_next_file(workgroup, member, partners):
    header = ("Incident #", "Type", "Agency A", "Agency B", "Xfer at", "Disp")
    mapping = {"partner_call_id": "Incident #", "direction": "Type", "sending_organization": "Agency A",
               "receiving_organization": "Agency B", "initiated_at": "Xfer at", "result": "Disp"}
    first = upload(workgroup, member, csv_bytes({"Incident #": "1"}, header=header), partners[0])
    assert imports.initial_mapping(first) != mapping  # these names are not guessed
    imports.transfer_import_map(actor=member, transfer_import=first, mapping=mapping)

    assert TransferImportMapping.objects.get(organization=partners[0]).mapping == mapping
    second = upload(workgroup, member, csv_bytes({"Incident #": "1"}, header=header), partners[0])
    assert imports.initial_mapping(second) == mapping
    other_partner = upload(workgroup, member, csv_bytes({"Incident #": "1"}, header=header), partners[1])
    assert imports.initial_mapping(other_partner) != mapping  # saved per partner


def test_a_mapping_without_a_required_field_is_refused(workgroup, member, partners):
    transfer_import = upload(workgroup, member, csv_bytes(line()), partners[0])
    with pytest.raises(ValidationError) as refused:
        imports.transfer_import_map(actor=member, transfer_import=transfer_import,
                                    mapping={**GUESSED, "partner_call_id": ""})
    assert refused.value.message_dict == {"partner_call_id": ["Choose the column that holds this."]}


# --- Rows ------------------------------------------------------------------------------------------------------


def test_a_clean_file_imports_every_row_with_its_reason_filled_in(workgroup, member, coordinator, partners):
    version = approved_version(workgroup=workgroup, actor=coordinator, in_force_days=2000)
    level = version.risk_levels.order_by("order").first()
    rows = [line("CAD-1", Risk=level.name.upper()), line("CAD-2", Direction="988_to_911", From="Harbor Crisis Line",
                                                          To="METRO 911", **{"Warm/Cold": "blind", "Accepted": ""},
                                                          Result="caller hung up", Consent="")]
    transfer_import = imported(workgroup, member, csv_bytes(*rows), partners[0])

    assert (transfer_import.status, transfer_import.transfers_created) == (ImportStatus.IMPORTED, 2)
    first, second = Transfer.objects.order_by("partner_call_id")
    assert (first.direction, first.kind, first.result, first.consent) == (
        Direction.FROM_911_TO_988, TransferKind.WARM, TransferResult.ACCEPTED, "agreed")
    assert first.sending_organization == partners[0] and first.source_organization == partners[0]
    assert first.protocol_version == version and first.risk_level == level and first.risk_level_name == level.name
    assert first.follow_up_due_at is not None and first.source == TransferSource.IMPORT
    assert first.transfer_import == transfer_import and first.created_by == member
    assert (second.direction, second.kind, second.result) == (Direction.FROM_988_TO_911, TransferKind.COLD,
                                                              TransferResult.CALLER_DISCONNECTED)
    assert AuditEvent.objects.filter(object_type="triage.transfer").count() == 2
    assert not transfer_import.file


def test_each_bad_row_is_reported_with_its_column(workgroup, member, partners):
    rows = [
        line("CAD-1", Initiated="yesterday"),
        line("CAD-2", To="Unknown Agency"),
        line("CAD-3", Direction="sideways"),
        line("CAD-4", Accepted="2025-03-04 14:00"),
        line(""),
        line("CAD-6"),
    ]
    transfer_import = checked(workgroup, member, csv_bytes(*rows), partners[0])

    found = problems(transfer_import)
    assert (2, "Initiated", "“yesterday” is not a date and time: write 2025-03-14 15:30 (ISO 8601) or "
                            "03/14/2025 3:30 PM.") in found
    assert any(row == 3 and column == "To" and "“Unknown Agency” is not on this workgroup's partner map" in message
               for row, column, message in found)
    assert any(row == 4 and column == "Direction" and "“sideways” is not one of: 911 → 988" in message
               for row, column, message in found)
    assert (5, "Accepted", "Accepted before the transfer was initiated: check both times.") in found
    assert any(row == 6 and column == "Call ID" and message.startswith("Required: the partner's call id")
               for row, column, message in found)
    assert transfer_import.summary["problem_count"] == 5 and transfer_import.summary["new"] == 1
    assert imports.transfer_import_state(transfer_import=transfer_import).phase == "problems"
    with pytest.raises(ValidationError, match="The file has problems; nothing was imported."):
        imports.transfer_import_start(actor=member, transfer_import=transfer_import)
    assert not Transfer.objects.exists()


def test_a_local_time_the_clocks_skipped_is_a_problem_and_us_times_are_local(workgroup, member, partners):
    rows = [line("CAD-1", Initiated="2025-03-09 02:30", Received="", Accepted="", Ended="", Result="dropped"),
            line("CAD-2", Initiated="11/02/2025 1:30 AM", Received="", Accepted="", Ended="")]
    transfer_import = checked(workgroup, member, csv_bytes(*rows), partners[0])
    assert [(row, column) for row, column, _ in problems(transfer_import)] == [(2, "Initiated")]
    assert "daylight saving time began" in problems(transfer_import)[0][2]
    assert transfer_import.summary["preview"][0]["initiated"] == "2025-11-02 01:30"


# --- Idempotency -----------------------------------------------------------------------------------------


def test_the_same_file_twice_imports_once(workgroup, member, partners):
    data = csv_bytes(*lines(5))
    imported(workgroup, member, data, partners[0])

    again = checked(workgroup, member, data, partners[0])
    assert (again.summary["new"], again.summary["already_recorded"], again.summary["problem_count"]) == (0, 5, 0)
    imports.transfer_import_start(actor=member, transfer_import=again)
    run_latest(again, imports.IMPORT_JOB)
    again.refresh_from_db()
    assert (again.status, again.transfers_created, again.transfers_already_recorded) == (ImportStatus.IMPORTED, 0, 5)
    assert Transfer.objects.count() == 5


def test_a_call_id_twice_in_one_file_is_recorded_once(workgroup, member, partners):
    transfer_import = imported(workgroup, member, csv_bytes(line("A"), line("B"), line("A")), partners[0])
    assert (transfer_import.transfers_created, transfer_import.transfers_already_recorded) == (2, 1)
    assert sorted(Transfer.objects.values_list("partner_call_id", flat=True)) == ["A", "B"]


def test_the_same_call_id_from_another_partner_is_a_different_transfer(workgroup, member, partners):
    imported(workgroup, member, csv_bytes(line("X-1")), partners[0])
    other = imported(workgroup, member, csv_bytes(line("X-1")), partners[1])
    assert other.transfers_created == 1 and Transfer.objects.count() == 2


# --- Hostile files -------------------------------------------------------------------------------------------


def test_a_formula_in_a_cell_is_neutralised_in_the_problem_report(workgroup, member, partners):
    transfer_import = checked(workgroup, member, csv_bytes(line("CAD-1", From="=cmd|' /C calc'!A0")), partners[0])
    check = Job.objects.filter(kind=imports.CHECK_JOB).latest("pk")
    with check.result.open("rb") as report:
        rows = list(csv.reader(io.StringIO(report.read().decode("utf-8-sig"))))
    assert rows[0] == ["row", "column", "problem"]
    assert rows[1][:2] == ["2", "From"] and "=cmd" in rows[1][2]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert transfer_import.summary["problem_count"] == 1


def test_a_cell_starting_with_a_formula_sign_is_refused_as_an_organization_in_the_report(workgroup, member,
                                                                                          partners):
    # The report quotes the cell; a message *starting* with a formula sign is escaped too.
    out = io.BytesIO()
    csv_imports.write_csv(out, [("row", "column", "problem"), (2, "=SUM(A1)", "@evil")])
    text = out.getvalue().decode("utf-8-sig")
    assert "'=SUM(A1)" in text and "'@evil" in text


def test_a_file_over_the_size_cap_is_refused(workgroup, member, partners):
    big = SimpleUploadedFile("huge.csv", b"a" * (50 * 1024 * 1024), "text/csv")
    with pytest.raises(ValidationError) as refused:
        imports.transfer_import_upload(actor=member, workgroup=workgroup, organization=partners[0], file=big)
    assert refused.value.message_dict["file"] == [imports.MSG_TOO_BIG]
    assert "larger than 40 MB" in imports.MSG_TOO_BIG and not TransferImport.objects.exists()


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16"])
def test_a_file_not_in_utf8_is_refused_with_advice(workgroup, member, partners, encoding):
    data = csv_bytes(line(To="Café Crisis Line", Direction="911 to 988")).decode().encode(encoding)
    with pytest.raises(ValidationError) as refused:
        upload(workgroup, member, data, partners[0])
    assert "is not UTF-8 text" in refused.value.messages[0] and "CSV UTF-8" in refused.value.messages[0]


def test_a_utf8_file_with_a_bom_is_read(workgroup, member, partners):
    transfer_import = upload(workgroup, member, b"\xef\xbb\xbf" + csv_bytes(line()), partners[0])
    assert transfer_import.summary["columns"][0] == "Call ID"


@pytest.mark.parametrize(("data", "message"), [
    (b"", "The file is empty."),
    (b"a;b;c;d;e;f\n1;2;3;4;5;6\n", "separated by semicolons"),
    (b"Call ID,Direction\x00,x\n", "NUL characters"),
    (b"Call ID,Direction,From,To,Initiated,Call ID\n1,2,3,4,5,6\n", "Columns named twice"),
    (b"Call ID,Direction,From,To,Initiated,Result\n", "no transfers below it"),
])
def test_unusable_files_are_refused_at_upload(workgroup, member, partners, data, message):
    with pytest.raises(ValidationError) as refused:
        upload(workgroup, member, data, partners[0])
    assert message in " ".join(refused.value.messages)


# --- All or nothing, permissions -------------------------------------------------------------------------


def test_an_import_that_meets_a_problem_writes_nothing(workgroup, member, partners):
    transfer_import = checked(workgroup, member, csv_bytes(*lines(30)), partners[0])
    imports.transfer_import_start(actor=member, transfer_import=transfer_import)
    partners[1].name = "Harbor Line (renamed)"
    partners[1].save()

    job = run_latest(transfer_import, imports.IMPORT_JOB)

    assert job.status == "failed" and "Nothing was imported: the file now has 30 problems" in job.error_message
    assert not Transfer.objects.exists() and not AuditEvent.objects.filter(object_type="triage.transfer").exists()
    transfer_import.refresh_from_db()
    assert transfer_import.status == ImportStatus.PENDING


def test_only_people_who_record_transfers_can_import(workgroup, viewer, legal_reviewer, partners):
    for person in (viewer, legal_reviewer):
        with pytest.raises(PermissionDenied):
            upload(workgroup, person, csv_bytes(line()), partners[0])


def test_an_organization_of_another_workgroup_cannot_be_the_partner(workgroup, other_workgroup, member):
    stranger = OrganizationFactory(workgroup=other_workgroup)
    with pytest.raises(ValidationError) as refused:
        upload(workgroup, member, csv_bytes(line()), stranger)
    assert "organization" in refused.value.message_dict


def test_discarding_forgets_the_file(workgroup, member, partners):
    transfer_import = checked(workgroup, member, csv_bytes(line()), partners[0])
    imports.transfer_import_discard(actor=member, transfer_import=transfer_import)
    transfer_import.refresh_from_db()
    assert transfer_import.status == ImportStatus.DISCARDED and not transfer_import.file
    with pytest.raises(ValidationError, match="already discarded"):
        imports.transfer_import_start(actor=member, transfer_import=transfer_import)
