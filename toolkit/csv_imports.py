"""The steps every CSV import in the app shares (partner directory, past incidents, transfer records).

An import is a row holding an uploaded file; it moves through one state machine:
upload → column mapping (where the file's columns are not fixed) → check job → preview → import job (all or
nothing) → imported, or discarded at any point before. Each app describes its import with an ``ImportFlow``
(its model, the job kinds, the job parameter naming the row, the action that may run it) and keeps its own
parsing, preview and bulk write; the flow decides where an import stands and refuses what that state forbids,
with the same messages everywhere.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from toolkit.models import Job, JobStatus
from toolkit.permissions import require
from toolkit.services import job_create
from toolkit.text import escape_cell, normalise_text, xml_safe
from toolkit.uploads import binary_signature

if TYPE_CHECKING:
    from django.db.models import Model

    from toolkit.models import User

PENDING, DISCARDED = "pending", "discarded"  # every import model's ImportStatus has these values

# What the preview page's buttons say once pressed: what was asked, which stays true as the status changes.
MSG_CHECK_ASKED = "You asked to check {name} again; the status below follows it."
MSG_IMPORT_ASKED = "You asked to import {name}; the status below follows it."
MSG_NOT_UTF8 = ("The file is not UTF-8 text ({detail}). Export it as CSV UTF-8: in Excel choose File › Save As › "
                "“CSV UTF-8 (Comma delimited)”; in LibreOffice or Google Sheets export as CSV with the UTF-8 "
                "character set.")
MSG_NOT_TEXT = ("This is not a CSV file: it looks like {what}. Export the data from the spreadsheet or system as "
                "CSV (UTF-8) and upload that file.")
MSG_NUL = "The file contains NUL characters, so it is probably not a CSV text file. Export it again as CSV UTF-8."
MSG_SEMICOLONS = "The columns seem to be separated by semicolons (;). Save the file as comma-separated CSV (UTF-8)."
MSG_BLANK_COLUMN = "Column {number} of the first row has no name; give every column a name (or delete it)."
MSG_REPEATED = "Columns named twice in the first row: {names}. Give each column its own name."
MSG_NEEDS_COLUMN = "Choose the column that holds this."
MSG_NOT_A_COLUMN = "Choose one of the file's columns."
MSG_COLUMN_TWICE = "“{column}” is chosen for {other} already; a column holds one field."
MSG_NOT_MAPPED = "Choose which column holds which field first."
MSG_NOT_PENDING = "This import was already {status}; it cannot be imported again."
MSG_IMPORT_RUNNING = "This file is being imported already; its progress is shown below."
MSG_CHECK_RUNNING = "This file is still being checked; wait for the check to finish."
MSG_NOT_CHECKED = "This file has not been checked yet (or the check failed). Check it, then import it."
MSG_HAS_PROBLEMS = "The file has problems; nothing was imported. Fix the file and upload it again."
MSG_FILE_GONE = "The uploaded file is no longer stored; upload it again."
MSG_GONE = "This import no longer exists; upload the file again."


# --- Reading a file whose first row names its columns ----------------------------------------------------


def decode(data: bytes) -> tuple[str | None, str]:
    """The file's text, or a message saying why it is not UTF-8 text (a byte order mark is dropped). A file
    whose first bytes show it is something else (a PDF, a ZIP such as an .xlsx, an image) is named as such."""
    what = binary_signature(data[:1024])
    if what is not None:
        return None, MSG_NOT_TEXT.format(what=what)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        detail = f"byte 0x{data[exc.start]:02x} at position {exc.start} is not valid UTF-8"
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            detail = "it is UTF-16, as Excel's “Unicode text” writes"
        return None, MSG_NOT_UTF8.format(detail=detail)
    if "\x00" in text:
        return None, MSG_NUL
    return text, ""


def read_records(text: str, *, skip_blank: bool = False) -> tuple[list[list[str]], str]:
    """The CSV records (``skip_blank``: without rows whose every cell is blank), or why they cannot be read."""
    try:
        rows = csv.reader(io.StringIO(text, newline=""))
        return ([r for r in rows if any(c.strip() for c in r)] if skip_blank else list(rows)), ""
    except csv.Error as exc:
        return [], f"The file could not be read as CSV: {exc}."


def header(record: list[str], *, min_columns: int, too_few: str) -> tuple[list[str], list[str]]:
    """The column names of the first row, and the problems of that row. ``too_few``: the message when it names
    fewer than ``min_columns`` columns (formatted with ``count`` and ``plural``)."""
    names = [cell.strip() for cell in record]
    while names and not names[-1]:
        names.pop()  # spreadsheets sometimes save empty columns after the last one
    if len(names) == 1 and names[0].count(";") >= 2:
        return names, [MSG_SEMICOLONS]
    problems = []
    for number, name in enumerate(names, start=1):
        if not name:
            problems.append(MSG_BLANK_COLUMN.format(number=number))
            continue
        try:
            names[number - 1] = normalise_text(name, multiline=False).strip()
        except ValidationError as exc:
            problems.append(f"Column {number} of the first row: {' '.join(exc.messages)}")
    counts = Counter(name.casefold() for name in names if name)
    repeated = sorted({name for name in names if name and counts[name.casefold()] > 1},
                      key=lambda name: (name.casefold(), name))
    if repeated:
        problems.append(MSG_REPEATED.format(names=", ".join(f"“{name}”" for name in repeated)))
    if not problems and len(names) < min_columns:
        problems.append(too_few.format(count=len(names), plural="" if len(names) == 1 else "s"))
    return names, problems


def write_csv(output, rows) -> None:
    """A CSV for spreadsheets (a check's problem report): a BOM so Excel reads UTF-8, every cell safe as text
    and never run as a formula. ``output`` is the job's binary file, left open for the core to read back."""
    text = io.TextIOWrapper(output, encoding="utf-8", newline="")
    text.write("\ufeff")
    writer = csv.writer(text)
    for row in rows:
        writer.writerow([escape_cell(xml_safe(str(cell))) for cell in row])
    text.flush()
    text.detach()


def scaled_progress(set_progress: Callable[[int], None], start: int, end: int) -> Callable[[int, int], None]:
    """A job's progress from ``start`` to ``end`` per cent as ``done`` of ``total`` rows go by."""
    return lambda done, total: set_progress(start + (end - start) * done // max(total, 1))


_US_WHEN = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?")
_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_when(value: str, zone: tzinfo | None = None) -> datetime:
    """ISO 8601 (with or without a time zone) or the US 03/14/2025 15:30 (or 3:30 PM); a time without a zone
    is in ``zone``, by default the workgroup's local time. A date alone means its first minute. ValueError
    otherwise. (An import passes the zone once rather than looking it up for each of 500,000 cells.)"""
    match = _US_WHEN.fullmatch(value)
    if match:
        month, day, year, hour, minute, second, half = match.groups()
        hour_number = int(hour or 0)
        if half:
            if not 1 <= hour_number <= 12:
                raise ValueError(value)
            hour_number = hour_number % 12 + (12 if half.lower() == "pm" else 0)
        when = datetime(int(year), int(month), int(day), hour_number, int(minute or 0), int(second or 0))
    elif _ISO_START.match(value):
        when = datetime.fromisoformat(value)
    else:
        raise ValueError(value)
    if when.tzinfo is not None:
        return when
    return when.replace(tzinfo=zone) if zone is not None else timezone.make_aware(when)


# --- The column mapping ------------------------------------------------------------------------------------


class ImportField(Protocol):
    key: str
    label: str
    required: bool


def mapping_problems(mapping: dict[str, str], columns: list[str], *, fields: Sequence[ImportField]) -> dict[str, str]:
    """Problems of a mapping, by field: a required field without a column, a column not in the file, a column
    chosen twice."""
    labels = {spec.key: spec.label for spec in fields}
    problems: dict[str, str] = {}
    taken: dict[str, str] = {}
    for spec in fields:
        column = mapping.get(spec.key, "")
        if not column:
            if spec.required:
                problems[spec.key] = MSG_NEEDS_COLUMN
        elif column not in columns:
            problems[spec.key] = MSG_NOT_A_COLUMN
        elif column in taken:
            problems[spec.key] = MSG_COLUMN_TWICE.format(column=column, other=labels[taken[column]])
        else:
            taken[column] = spec.key
    return problems


@dataclass(frozen=True)
class ImportState:
    """Where an import stands: mapping, unchecked, checking, check_failed, problems, ready, importing,
    imported, discarded."""

    phase: str
    check_job: Job | None
    import_job: Job | None
    import_failed: Job | None = None  # the last import attempt came after the last check, and failed

    @property
    def running_job(self) -> Job | None:
        return {"checking": self.check_job, "importing": self.import_job}.get(self.phase)

    @property
    def can_map(self) -> bool:
        return self.phase in ("mapping", "unchecked", "check_failed", "problems", "ready")


@dataclass(frozen=True)
class ImportFlow:
    model: type[Model]
    param: str  # the job parameter that names the import row, e.g. "incident_import_id"
    action: str  # the permission layer's action that may upload, check, import and discard
    check_kind: str
    import_kind: str
    mapped: bool = True  # False: the columns are fixed, there is no mapping step
    kept_after: tuple[str, ...] = ()  # summary keys kept once imported or discarded (counts, never rows)

    # --- Reads ----------------------------------------------------------------------------------------

    def jobs(self, record: Any) -> tuple[Job | None, Job | None]:
        """The latest check job and the latest import job of this import (one query; retries included)."""
        latest: dict[str, Job] = {}
        found = Job.objects.filter(workgroup_id=record.workgroup_id, kind__in=(self.check_kind, self.import_kind),
                                   **{f"params__{self.param}": record.pk}).order_by("-created_at", "-pk")
        for job in found[:20]:
            latest.setdefault(job.kind, job)
            if len(latest) == 2:
                break
        return latest.get(self.check_kind), latest.get(self.import_kind)

    def state(self, record: Any) -> ImportState:
        check_job, import_job = self.jobs(record)
        if record.status != PENDING:
            return ImportState(record.status, check_job, import_job)
        if import_job is not None and not import_job.is_finished:
            return ImportState("importing", check_job, import_job)
        if self.mapped and not record.mapping:
            return ImportState("mapping", check_job, import_job)
        if check_job is None:
            return ImportState("unchecked", check_job, import_job)
        if not check_job.is_finished:
            return ImportState("checking", check_job, import_job)
        if check_job.status == JobStatus.FAILED:
            return ImportState("check_failed", check_job, import_job)
        summary = record.summary or {}
        if summary.get("check_job_id") != check_job.pk:
            return ImportState("unchecked", check_job, import_job)
        failed = None
        if import_job is not None and import_job.status == JobStatus.FAILED and import_job.pk > check_job.pk:
            failed = import_job
        return ImportState("problems" if summary.get("problem_count") else "ready", check_job, import_job, failed)

    def record_of(self, job: Job, *related: str) -> Any:
        """The import a job works on, in the job's workgroup only."""
        try:
            return self.model.objects.select_related("workgroup", *related).get(
                workgroup_id=job.workgroup_id, pk=job.params.get(self.param))
        except (self.model.DoesNotExist, ValueError, TypeError):
            raise ValidationError(MSG_GONE) from None

    def read(self, record: Any, *, max_bytes: int) -> bytes:
        """The stored file (one byte over the cap at most, so the caller can tell it is too big)."""
        if not record.file:
            raise ValidationError(MSG_FILE_GONE)
        try:
            with record.file.open("rb") as handle:
                return handle.read(max_bytes + 1)
        except FileNotFoundError:
            raise ValidationError(MSG_FILE_GONE) from None

    # --- Writes ---------------------------------------------------------------------------------------

    def refuse_unless_pending(self, record: Any) -> None:
        if record.status != PENDING:
            raise ValidationError(MSG_NOT_PENDING.format(status=record.get_status_display().lower()))

    def lock(self, record: Any) -> Any:
        """Serialise decisions on one import: a double click starts one job, discard and import cannot cross."""
        locked = self.model.objects.select_for_update().select_related("workgroup").get(pk=record.pk)
        self.refuse_unless_pending(locked)
        return locked

    @staticmethod
    def _refuse_while_running(state: ImportState) -> None:
        if state.phase == "importing":
            raise ValidationError(MSG_IMPORT_RUNNING)
        if state.phase == "checking":
            raise ValidationError(MSG_CHECK_RUNNING)

    def start_check(self, *, actor: User, record: Any) -> Job:
        """The check job of a row just stored (an upload with fixed columns checks at once)."""
        return job_create(actor=actor, workgroup=record.workgroup, kind=self.check_kind,
                          params={self.param: record.pk})

    def map(self, *, actor: User, record: Any, mapping: dict[str, str], problems_of: Callable[[Any, dict], Any],
            remember: Callable[[Any, dict], None] | None = None) -> Job:
        """Save which column holds which field, then check the file with it in the background.
        ``problems_of(locked import, mapping)`` says what is wrong with a mapping (refused when anything is);
        ``remember(locked import, mapping)`` may keep it elsewhere too (a partner's saved mapping)."""
        with transaction.atomic():
            require(actor, record.workgroup, self.action)
            locked = self.lock(record)
            self._refuse_while_running(self.state(locked))
            problems = problems_of(locked, mapping)
            if problems:
                raise ValidationError(problems)
            locked.mapping = mapping
            locked.save(update_fields=["mapping", "updated_at"])
            if remember is not None:
                remember(locked, mapping)
            return self.start_check(actor=actor, record=locked)

    def check(self, *, actor: User, record: Any) -> Job:
        """Check the stored file again (after a failed check, or when the workgroup's records changed since)."""
        with transaction.atomic():
            require(actor, record.workgroup, self.action)
            locked = self.lock(record)
            state = self.state(locked)
            self._refuse_while_running(state)
            if state.phase == "mapping":
                raise ValidationError(MSG_NOT_MAPPED)
            return self.start_check(actor=actor, record=locked)

    def start(self, *, actor: User, record: Any) -> Job:
        """Start the import job; only a file whose last check found no problem can be imported."""
        with transaction.atomic():
            require(actor, record.workgroup, self.action)
            locked = self.lock(record)
            state = self.state(locked)
            self._refuse_while_running(state)
            if state.phase == "problems":
                raise ValidationError(MSG_HAS_PROBLEMS)
            if state.phase != "ready":
                raise ValidationError(MSG_NOT_MAPPED if state.phase == "mapping" else MSG_NOT_CHECKED)
            return job_create(actor=actor, workgroup=locked.workgroup, kind=self.import_kind,
                              params={self.param: locked.pk})

    def forget_details(self, record: Any) -> None:
        """Once imported or discarded, keep no copy of the rows: the file, the preview, the check's reports."""
        record.file = ""  # django-cleanup deletes the stored file once this commits
        record.summary = {key: value for key, value in (record.summary or {}).items() if key in self.kept_after}
        reports = Job.objects.filter(workgroup_id=record.workgroup_id, kind=self.check_kind,
                                     **{f"params__{self.param}": record.pk}).exclude(result="")
        names = list(reports.values_list("result", flat=True))
        if names:
            reports.update(result="")
            storage = Job._meta.get_field("result").storage
            transaction.on_commit(lambda: [storage.delete(name) for name in names])

    def discard(self, *, actor: User, record: Any) -> None:
        with transaction.atomic():
            require(actor, record.workgroup, self.action)
            locked = self.lock(record)
            if self.state(locked).phase == "importing":
                raise ValidationError(MSG_IMPORT_RUNNING)
            self.forget_details(locked)
            locked.status = DISCARDED
            locked.save(update_fields=["file", "summary", "status", "updated_at"])
