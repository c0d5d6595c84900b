"""Importing past incidents from CSV, as background jobs: upload → column mapping → check → preview → import.

The shape of the partner directory import (``partners.imports``; docs/extending.md, "Bulk imports as
background jobs"), with one step more, because every system exports its own columns:

1. ``incident_import_upload`` stores the file under the workgroup's prefix, refuses at once what its first
   bytes show to be unusable (size, encoding, header row), and guesses which column holds which field.
2. ``incident_import_map`` saves the mapping the person confirmed (``IncidentImport.mapping``) and starts
   the check job (``run_incident_check``): every row parsed against the workgroup's current partner map,
   every cell through the text normaliser; its file is the CSV report of all problems, and it leaves a
   summary on the import for the preview page.
3. ``incident_import_start`` starts the import job once the last check found no problem.
4. The import job (``run_incident_import``) parses again, then writes everything in ONE transaction: the
   references taken from the year's counter at once (its row locked), the incidents and their history in
   bulk, the organizations involved in bulk, one audit row each. Any problem rolls it all back.

Imported incidents are ``submitted`` (to be reviewed here) or ``closed`` (reviewed before); they have no
reporter (``reported_by`` empty, ``submitted_via`` "import").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from incidents.models import (
    Category,
    Harm,
    ImportStatus,
    Incident,
    IncidentClass,
    IncidentImport,
    IncidentStatus,
    ReferenceCounter,
    SubmittedVia,
    TransferDirection,
)
from incidents.services import CLOCK_TOLERANCE
from partners.selectors import organization_list
from toolkit import csv_imports, jobs
from toolkit.audit import record_created_in_bulk
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
    parse_when,
    scaled_progress,
    write_csv,
)
from toolkit.models import Job, Workgroup
from toolkit.permissions import Action, require
from toolkit.services.jobs import progress_reporter
from toolkit.text import normalise_text, unescape_cell, xml_safe

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from toolkit.models import Membership, User

CHECK_JOB = "incident_import_check"
IMPORT_JOB = "incident_import"
FLOW = ImportFlow(model=IncidentImport, param="incident_import_id", action=Action.REVIEW_INCIDENTS,
                  check_kind=CHECK_JOB, import_kind=IMPORT_JOB)
MAX_MEGABYTES = 30  # 50,000 incidents with a paragraph of narrative each
MAX_BYTES = MAX_MEGABYTES * 1024 * 1024
HEAD_BYTES = 64 * 1024
MIN_COLUMNS = 5
PREVIEW_ROWS = 20
PREVIEW_PROBLEMS = 50
BATCH_SIZE = 1000  # incidents per INSERT: ~40 columns each, well under PostgreSQL's 65,535 parameters
RECENT_IMPORTS = 10
PROGRESS_EVERY_ROWS = 2000
SAMPLE_CHARS = 60
TEXT_LIMITS = {"cad_reference": 60, "contact_reference": 60, "risk_level": 80}
MULTILINE = frozenset({"narrative", "immediate_actions"})
REPORT_COLUMNS = ("row", "column", "problem")

MSG_TOO_BIG = f"The file is larger than {MAX_MEGABYTES} MB. Split it into smaller files and import them one by one."
MSG_EMPTY = "The file is empty. The first row names the columns; each row below it is one incident."
MSG_LONG_HEADER = "The first row is longer than 64 KB; is this a CSV file with one row of column names?"
MSG_FEW_COLUMNS = ("The first row names {count} column{plural}; an incident needs at least five: its class, category, "
                   "when it happened, when it was noticed and what happened.")
MSG_NO_ROWS = "The file has a row of column names but no incidents below it."
MSG_MAPPING_GONE = "The column “{column}” chosen for {label} is not in the file; choose the columns again."
MSG_REQUIRED_UNMAPPED = "No column is chosen for {label}; choose the columns again."
MSG_PROBLEMS_NOW = ("Nothing was imported: the file now has {count} problem{plural} (the partner map or the incidents "
                    "changed since the check), for example row {row}: {message} Check the file again to see them all.")
MSG_CONFLICT = ("Nothing was imported: the partner map or the triage protocols changed while the import ran. Check "
                "the file again and import it.")
MSG_ONE_LINE = "Must fit on one line (this cell contains a line break)."
MSG_WHEN = "“{value}” is not a date and time: write 2025-03-14 15:30 (ISO 8601) or 03/14/2025 15:30."


# --- The fields a file can hold -------------------------------------------------------------------


@dataclass(frozen=True)
class ImportField:
    key: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = ()  # header names that usually mean this field (compared without case/punctuation)
    help: str = ""


FIELDS: tuple[ImportField, ...] = (
    ImportField("incident_class", "Class", True, ("incident class", "event class", "class of event", "harm class"),
                "Incident with harm, incident without harm, near miss or unsafe condition."),
    ImportField("category", "Category", True, ("incident category", "event type", "incident type", "type"),
                "Adverse event, sentinel event, delay, technical difficulty, miscommunication…"),
    ImportField("occurred_at", "When it happened", True,
                ("occurred", "occurred at", "occurred on", "date of incident", "incident date", "event date",
                 "date time", "date", "happened"), "A date and time."),
    ImportField("discovered_at", "When it was noticed", True,
                ("discovered", "discovered at", "noticed", "noticed at", "reported", "reported at", "reported on",
                 "date reported", "report date"), "A date and time, not before it happened."),
    ImportField("narrative", "What happened", True,
                ("narrative", "description", "summary", "details", "what happened"),
                "Text. It should hold no caller's name or other identifier."),
    ImportField("organizations", "Organizations involved", False,
                ("organization", "organisations", "agencies", "agency", "partners", "organizations involved"),
                "Names on the partner map, separated by “;”."),
    ImportField("transfer_direction", "Transfer", False, ("transfer direction", "direction", "transfer type"),
                "911 → 988, 988 → 911, to mobile crisis, or none."),
    ImportField("cad_reference", "CAD incident number", False,
                ("cad", "cad number", "cad incident", "cad id", "cad reference", "cad incident number")),
    ImportField("contact_reference", "988 contact id", False,
                ("contact id", "988 id", "988 contact", "contact reference", "crisis line contact id")),
    ImportField("risk_level", "Risk level assigned", False, ("risk", "risk level", "triage risk level")),
    ImportField("immediate_actions", "What was done at once", False,
                ("immediate actions", "actions taken", "immediate action", "immediate response"), "Text."),
    ImportField("harm_estimate", "Harm", False, ("harm", "harm level", "harm estimate", "severity of harm"),
                "No harm, mild, moderate, severe, death or unknown."),
    ImportField("debrief_offered", "Debrief offered", False, ("debrief", "debriefing", "debrief offered"),
                "yes or no."),
    ImportField("status", "Status", False, ("status", "state", "review status"), "submitted or closed."),
    ImportField("closed_at", "Closed on", False, ("closed", "closed at", "closed on", "date closed", "closure date"),
                "For closed incidents; when empty, the time it was noticed."),
)
FIELDS_BY_KEY = {f.key: f for f in FIELDS}
REQUIRED = tuple(f.key for f in FIELDS if f.required)


def _name_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.casefold()).strip()


def guess_mapping(columns: list[str]) -> dict[str, str]:
    """Which column probably holds which field, from the header's names (each column used once)."""
    keys = {column: _name_key(column) for column in columns}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for spec in FIELDS:
        names = {_name_key(spec.key), _name_key(spec.label), *(_name_key(alias) for alias in spec.aliases)}
        for column in columns:
            if column not in used and keys[column] in names:
                mapping[spec.key] = column
                used.add(column)
                break
    return mapping


def mapping_problems(mapping: dict[str, str], columns: list[str]) -> dict[str, str]:
    """Problems of a mapping, by field: a required field without a column, a column chosen twice."""
    return csv_imports.mapping_problems(mapping, columns, fields=FIELDS)


# --- Choices, given as codes or labels ---------------------------------------------------------------


def _code_key(value: str) -> str:
    value = value.casefold().replace("→", " to ").replace("->", " to ")
    return re.sub(r"[^a-z0-9]+", "_", value).strip("_")


def _lookup(choices, extra: dict[str, str] | None = None) -> dict[str, str]:
    found = {_code_key(key): value for value, label in choices for key in (value, label)}
    found.update({_code_key(key): value for key, value in (extra or {}).items()})
    return found


CHOICES: dict[str, tuple[dict[str, str], str]] = {  # field -> (lookup, what to tell people)
    "incident_class": (_lookup(IncidentClass.choices), ", ".join(IncidentClass.labels)),
    "category": (_lookup(Category.choices), ", ".join(Category.labels)),
    "transfer_direction": (_lookup(TransferDirection.choices, {"none": "none", "no": "none"}),
                           ", ".join(TransferDirection.labels)),
    "harm_estimate": (_lookup(Harm.choices, {"mild": "mild", "moderate": "moderate", "severe": "severe"}),
                      ", ".join(Harm.labels)),
    "status": (_lookup([(s, IncidentStatus(s).label) for s in (IncidentStatus.SUBMITTED, IncidentStatus.CLOSED)]),
               "submitted, closed"),
}
DEFAULTS = {"transfer_direction": TransferDirection.NONE, "harm_estimate": Harm.UNKNOWN,
            "status": IncidentStatus.SUBMITTED}
_YES, _NO = {"yes", "y", "true", "1", "x"}, {"no", "n", "false", "0", ""}
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}")

# --- Reading the file --------------------------------------------------------------------------------


def _header(record: list[str]) -> tuple[list[str], list[str]]:
    return csv_imports.header(record, min_columns=MIN_COLUMNS, too_few=MSG_FEW_COLUMNS)


@dataclass
class FileStart:
    columns: list[str] = field(default_factory=list)
    samples: dict[str, str] = field(default_factory=dict)  # column -> the first row's value, shortened
    problems: list[str] = field(default_factory=list)


def check_file_start(head: bytes, *, whole_file: bool) -> FileStart:
    """What the first bytes show: the columns, the first row's values, or the problems that refuse the file."""
    start = FileStart()
    if not whole_file:
        end = head.rfind(b"\n")
        if end < 0:
            start.problems.append(MSG_LONG_HEADER)
            return start
        head = head[:end + 1]  # whole lines only, so no character is cut in two
    text, problem = csv_imports.decode(head)
    if text is None:
        start.problems.append(problem)
        return start
    records, problem = csv_imports.read_records(text)
    records = [record for record in records if any(cell.strip() for cell in record)]
    if problem or not records:
        start.problems.append(problem or MSG_EMPTY)
        return start
    start.columns, start.problems = _header(records[0])
    if start.problems:
        return start
    if len(records) < 2:
        if whole_file:
            start.problems.append(MSG_NO_ROWS)
        return start
    for column, value in zip(start.columns, records[1], strict=False):
        shown = xml_safe(" ".join(value.split()))
        start.samples[column] = shown[:SAMPLE_CHARS] + ("…" if len(shown) > SAMPLE_CHARS else "")
    return start


# --- Parsing every row -------------------------------------------------------------------------------


@dataclass
class PlannedIncident:
    row: int
    fields: dict[str, Any]  # Incident field values
    organization_ids: list[int]
    organization_names: list[str]


@dataclass
class ParsedImport:
    incidents: list[PlannedIncident] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column or "", message)
    row_count: int = 0
    file_rejected: bool = False
    columns: list[str] = field(default_factory=list)


class _Row:
    """One row's cells by field, and its errors naming the file's column."""

    def __init__(self, parsed: ParsedImport, row: int, record: list[str], index: dict[str, int],
                 columns: dict[str, str]):
        self.parsed, self.row, self.columns, self.count = parsed, row, columns, 0
        self.cells = {key: self._cell(record[i] if i < len(record) else "", key) for key, i in index.items()}

    def add(self, key: str, message: str) -> None:
        self.parsed.errors.append((self.row, self.columns.get(key, ""), message))
        self.count += 1

    def _cell(self, raw: str, key: str) -> str:
        value = raw.strip()
        if value and not value.isprintable():
            multiline = key in MULTILINE or "\n" in value or "\r" in value
            try:
                value = normalise_text(value, multiline=multiline).strip()
            except ValidationError as exc:
                self.add(key, " ".join(exc.messages))
                value = xml_safe(value).strip()
        return unescape_cell(value)

    def get(self, key: str) -> str:
        return self.cells.get(key, "")


@dataclass
class _Context:
    """What every row is checked against, read once per parse."""

    organizations: dict[str, list[tuple[int, str]]]  # casefolded name -> [(id, name)]
    periods: list[tuple[datetime, datetime | None, Any]]  # (start, end, version) of the in-force history
    existing: dict[tuple[str, datetime], str]  # (CAD number, occurred_at) -> reference of a recorded incident
    now: datetime
    risk_levels: dict[int, dict[str, str]] = field(default_factory=dict)  # version id -> {casefold: name}


def _in_force_periods(workgroup: Workgroup) -> list[tuple[datetime, datetime | None, Any]]:
    """The workgroup's triage versions with the periods they were in force: a few rows, read once.

    ``triage.selectors.version_in_force_at`` answers one moment per query; a file of thousands of rows
    asks the same question of every row, so the intervals are read once here and compared in memory.
    """
    from triage.selectors import in_force_periods

    return in_force_periods(workgroup=workgroup)


def _context(workgroup: Workgroup) -> _Context:
    organizations: dict[str, list[tuple[int, str]]] = {}
    for pk, name in organization_list(workgroup=workgroup).prefetch_related(None).values_list("pk", "name"):
        organizations.setdefault(name.casefold(), []).append((pk, name))
    existing = {(cad.casefold(), occurred): reference for cad, occurred, reference in
                Incident.objects.filter(workgroup=workgroup).exclude(cad_reference="")
                .values_list("cad_reference", "occurred_at", "reference")}
    return _Context(organizations=organizations, periods=_in_force_periods(workgroup), existing=existing,
                    now=timezone.now())


def _choice(row: _Row, key: str) -> str | None:
    value = row.get(key)
    if not value and key in DEFAULTS:
        return DEFAULTS[key]
    lookup, allowed = CHOICES[key]
    chosen = lookup.get(_code_key(value))
    if chosen is None:
        row.add(key, f"“{value}” is not one of: {allowed}." if value else f"Required; one of: {allowed}.")
    return chosen


def _when(row: _Row, key: str, context: _Context, *, required: bool = True) -> datetime | None:
    value = row.get(key)
    if not value:
        if required:
            row.add(key, "Required: a date and time.")
        return None
    try:
        when = parse_when(value)
    except ValueError:
        row.add(key, MSG_WHEN.format(value=value))
        return None
    if when > context.now + CLOCK_TOLERANCE:
        row.add(key, f"“{value}” is in the future.")
        return None
    return when


def _one_line(row: _Row, key: str) -> str:
    value = row.get(key)
    limit = TEXT_LIMITS.get(key)
    if "\n" in value or "\r" in value:
        row.add(key, MSG_ONE_LINE)
    elif limit and len(value) > limit:
        row.add(key, f"Too long: at most {limit} characters (this has {len(value)}).")
    return value


def _organizations(row: _Row, context: _Context) -> tuple[list[int], list[str]]:
    ids: list[int] = []
    names: list[str] = []
    for name in dict.fromkeys(part.strip() for part in row.get("organizations").split(";") if part.strip()):
        found = context.organizations.get(name.casefold(), [])
        if len(found) == 1:
            if found[0][0] not in ids:
                ids.append(found[0][0])
                names.append(found[0][1])
        elif found:
            row.add("organizations", f"“{name}” names {len(found)} organizations on the partner map; rename one.")
        else:
            row.add("organizations", f"“{name}” is not on the partner map (names are compared without regard to "
                                     "case; separate several with “;”).")
    return ids, names


def _protocol(row: _Row, occurred: datetime | None, context: _Context) -> tuple[Any, str]:
    """The version in force when it happened (when exactly one was), and the risk level checked against it."""
    risk = _one_line(row, "risk_level")
    if occurred is None:
        return None, risk
    versions = [version for start, end, version in context.periods
                if start <= occurred and (end is None or occurred < end)]
    version = versions[0] if len(versions) == 1 else None
    if version is None or not risk:
        return version, risk  # with no version to check against, the level is kept as the file wrote it
    if version.pk not in context.risk_levels:
        from triage.selectors import risk_level_names

        context.risk_levels[version.pk] = {name.casefold(): name for name in risk_level_names(version=version)}
    levels = context.risk_levels[version.pk]
    if risk.casefold() not in levels:
        row.add("risk_level", f"“{risk}” is not a risk level of {version.protocol.name} version {version.number}, "
                              f"in force then: {', '.join(levels.values()) or 'it has none'}.")
    return version, levels.get(risk.casefold(), risk)


def _debrief(row: _Row) -> bool:
    value = row.get("debrief_offered").casefold()
    if value not in _YES | _NO:
        row.add("debrief_offered", f"“{row.get('debrief_offered')}” should be yes or no.")
    return value in _YES


def _not_before(row: _Row, key: str, when: datetime | None, earlier: datetime | None) -> datetime | None:
    """A date written without a time, on the day of the earlier moment, means that moment (not its midnight)."""
    if (when and earlier and when < earlier and _DATE_ONLY.fullmatch(row.get(key))
            and timezone.localtime(when).date() == timezone.localtime(earlier).date()):
        return earlier
    return when


def _row_fields(row: _Row, context: _Context, filename: str) -> tuple[dict[str, Any], list[int], list[str]]:
    occurred = _when(row, "occurred_at", context)
    discovered = _not_before(row, "discovered_at", _when(row, "discovered_at", context), occurred)
    if occurred and discovered and discovered < occurred:
        row.add("discovered_at", "It cannot have been noticed before it happened.")
    status = _choice(row, "status")
    closed = _not_before(row, "closed_at", _when(row, "closed_at", context, required=False), discovered)
    if closed and status != IncidentStatus.CLOSED:
        row.add("closed_at", "Only a closed incident has a closing date; set its status to closed or leave this empty.")
    elif closed and discovered and closed < discovered:
        row.add("closed_at", "It cannot have been closed before it was noticed.")
    narrative = row.get("narrative")
    if not narrative:
        row.add("narrative", "Required: what happened.")
    version, risk = _protocol(row, occurred, context)
    organization_ids, organization_names = _organizations(row, context)
    fields = {
        "incident_class": _choice(row, "incident_class"),
        "category": _choice(row, "category"),
        "occurred_at": occurred,
        "discovered_at": discovered,
        "transfer_direction": _choice(row, "transfer_direction"),
        "cad_reference": _one_line(row, "cad_reference"),
        "contact_reference": _one_line(row, "contact_reference"),
        "protocol_version": version,
        "risk_level": risk,
        "narrative": narrative,
        "immediate_actions": row.get("immediate_actions"),
        "harm_estimate": _choice(row, "harm_estimate"),
        "debrief_offered": _debrief(row),
        "status": status,
    }
    if status == IncidentStatus.CLOSED:
        fields["closed_at"] = closed or discovered
        fields["closure_note"] = f"Reviewed and closed before it was imported from {filename}."[:1000]
    return fields, organization_ids, organization_names


def parse_incidents_csv(*, workgroup: Workgroup, data: bytes, mapping: dict[str, str], filename: str = "the file",
                        on_progress: Callable[[int, int], None] | None = None) -> ParsedImport:
    """Check every row of an uploaded file and plan the incidents it would create; collects every problem."""
    parsed = ParsedImport(file_rejected=True)
    text, problem = (None, MSG_TOO_BIG) if len(data) > MAX_BYTES else csv_imports.decode(data)
    records, problem = csv_imports.read_records(text) if text is not None else ([], problem)
    del text
    if problem or not any(any(cell.strip() for cell in record) for record in records):
        parsed.errors.append((0, "", problem or MSG_EMPTY))
        return parsed
    parsed.columns, header_problems = _header(records[0])
    index: dict[str, int] = {}
    for key, column in mapping.items():
        if key not in FIELDS_BY_KEY or not column:
            continue
        if column in parsed.columns:
            index[key] = parsed.columns.index(column)
        else:
            header_problems.append(MSG_MAPPING_GONE.format(column=column, label=FIELDS_BY_KEY[key].label.lower()))
    header_problems += [MSG_REQUIRED_UNMAPPED.format(label=FIELDS_BY_KEY[key].label.lower()) for key in REQUIRED
                        if not mapping.get(key)]
    if header_problems:
        parsed.errors += [(1, "", message) for message in header_problems]
        return parsed
    parsed.file_rejected = False
    context = _context(workgroup)
    columns = {key: parsed.columns[i] for key, i in index.items()}
    width, total = len(parsed.columns), len(records) - 1
    seen: dict[tuple[str, datetime], int] = {}
    for number, record in enumerate(records[1:], start=2):
        if on_progress is not None and number % PROGRESS_EVERY_ROWS == 0:
            on_progress(number - 1, total)
        if not any(cell.strip() for cell in record):
            continue  # spreadsheets leave blank lines at the end
        parsed.row_count += 1
        row = _Row(parsed, number, record, index, columns)
        if len(record) > width and any(cell.strip() for cell in record[width:]):
            parsed.errors.append((number, "", f"This row has {len(record)} cells but the first row names {width} "
                                              "columns."))
            row.count += 1
        fields, organization_ids, organization_names = _row_fields(row, context, filename)
        if fields["cad_reference"] and fields["occurred_at"]:
            key = (fields["cad_reference"].casefold(), fields["occurred_at"])
            if key in context.existing:
                row.add("cad_reference", f"This incident is recorded already, as {context.existing[key]} (same CAD "
                                         "incident number and time).")
            elif (first := seen.setdefault(key, number)) != number:
                row.add("cad_reference", f"Row {first} has the same CAD incident number and time; an incident is "
                                         "imported once.")
        if not row.count:
            parsed.incidents.append(PlannedIncident(number, fields, organization_ids, organization_names))
    if parsed.row_count == 0:
        parsed.errors.append((0, "", MSG_NO_ROWS))
    return parsed


# --- Reads ---------------------------------------------------------------------------------------------


def incident_import_recent(*, membership: Membership | None) -> list[IncidentImport]:
    """The workgroup's imports still waiting for a decision, newest first (a few)."""
    queryset = IncidentImport.objects.restrict(membership, Action.REVIEW_INCIDENTS)
    return list(queryset.filter(status=ImportStatus.PENDING).select_related("uploaded_by")[:RECENT_IMPORTS])


def incident_import_jobs(*, incident_import: IncidentImport) -> tuple[Job | None, Job | None]:
    """The latest check job and the latest import job of this import (one query)."""
    return FLOW.jobs(incident_import)


def incident_import_state(*, incident_import: IncidentImport) -> ImportState:
    return FLOW.state(incident_import)


# --- Writes: upload, map, check, start, discard -------------------------------------------------------


@transaction.atomic
def incident_import_upload(*, actor: User, workgroup: Workgroup, file: UploadedFile) -> IncidentImport:
    """Store an uploaded CSV of past incidents and guess its column mapping; nothing runs until it is confirmed."""
    require(actor, workgroup, Action.REVIEW_INCIDENTS)
    if file.size > MAX_BYTES:
        raise ValidationError({"file": MSG_TOO_BIG})
    file.seek(0)
    start = check_file_start(file.read(HEAD_BYTES), whole_file=file.size <= HEAD_BYTES)
    if start.problems:
        raise ValidationError({"file": start.problems})
    file.seek(0)
    filename = xml_safe(PurePath(file.name or "incidents.csv").name).strip()[:255] or "incidents.csv"
    incident_import = IncidentImport(workgroup=workgroup, uploaded_by=actor, filename=filename, size=file.size,
                                     summary={"columns": start.columns, "samples": start.samples,
                                              "guessed": guess_mapping(start.columns)})
    incident_import.file.save(f"{slugify(PurePath(filename).stem) or 'incidents'}.csv", file, save=False)
    incident_import.save()
    return incident_import


def incident_import_map(*, actor: User, incident_import: IncidentImport, mapping: dict[str, str]) -> Job:
    """Save which column holds which field, and check the file with it in the background."""
    mapping = {key: column for key, column in mapping.items() if key in FIELDS_BY_KEY and column}
    return FLOW.map(actor=actor, record=incident_import, mapping=mapping, problems_of=_mapping_problems)


def _mapping_problems(incident_import: IncidentImport, mapping: dict[str, str]) -> dict[str, str]:
    return mapping_problems(mapping, (incident_import.summary or {}).get("columns", []))


def incident_import_check(*, actor: User, incident_import: IncidentImport) -> Job:
    """Check the stored file again (after a failed check, or when the partner map changed since)."""
    return FLOW.check(actor=actor, record=incident_import)


def incident_import_start(*, actor: User, incident_import: IncidentImport) -> Job:
    """Start the import job; only a file whose last check found no problem can be imported."""
    return FLOW.start(actor=actor, record=incident_import)


def incident_import_discard(*, actor: User, incident_import: IncidentImport) -> None:
    FLOW.discard(actor=actor, record=incident_import)


# --- The jobs ------------------------------------------------------------------------------------------


def _stem(incident_import: IncidentImport) -> str:
    return slugify(PurePath(incident_import.filename).stem) or "incidents"


def _local(when: datetime | None) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M") if when else ""


_LABELS = {"incident_class": dict(IncidentClass.choices), "category": dict(Category.choices),
           "status": dict(IncidentStatus.choices), "harm_estimate": dict(Harm.choices)}


def _preview_row(planned: PlannedIncident) -> dict[str, Any]:
    fields = planned.fields
    narrative = " ".join(fields["narrative"].split())
    version = fields["protocol_version"]
    return {
        "row": planned.row,
        "occurred": _local(fields["occurred_at"]),
        "category": _LABELS["category"][fields["category"]],
        "class": _LABELS["incident_class"][fields["incident_class"]],
        "organizations": "; ".join(planned.organization_names),
        "harm": _LABELS["harm_estimate"][fields["harm_estimate"]],
        "status": _LABELS["status"][fields["status"]],
        "protocol": f"{version.protocol.name} v{version.number}" if version else "",
        "narrative": narrative[:120] + ("…" if len(narrative) > 120 else ""),
    }


def summarise(parsed: ParsedImport, *, check_job_id: int | None) -> dict[str, Any]:
    """What the preview page shows: counts, the first rows and the first problems (all of it small)."""
    occurred = [planned.fields["occurred_at"] for planned in parsed.incidents]
    closed = sum(1 for planned in parsed.incidents if planned.fields["status"] == IncidentStatus.CLOSED)
    return {
        "check_job_id": check_job_id,
        "checked_at": timezone.now().isoformat(),
        "rows": parsed.row_count,
        "incidents": len(parsed.incidents),
        "closed": closed,
        "submitted": len(parsed.incidents) - closed,
        "with_protocol": sum(1 for planned in parsed.incidents if planned.fields["protocol_version"]),
        "first_occurred": _local(min(occurred)) if occurred else "",
        "last_occurred": _local(max(occurred)) if occurred else "",
        "file_rejected": parsed.file_rejected,
        "problem_count": len(parsed.errors),
        "problems": [list(problem) for problem in parsed.errors[:PREVIEW_PROBLEMS]],
        "preview": [_preview_row(planned) for planned in _in_order(parsed)[:PREVIEW_ROWS]],
    }


def _in_order(parsed: ParsedImport) -> list[PlannedIncident]:
    """References are given in the order the incidents happened (the file's order among equal times)."""
    return sorted(parsed.incidents, key=lambda planned: (planned.fields["occurred_at"], planned.row))


def run_incident_check(*, job: Job, set_progress: Callable[[int], None], output) -> str:
    """Parse the stored file with its mapping; the output is the CSV report of every problem."""
    incident_import = FLOW.record_of(job)
    FLOW.refuse_unless_pending(incident_import)
    data = FLOW.read(incident_import, max_bytes=MAX_BYTES)
    set_progress(5)
    parsed = parse_incidents_csv(workgroup=incident_import.workgroup, data=data, mapping=incident_import.mapping,
                                 filename=incident_import.filename, on_progress=scaled_progress(set_progress, 5, 90))
    del data
    write_csv(output, [REPORT_COLUMNS, *([row or "", column, message] for row, column, message in parsed.errors)])
    kept = {key: (incident_import.summary or {}).get(key) for key in ("columns", "samples", "guessed")}
    # A discard or an import that happened meanwhile wins: the summary is only kept on a pending import.
    IncidentImport.objects.filter(pk=incident_import.pk, status=ImportStatus.PENDING).update(
        summary={**kept, **summarise(parsed, check_job_id=job.pk)}, updated_at=timezone.now())
    return f"{_stem(incident_import)}-problems.csv"


def _take_references(workgroup: Workgroup, count: int) -> list[str]:
    """``count`` consecutive references of this year from the counter ``services`` uses, its row locked once."""
    year = timezone.localdate().year
    ReferenceCounter.objects.get_or_create(workgroup=workgroup, year=year)
    counter = ReferenceCounter.objects.select_for_update().get(workgroup=workgroup, year=year)
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return [f"INC-{year}-{number:04d}" for number in range(first, first + count)]


def _recheck_under_lock(workgroup: Workgroup, parsed: ParsedImport) -> None:
    """What may have changed since the parse: an organization deleted from the partner map."""
    used = {pk for planned in parsed.incidents for pk in planned.organization_ids}
    if used - set(organization_list(workgroup=workgroup).prefetch_related(None).filter(pk__in=used)
                  .values_list("pk", flat=True)):
        raise ValidationError(MSG_CONFLICT)


def _bulk_write(*, actor: User, workgroup: Workgroup, planned: list[PlannedIncident],
                set_progress: Callable[[int], None]) -> list[Incident]:
    references = _take_references(workgroup, len(planned))
    incidents = [Incident(workgroup=workgroup, reference=reference, submitted_via=SubmittedVia.IMPORT,
                          reported_by=None, **item.fields) for item, reference in zip(planned, references, strict=True)]
    when = timezone.now()
    progress = scaled_progress(set_progress, 45, 80)
    for start in range(0, len(incidents), BATCH_SIZE):
        bulk_create_with_history(incidents[start:start + BATCH_SIZE], Incident, batch_size=BATCH_SIZE,
                                 default_user=actor, default_date=when)
        progress(min(start + BATCH_SIZE, len(incidents)), len(incidents))
    through = Incident.organizations.through
    through.objects.bulk_create([through(incident_id=incident.pk, organization_id=organization_id)
                                 for item, incident in zip(planned, incidents, strict=True)
                                 for organization_id in item.organization_ids], batch_size=BATCH_SIZE * 5)
    set_progress(85)
    record_created_in_bulk(workgroup_id=workgroup.pk, actor=actor, objects=incidents)
    set_progress(95)
    return incidents


def incident_import_apply(*, actor: User, incident_import: IncidentImport,
                          set_progress: Callable[[int], None] = lambda p: None, receipt=None) -> int:
    """Parse the file again and create every incident it holds, all or nothing. Returns how many.

    ``receipt``: a binary file to write the list of what was created into (the import job's download).
    """
    workgroup = incident_import.workgroup
    require(actor, workgroup, Action.REVIEW_INCIDENTS)
    current = IncidentImport.objects.get(pk=incident_import.pk)
    FLOW.refuse_unless_pending(current)
    parsed = parse_incidents_csv(workgroup=workgroup, data=FLOW.read(current, max_bytes=MAX_BYTES),
                                 mapping=current.mapping, filename=current.filename,
                                 on_progress=scaled_progress(set_progress, 0, 40))
    if parsed.errors:
        row, _, message = parsed.errors[0]
        raise ValidationError(MSG_PROBLEMS_NOW.format(count=len(parsed.errors), row=row or 1, message=message,
                                                      plural="" if len(parsed.errors) == 1 else "s"))
    set_progress(40)
    planned = _in_order(parsed)
    with transaction.atomic():
        locked = FLOW.lock(incident_import)  # a second import job of the same file stops here
        _recheck_under_lock(workgroup, parsed)
        try:
            with transaction.atomic():
                incidents = _bulk_write(actor=actor, workgroup=workgroup, planned=planned, set_progress=set_progress)
        except IntegrityError:
            raise ValidationError(MSG_CONFLICT) from None
        if receipt is not None:
            write_csv(receipt, [("row", "reference", "happened", "category", "status"), *(
                (item.row, incident.reference, _local(incident.occurred_at), incident.get_category_display(),
                 incident.get_status_display()) for item, incident in zip(planned, incidents, strict=True))])
        FLOW.forget_details(locked)
        locked.status, locked.imported_at, locked.incidents_created = (ImportStatus.IMPORTED, timezone.now(),
                                                                       len(incidents))
        locked.save()
    return len(incidents)


def run_incident_import(*, job: Job, set_progress: Callable[[int], None], output) -> str:
    incident_import = FLOW.record_of(job)
    with progress_reporter(set_progress) as progress:
        incident_import_apply(actor=job.requested_by, incident_import=incident_import, set_progress=progress,
                              receipt=output)
    return f"{_stem(incident_import)}-imported.csv"


jobs.register(jobs.JobKind(kind=CHECK_JOB, label="Incident import: check", action=Action.REVIEW_INCIDENTS,
                           run=run_incident_check))
jobs.register(jobs.JobKind(kind=IMPORT_JOB, label="Incident import", action=Action.REVIEW_INCIDENTS,
                           run=run_incident_import))
