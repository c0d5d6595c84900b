"""Importing the partner directory from CSV, as background jobs: upload → check → preview → import.

1. ``directory_import_upload`` stores the file under the workgroup's prefix (``WorkgroupUploadTo``),
   refuses at once what its first bytes already show to be unusable, and starts the check job.
2. The check job (``run_directory_check``) parses every row against the workgroup's current data,
   writes ALL the row-level problems as its downloadable CSV report, and leaves a summary on the
   import for the preview page: counts, new sectors, the first rows, the first problems.
3. ``directory_import_start`` starts the import job once the last check found no problem.
4. The import job (``run_directory_import``) parses the file again, then, under the workgroup's lock,
   checks what may have changed and writes everything in ONE transaction with bulk inserts: history
   rows in bulk (``bulk_create_with_history``) and audit events in bulk (``record_created_in_bulk``),
   because bulk writes skip the per-row signals. Any problem (a name added meanwhile) rolls it all back.

Incidents and transfer records reuse this shape (docs/extending.md, "Bulk imports as background jobs").
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from partners import services
from partners.directory_io import (
    HEAD_BYTES,
    MAX_BYTES,
    MSG_NAME_EXISTS,
    MSG_TOO_BIG,
    ParsedImport,
    check_file_start,
    parse_directory_csv,
)
from partners.models import (
    Contact,
    DirectoryImport,
    Engagement,
    EngagementStatus,
    ImportStatus,
    Organization,
    OrganizationType,
    Sector,
)
from toolkit import jobs
from toolkit.audit import record_created_in_bulk
from toolkit.csv_imports import (  # noqa: F401  (the messages are this module's too: views and tests name them)
    MSG_CHECK_RUNNING,
    MSG_FILE_GONE,
    MSG_GONE,
    MSG_HAS_PROBLEMS,
    MSG_IMPORT_RUNNING,
    MSG_NOT_CHECKED,
    MSG_NOT_PENDING,
    ImportFlow,
    ImportState,
    scaled_progress,
    write_csv,
)
from toolkit.models import Job, Workgroup
from toolkit.permissions import Action, require
from toolkit.services.jobs import progress_reporter
from toolkit.text import xml_safe

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from toolkit.models import Membership, User

logger = logging.getLogger(__name__)

CHECK_JOB = "partner_directory_check"
IMPORT_JOB = "partner_directory_import"
# The directory's columns are fixed (its own export's), so there is no mapping step.
FLOW = ImportFlow(model=DirectoryImport, param="directory_import_id", action=Action.EDIT_PARTNERS,
                  check_kind=CHECK_JOB, import_kind=IMPORT_JOB, mapped=False)
PREVIEW_ROWS = 20  # organizations shown on the preview page
PREVIEW_PROBLEMS = 50  # problems shown on the page; the check's CSV report has all of them
BATCH_SIZE = 2000  # rows per INSERT; well under PostgreSQL's 65,535 parameters for every table written
RECENT_IMPORTS = 10

MSG_PROBLEMS_NOW = (
    "Nothing was imported: the file now has {count} problem{plural} (the directory changed since the check), "
    "for example row {row}: {message} Check the file again to see them all."
)
MSG_CONFLICT = (
    "Nothing was imported: the directory changed while the import ran (an organization with the same name or a "
    "second primary contact was added). Check the file again and import it."
)
REPORT_COLUMNS = ("row", "column", "problem")


# --- Reads -------------------------------------------------------------------------------------


def directory_import_recent(*, membership: Membership | None) -> list[DirectoryImport]:
    """The workgroup's imports still waiting for a decision, newest first (a few: each is one person's upload)."""
    queryset = DirectoryImport.objects.restrict(membership, Action.EDIT_PARTNERS)
    return list(queryset.filter(status=ImportStatus.PENDING).select_related("uploaded_by")[:RECENT_IMPORTS])


def directory_import_jobs(*, directory_import: DirectoryImport) -> tuple[Job | None, Job | None]:
    """The latest check job and the latest import job of this import (one query; retries included)."""
    return FLOW.jobs(directory_import)


def directory_import_state(*, directory_import: DirectoryImport) -> ImportState:
    return FLOW.state(directory_import)


# --- Writes: upload, check, start, discard ---------------------------------------------------------


def _problem_text(row: int, message: str) -> str:
    return f"Row {row}: {message}" if row else message


@transaction.atomic
def directory_import_upload(*, actor: User, workgroup: Workgroup, file: UploadedFile) -> DirectoryImport:
    """Store an uploaded directory CSV and start checking it in the background."""
    require(actor, workgroup, Action.EDIT_PARTNERS)
    if file.size > MAX_BYTES:
        raise ValidationError({"file": MSG_TOO_BIG})
    file.seek(0)
    head = file.read(HEAD_BYTES)
    problems = check_file_start(head, whole_file=file.size <= HEAD_BYTES)
    if problems:
        raise ValidationError({"file": [_problem_text(row, message) for row, _, message in problems]})
    file.seek(0)
    filename = xml_safe(PurePath(file.name or "directory.csv").name).strip()[:255] or "directory.csv"
    directory_import = DirectoryImport(workgroup=workgroup, uploaded_by=actor, filename=filename, size=file.size)
    directory_import.file.save(f"{slugify(PurePath(filename).stem) or 'directory'}.csv", file, save=False)
    directory_import.save()
    FLOW.start_check(actor=actor, record=directory_import)
    return directory_import


def directory_import_check(*, actor: User, directory_import: DirectoryImport) -> Job:
    """Check the stored file again (after a failed check, or when the directory changed since)."""
    return FLOW.check(actor=actor, record=directory_import)


def directory_import_start(*, actor: User, directory_import: DirectoryImport) -> Job:
    """Start the import job; only a file whose last check found no problem can be imported."""
    return FLOW.start(actor=actor, record=directory_import)


def directory_import_discard(*, actor: User, directory_import: DirectoryImport) -> None:
    FLOW.discard(actor=actor, record=directory_import)


# --- Reading the stored file -------------------------------------------------------------------


def _stem(directory_import: DirectoryImport) -> str:
    return slugify(PurePath(directory_import.filename).stem) or "directory"


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """A 50,000-row file makes hundreds of thousands of short-lived objects; Python's cycle collector keeps
    sweeping them all and finds nothing (they are freed by reference counting). Pausing it saves ~15%."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- The check job -----------------------------------------------------------------------------


_LABELS = {
    "org_type": dict(OrganizationType.choices),
    "engagement_status": dict(EngagementStatus.choices),
    "current_engagement": dict(Engagement.choices),
}


def _preview_row(planned) -> dict[str, Any]:
    fields = planned.fields
    return {
        "row": planned.row,
        "name": fields["name"],
        "sector": planned.new_sector or fields["sector"].name,
        "new_sector": bool(planned.new_sector),
        "type": _LABELS["org_type"].get(fields["org_type"], fields["org_type"]),
        "status": _LABELS["engagement_status"].get(fields["engagement_status"], fields["engagement_status"]),
        "scores": f"{fields['influence']} / {fields['impact']} / {fields['interest']}",
        "contacts": [
            {"name": c["name"], "email": c["email"], "phone": c["phone"], "is_primary": c["is_primary"]}
            for c in planned.contacts
        ],
    }


def summarise(parsed: ParsedImport, *, check_job_id: int | None) -> dict[str, Any]:
    """What the preview page shows: counts, new sectors, the first rows and the first problems."""
    return {
        "check_job_id": check_job_id,
        "checked_at": timezone.now().isoformat(),
        "rows": parsed.row_count,
        "organizations": len(parsed.organizations),
        "contacts": parsed.contact_count,
        "new_sectors": parsed.new_sectors,
        "file_rejected": parsed.file_rejected,
        "problem_count": len(parsed.errors),
        "problems": [list(problem) for problem in parsed.errors[:PREVIEW_PROBLEMS]],
        "preview": [_preview_row(planned) for planned in parsed.organizations[:PREVIEW_ROWS]],
    }


def run_directory_check(*, job: Job, set_progress: Callable[[int], None], output) -> str:
    """Parse the stored file; the output is the CSV report of every problem (only its header when none)."""
    directory_import = FLOW.record_of(job)
    FLOW.refuse_unless_pending(directory_import)
    data = FLOW.read(directory_import, max_bytes=MAX_BYTES)
    set_progress(5)
    with _cyclic_gc_paused():
        parsed = parse_directory_csv(workgroup=directory_import.workgroup, data=data,
                                     on_progress=scaled_progress(set_progress, 5, 90))
    del data
    write_csv(output, [REPORT_COLUMNS, *([row or "", column, message] for row, column, message in parsed.errors)])
    # A discard or an import that happened meanwhile wins: the summary is only kept on a pending import.
    DirectoryImport.objects.filter(pk=directory_import.pk, status=ImportStatus.PENDING).update(
        summary=summarise(parsed, check_job_id=job.pk), updated_at=timezone.now()
    )
    return f"{_stem(directory_import)}-problems.csv"


# --- The import job ----------------------------------------------------------------------------


def _create_in_batches(model, objects: list, *, actor: User, when, progress: Callable[[int, int], None]) -> None:
    for start in range(0, len(objects), BATCH_SIZE):
        bulk_create_with_history(objects[start:start + BATCH_SIZE], model, batch_size=BATCH_SIZE,
                                 default_user=actor, default_date=when)
        progress(min(start + BATCH_SIZE, len(objects)), len(objects))


def _bulk_write(*, actor: User, workgroup: Workgroup, parsed: ParsedImport,
                set_progress: Callable[[int], None]) -> tuple[list[Organization], list[Contact]]:
    sectors = {s.name.casefold(): s for s in Sector.objects.filter(workgroup=workgroup)}
    for name in parsed.new_sectors:  # a handful at most: the ordinary service, with its history and audit
        if name.casefold() not in sectors:
            sectors[name.casefold()] = services.sector_create(actor=actor, workgroup=workgroup, name=name)
    when = timezone.now()
    organizations, contacts = [], []
    for planned in parsed.organizations:
        fields = dict(planned.fields)
        if planned.new_sector:
            fields["sector"] = sectors[planned.new_sector.casefold()]
        organization = Organization(workgroup=workgroup, **fields)
        organizations.append(organization)
        contacts.extend(Contact(workgroup=workgroup, organization=organization, **c) for c in planned.contacts)
    _create_in_batches(Organization, organizations, actor=actor, when=when,
                       progress=scaled_progress(set_progress, 45, 60))
    # bulk_create fills each contact's organization_id from its (now saved) organization, keeping it cached.
    _create_in_batches(Contact, contacts, actor=actor, when=when, progress=scaled_progress(set_progress, 60, 85))
    record_created_in_bulk(workgroup_id=workgroup.pk, actor=actor, objects=organizations)
    set_progress(90)
    record_created_in_bulk(workgroup_id=workgroup.pk, actor=actor, objects=contacts)
    set_progress(95)
    return organizations, contacts


def _recheck_under_lock(workgroup: Workgroup, parsed: ParsedImport) -> None:
    """What may have changed between the parse and the lock: a name taken, a sector deleted."""
    planned = {org.fields["name"].casefold() for org in parsed.organizations}
    existing = Organization.objects.filter(workgroup=workgroup).values_list("name", flat=True)
    taken = sorted(name for name in existing if name.casefold() in planned)
    if taken:
        raise ValidationError([MSG_NAME_EXISTS.format(name=name) for name in taken])
    used = {org.fields["sector"].pk for org in parsed.organizations if org.fields["sector"] is not None}
    if used - set(Sector.objects.filter(workgroup=workgroup, pk__in=used).values_list("pk", flat=True)):
        raise ValidationError(MSG_CONFLICT)


def directory_import_apply(
    *, actor: User, directory_import: DirectoryImport, set_progress: Callable[[int], None] = lambda p: None,
    receipt=None,
) -> tuple[int, int]:
    """Parse the file again and create everything it plans, all or nothing. Returns (organizations, contacts).

    The parse runs first, outside the transaction (its progress shows, and nothing is locked yet);
    the writes run in ONE transaction holding the workgroup's row lock, like every service that
    creates organizations, after checking again what may have changed meanwhile. ``receipt``: a
    binary file to write the list of what was created into (the job's download).
    """
    workgroup = directory_import.workgroup
    require(actor, workgroup, Action.EDIT_PARTNERS)
    current = DirectoryImport.objects.get(pk=directory_import.pk)
    FLOW.refuse_unless_pending(current)
    parsed = parse_directory_csv(workgroup=workgroup, data=FLOW.read(current, max_bytes=MAX_BYTES),
                                 on_progress=scaled_progress(set_progress, 0, 40))
    if parsed.errors:
        row, _, message = parsed.errors[0]
        raise ValidationError(MSG_PROBLEMS_NOW.format(
            count=len(parsed.errors), plural="" if len(parsed.errors) == 1 else "s", row=row or 1, message=message
        ))
    set_progress(40)
    with transaction.atomic():
        Workgroup.objects.select_for_update().filter(pk=workgroup.pk).first()
        locked = FLOW.lock(directory_import)  # a second import job of the same file stops here
        _recheck_under_lock(workgroup, parsed)
        try:
            organizations, contacts = _bulk_write(actor=actor, workgroup=workgroup, parsed=parsed,
                                                  set_progress=set_progress)
        except IntegrityError:
            raise ValidationError(MSG_CONFLICT) from None
        if receipt is not None:
            count: dict[int, int] = {}
            for contact in contacts:
                count[contact.organization_id] = count.get(contact.organization_id, 0) + 1
            write_csv(receipt, [("row", "organization", "sector", "contacts"), *(
                (planned.row, org.name, org.sector.name, count.get(org.pk, 0))
                for planned, org in zip(parsed.organizations, organizations, strict=True)
            )])
        FLOW.forget_details(locked)
        locked.status, locked.imported_at = ImportStatus.IMPORTED, timezone.now()
        locked.organizations_created, locked.contacts_created = len(organizations), len(contacts)
        locked.save()
    return len(organizations), len(contacts)


def run_directory_import(*, job: Job, set_progress: Callable[[int], None], output) -> str:
    directory_import = FLOW.record_of(job)
    with progress_reporter(set_progress) as progress, _cyclic_gc_paused():
        directory_import_apply(actor=job.requested_by, directory_import=directory_import, set_progress=progress,
                               receipt=output)
    return f"{_stem(directory_import)}-imported.csv"


jobs.register(jobs.JobKind(kind=CHECK_JOB, label="Partner directory import: check", action=Action.EDIT_PARTNERS,
                           run=run_directory_check))
jobs.register(jobs.JobKind(kind=IMPORT_JOB, label="Partner directory import", action=Action.EDIT_PARTNERS,
                           run=run_directory_import))
