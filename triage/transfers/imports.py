"""Importing transfer records from a partner's CSV export (CAD or crisis line), as background jobs.

The shape of the incident import (``incidents.imports``): upload → column mapping → check job → preview →
import job. Two differences:

* the file is one partner's export, and its mapping is remembered per partner (``TransferImportMapping``),
  so next month's file from the same system maps itself;
* a row whose partner call id is recorded already for this partner (in the database, or earlier in the same
  file) is not a problem: it is counted as "already recorded" and skipped. Importing the same file twice
  creates nothing the second time. Any real problem stops the whole import (all or nothing).

The rows are read by ``triage.transfers.import_rows``; the reason of each transfer is filled in by
``services.fill_reason`` with routing facts read once per job.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from partners.models import Organization
from toolkit import csv_imports, jobs
from toolkit.audit import record_created_in_bulk
from toolkit.bulk import copy_create
from toolkit.csv_imports import (  # noqa: F401  (the messages are this module's too: views and tests name them)
    MSG_CHECK_RUNNING,
    MSG_COLUMN_TWICE,
    MSG_FILE_GONE,
    MSG_GONE,
    MSG_HAS_PROBLEMS,
    MSG_IMPORT_RUNNING,
    MSG_NEEDS_COLUMN,
    MSG_NOT_A_COLUMN,
    MSG_NOT_CHECKED,
    MSG_NOT_MAPPED,
    MSG_NOT_PENDING,
    ImportFlow,
    ImportState,
    scaled_progress,
    write_csv,
)
from toolkit.models import Job
from toolkit.permissions import Action, require
from toolkit.services.jobs import progress_reporter
from toolkit.text import xml_safe
from triage.models import ImportStatus, Transfer, TransferImport, TransferImportMapping
from triage.transfers import import_rows
from triage.transfers.import_rows import FIELDS, FIELDS_BY_KEY, MAX_BYTES, MAX_MEGABYTES, ParsedTransfers

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from toolkit.models import Membership, User, Workgroup

__all__ = ["FIELDS", "MAX_MEGABYTES", "ImportState"]

CHECK_JOB = "transfer_import_check"
IMPORT_JOB = "transfer_import"
FLOW = ImportFlow(model=TransferImport, param="transfer_import_id", action=Action.RECORD_TRANSFERS,
                  check_kind=CHECK_JOB, import_kind=IMPORT_JOB, kept_after=("rows", "new", "already_recorded"))
HEAD_BYTES = 64 * 1024
PREVIEW_ROWS = 20
PREVIEW_PROBLEMS = 50
BATCH_SIZE = 20_000  # rows per COPY: progress moves while a year of transfers is written
RECENT_IMPORTS = 10
SAMPLE_CHARS = 60
REPORT_COLUMNS = ("row", "column", "problem")

MSG_TOO_BIG = import_rows.MSG_TOO_BIG
MSG_LONG_HEADER = "The first row is longer than 64 KB; is this a CSV file with one row of column names?"
MSG_NOT_PARTNER = "Choose one of this workgroup's organizations."
MSG_PROBLEMS_NOW = ("Nothing was imported: the file now has {count} problem{plural} (the partner map or the "
                    "protocols changed since the check), for example row {row}: {message} Check the file again.")
MSG_CONFLICT = ("Nothing was imported: some of these call ids were recorded by someone else while the import ran. "
                "Check the file again and import it.")


# --- The file's first bytes, and the mapping ---------------------------------------------------------------


def check_file_start(head: bytes, *, whole_file: bool) -> dict[str, Any]:
    """The columns and first row's values, or the problems that refuse the file (``problems``)."""
    if not whole_file:
        end = head.rfind(b"\n")
        if end < 0:
            return {"problems": [MSG_LONG_HEADER]}
        head = head[:end + 1]  # whole lines only, so no character is cut in two
    text, problem = import_rows.decode(head)
    rows, problem = import_rows.records(text) if text is not None else ([], problem)
    if problem or not rows:
        return {"problems": [problem or import_rows.MSG_EMPTY]}
    columns, problems = import_rows.header(rows[0])
    if not problems and len(rows) < 2 and whole_file:
        problems = [import_rows.MSG_NO_ROWS]
    samples = {}
    for column, value in zip(columns, rows[1] if len(rows) > 1 else [], strict=False):
        shown = xml_safe(" ".join(value.split()))
        samples[column] = shown[:SAMPLE_CHARS] + ("…" if len(shown) > SAMPLE_CHARS else "")
    return {"columns": columns, "samples": samples, "problems": problems}


def mapping_problems(mapping: dict[str, str], columns: list[str]) -> dict[str, str]:
    """Problems of a mapping, by field: a required field without a column, a column chosen twice."""
    return csv_imports.mapping_problems(mapping, columns, fields=FIELDS)


def saved_mapping(*, workgroup: Workgroup, organization_id: int) -> dict[str, str]:
    row = TransferImportMapping.objects.filter(workgroup=workgroup, organization_id=organization_id).first()
    return dict(row.mapping) if row else {}


def initial_mapping(transfer_import: TransferImport) -> dict[str, str]:
    """This import's mapping; else the partner's saved one (columns the file has); else the guess."""
    if transfer_import.mapping:
        return transfer_import.mapping
    summary = transfer_import.summary or {}
    return summary.get("saved") or summary.get("guessed", {})


# --- Reads ---------------------------------------------------------------------------------------------------


def transfer_import_recent(*, membership: Membership | None) -> list[TransferImport]:
    queryset = TransferImport.objects.restrict(membership, Action.RECORD_TRANSFERS)
    return list(queryset.filter(status=ImportStatus.PENDING).select_related("uploaded_by", "organization")
                [:RECENT_IMPORTS])


def transfer_import_jobs(*, transfer_import: TransferImport) -> tuple[Job | None, Job | None]:
    return FLOW.jobs(transfer_import)


def transfer_import_state(*, transfer_import: TransferImport) -> ImportState:
    return FLOW.state(transfer_import)


# --- Writes ---------------------------------------------------------------------------------------------------


@transaction.atomic
def transfer_import_upload(*, actor: User, workgroup: Workgroup, organization: Organization,
                           file: UploadedFile) -> TransferImport:
    """Store a partner's export; the mapping is prefilled from that partner's saved one, else guessed."""
    require(actor, workgroup, Action.RECORD_TRANSFERS)
    if organization.workgroup_id != workgroup.pk:
        raise ValidationError({"organization": MSG_NOT_PARTNER})
    if file.size > MAX_BYTES:
        raise ValidationError({"file": MSG_TOO_BIG})
    file.seek(0)
    start = check_file_start(file.read(HEAD_BYTES), whole_file=file.size <= HEAD_BYTES)
    if start["problems"]:
        raise ValidationError({"file": start["problems"]})
    file.seek(0)
    columns = start["columns"]
    saved = {key: column for key, column in saved_mapping(workgroup=workgroup, organization_id=organization.pk)
             .items() if key in FIELDS_BY_KEY and column in columns}
    filename = xml_safe(PurePath(file.name or "transfers.csv").name).strip()[:255] or "transfers.csv"
    transfer_import = TransferImport(
        workgroup=workgroup, organization=organization, uploaded_by=actor, filename=filename, size=file.size,
        summary={"columns": columns, "samples": start["samples"], "saved": saved,
                 "guessed": import_rows.guess_mapping(columns)})
    transfer_import.file.save(f"{slugify(PurePath(filename).stem) or 'transfers'}.csv", file, save=False)
    transfer_import.save()
    return transfer_import


def transfer_import_map(*, actor: User, transfer_import: TransferImport, mapping: dict[str, str]) -> Job:
    """Save the confirmed mapping on the import and for the partner, then check the file in the background."""
    mapping = {key: column for key, column in mapping.items() if key in FIELDS_BY_KEY and column}
    return FLOW.map(actor=actor, record=transfer_import, mapping=mapping, problems_of=_mapping_problems,
                    remember=partial(_remember_for_the_partner, actor=actor))


def _mapping_problems(transfer_import: TransferImport, mapping: dict[str, str]) -> dict[str, str]:
    return mapping_problems(mapping, (transfer_import.summary or {}).get("columns", []))


def _remember_for_the_partner(transfer_import: TransferImport, mapping: dict[str, str], *, actor: User) -> None:
    """The partner's next export, from the same system, maps itself."""
    TransferImportMapping.objects.update_or_create(
        workgroup=transfer_import.workgroup, organization_id=transfer_import.organization_id,
        defaults={"mapping": mapping, "updated_by": actor})


def transfer_import_check(*, actor: User, transfer_import: TransferImport) -> Job:
    return FLOW.check(actor=actor, record=transfer_import)


def transfer_import_start(*, actor: User, transfer_import: TransferImport) -> Job:
    """Start the import job; only a file whose last check found no problem can be imported."""
    return FLOW.start(actor=actor, record=transfer_import)


def transfer_import_discard(*, actor: User, transfer_import: TransferImport) -> None:
    FLOW.discard(actor=actor, record=transfer_import)


# --- The jobs -------------------------------------------------------------------------------------------------


def _stem(transfer_import: TransferImport) -> str:
    return slugify(PurePath(transfer_import.filename).stem) or "transfers"


def _local(when) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M") if when else ""


def _preview_row(number: int, transfer: Transfer, names: dict[int, str]) -> dict[str, Any]:
    return {"row": number, "call_id": transfer.partner_call_id, "initiated": _local(transfer.initiated_at),
            "direction": transfer.get_direction_display(), "sender": names[transfer.sending_organization_id],
            "receiver": names[transfer.receiving_organization_id], "kind": transfer.kind,
            "result": transfer.get_result_display(), "risk": transfer.risk_level_name,
            "protocol": str(transfer.protocol_version) if transfer.protocol_version_id else ""}


def summarise(parsed: ParsedTransfers, *, check_job_id: int | None) -> dict[str, Any]:
    """What the preview shows: counts, the first rows and the first problems (all of it small)."""
    return {
        "check_job_id": check_job_id, "checked_at": timezone.now().isoformat(), "rows": parsed.row_count,
        "new": len(parsed.transfers), "already_recorded": parsed.already_recorded,
        "file_rejected": parsed.file_rejected, "problem_count": len(parsed.errors),
        "problem_rows": len({row for row, _, _ in parsed.errors if row > 1}),
        "problems": [list(problem) for problem in parsed.errors[:PREVIEW_PROBLEMS]],
        "preview": [_preview_row(number, transfer, parsed.organization_names)
                    for number, transfer in parsed.transfers[:PREVIEW_ROWS]],
    }


def _parse(transfer_import: TransferImport, actor, on_progress) -> ParsedTransfers:
    return import_rows.parse_transfers(workgroup=transfer_import.workgroup, transfer_import=transfer_import,
                                       data=FLOW.read(transfer_import, max_bytes=MAX_BYTES), actor=actor,
                                       on_progress=on_progress)


def run_transfer_check(*, job: Job, set_progress: Callable[[int], None], output) -> str:
    """Parse the stored file with its mapping; the output is the CSV report of every problem."""
    transfer_import = FLOW.record_of(job, "organization")
    FLOW.refuse_unless_pending(transfer_import)
    parsed = _parse(transfer_import, job.requested_by, scaled_progress(set_progress, 5, 90))
    write_csv(output, [REPORT_COLUMNS, *([row or "", column, message] for row, column, message in parsed.errors)])
    kept = {key: (transfer_import.summary or {}).get(key) for key in ("columns", "samples", "saved", "guessed")}
    TransferImport.objects.filter(pk=transfer_import.pk, status=ImportStatus.PENDING).update(
        summary={**kept, **summarise(parsed, check_job_id=job.pk)}, updated_at=timezone.now())
    return f"{_stem(transfer_import)}-problems.csv"


def transfer_import_apply(*, actor: User, transfer_import: TransferImport,
                          set_progress: Callable[[int], None] = lambda p: None) -> int:
    """Parse the file again and create every new transfer in it, all or nothing. Returns how many."""
    workgroup = transfer_import.workgroup
    require(actor, workgroup, Action.RECORD_TRANSFERS)
    with transaction.atomic():
        locked = FLOW.lock(transfer_import)  # a second import job of the same file stops here
        locked.workgroup = workgroup
        parsed = _parse(locked, actor, scaled_progress(set_progress, 0, 50))
        if parsed.errors:
            row, _, message = parsed.errors[0]
            raise ValidationError(MSG_PROBLEMS_NOW.format(count=len(parsed.errors), row=row or 1, message=message,
                                                          plural="" if len(parsed.errors) == 1 else "s"))
        transfers = [transfer for _, transfer in parsed.transfers]
        try:
            with transaction.atomic():
                for start in range(0, len(transfers), BATCH_SIZE):
                    copy_create(transfers[start:start + BATCH_SIZE])
                    set_progress(50 + 40 * min(start + BATCH_SIZE, len(transfers)) // max(len(transfers), 1))
        except IntegrityError:
            raise ValidationError(MSG_CONFLICT) from None
        record_created_in_bulk(workgroup_id=workgroup.pk, actor=actor, objects=transfers)
        set_progress(98)
        locked.summary = {**(locked.summary or {}), "rows": parsed.row_count}
        FLOW.forget_details(locked)
        locked.status, locked.imported_at = ImportStatus.IMPORTED, timezone.now()
        locked.transfers_created, locked.transfers_already_recorded = len(transfers), parsed.already_recorded
        locked.save()
    return len(transfers)


def run_transfer_import(*, job: Job, set_progress: Callable[[int], None], output) -> str:
    transfer_import = FLOW.record_of(job, "organization")
    with progress_reporter(set_progress) as progress:
        created = transfer_import_apply(actor=job.requested_by, transfer_import=transfer_import,
                                        set_progress=progress)
    transfer_import.refresh_from_db(fields=["transfers_already_recorded"])
    write_csv(output, [("created", "already recorded"), (created, transfer_import.transfers_already_recorded)])
    return f"{_stem(transfer_import)}-imported.csv"


jobs.register(jobs.JobKind(kind=CHECK_JOB, label="Transfer import: check", action=Action.RECORD_TRANSFERS,
                           run=run_transfer_check))
jobs.register(jobs.JobKind(kind=IMPORT_JOB, label="Transfer import", action=Action.RECORD_TRANSFERS,
                           run=run_transfer_import))
