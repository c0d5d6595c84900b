"""The contact directory as CSV: export, and parse-and-validate (used by the import jobs).

Parsing is a pure function of the bytes and the workgroup's current data, so the check the
person previews and the import that follows run the same rules (``partners.imports`` runs both
in the background). Every cell passes through ``toolkit.text.normalise_text``. Lived-experience
flags are never exported or imported: they are sensitive and need consent noted one person at a time.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from partners.models import (
    Engagement,
    EngagementStatus,
    Organization,
    OrganizationType,
    Sector,
    TurnoverRisk,
    WorkgroupRole,
)
from partners.selectors import organization_list
from partners.validators import MSG_PHONE_INVALID, normalize_phone, phone_display
from toolkit import csv_imports
from toolkit.text import escape_cell, normalise_text, unescape_cell, xml_safe

if TYPE_CHECKING:
    from collections.abc import Callable

    from toolkit.models import Workgroup

ORGANIZATION_COLUMNS = (
    "organization", "sector", "type", "jurisdiction", "website", "engagement_status", "influence", "impact",
    "interest", "current_engagement", "desired_engagement", "rating_evidence", "last_reviewed", "notes",
)
CONTACT_COLUMNS = (
    "contact_name", "contact_title", "contact_email", "contact_phone", "contact_workgroup_role", "contact_primary",
    "contact_turnover_risk",
)
EXPORT_COLUMNS = ORGANIZATION_COLUMNS + CONTACT_COLUMNS

# 50,000 contacts with full details are about 15 MB; the cap leaves room and keeps one job's memory bounded.
MAX_MEGABYTES = 30
MAX_BYTES = MAX_MEGABYTES * 1024 * 1024
MSG_TOO_BIG = (
    f"The file is larger than {MAX_MEGABYTES} MB. Split it into smaller files and import them one after the other."
)
MSG_EMPTY = "The file is empty. Start from the exported directory: it has the right header row."
MSG_NAME_EXISTS = "An organization called “{name}” is already on the map; the import only adds new organizations."
MSG_SEMICOLONS = (
    "The columns seem to be separated by semicolons (;). Save the file as comma-separated CSV (UTF-8) and upload "
    "it again."
)
MSG_NO_ROWS = "The file has a header row but no organizations below it."
MSG_ONE_LINE = "Must fit on one line (this cell contains a line break)."

YES, NO = "yes", "no"
_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0", ""}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_validate_email = EmailValidator()
_validate_url = URLValidator()

# Column -> (model field, choices, default when blank); a None default means the cell is required.
CHOICE_COLUMNS: dict[str, tuple[str, Any, str | None]] = {
    "type": ("org_type", OrganizationType, None),
    "engagement_status": ("engagement_status", EngagementStatus, EngagementStatus.IDENTIFIED),
    "current_engagement": ("current_engagement", Engagement, Engagement.UNAWARE),
    "desired_engagement": ("desired_engagement", Engagement, Engagement.SUPPORTIVE),
    "contact_workgroup_role": ("workgroup_role", WorkgroupRole, WorkgroupRole.VOTING),
    "contact_turnover_risk": ("turnover_risk", TurnoverRisk, TurnoverRisk.LOW),
}
SCORE_DEFAULT = 3
TEXT_LIMIT = 200  # names, jurisdiction and title; notes and evidence are unlimited
MULTILINE_COLUMNS = frozenset({"notes", "rating_evidence"})
# Values and labels of each choice column, lower-cased, to the stored value (built once, not per cell).
_CHOICE_LOOKUP: dict[str, dict[str, str]] = {
    column: {key.lower(): value for value, label in choices.choices for key in (value, label)}
    for column, (_, choices, _) in CHOICE_COLUMNS.items()
}


# --- Export --------------------------------------------------------------------------------


def _organization_cells(org: Organization) -> list[str]:
    # xml_safe: rows written before the text normaliser existed may hold characters no spreadsheet should get.
    return [
        org.name, org.sector.name, org.org_type, org.jurisdiction, org.website, org.engagement_status,
        str(org.influence), str(org.impact), str(org.interest), org.current_engagement, org.desired_engagement,
        org.rating_evidence, org.last_reviewed.isoformat() if org.last_reviewed else "", org.notes,
    ]


def export_directory_csv(*, workgroup: Workgroup) -> str:
    """One row per contact; an organization without contacts gets one row with empty contact cells."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for org in organization_list(workgroup=workgroup):
        org_cells = _organization_cells(org)
        # Sorted here (not only in SQL) so rows come out in the same order after an import.
        contacts = sorted(org.contacts.all(), key=lambda c: (not c.is_primary, c.name, c.email, c.pk))
        # Phones as the pages show them: national for US numbers, so no cell starts with a formula-looking "+".
        for contact in contacts or [None]:
            contact_cells = [""] * len(CONTACT_COLUMNS) if contact is None else [
                contact.name, contact.title, contact.email, phone_display(contact.phone),
                contact.workgroup_role, YES if contact.is_primary else NO, contact.turnover_risk,
            ]
            writer.writerow([escape_cell(xml_safe(cell)) for cell in org_cells + contact_cells])
    return out.getvalue()


# --- Parse ---------------------------------------------------------------------------------


@dataclass
class PlannedOrganization:
    row: int
    fields: dict[str, Any]  # Organization field values (the sector is a Sector, or None for a new one)
    contacts: list[dict[str, Any]] = field(default_factory=list)  # Contact field values
    new_sector: str = ""  # a sector name the workgroup does not have yet; created as a custom sector


@dataclass
class ParsedImport:
    organizations: list[PlannedOrganization] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column or "", message)
    row_count: int = 0
    file_rejected: bool = False  # too big, not UTF-8 or wrong header: nothing could be read

    @property
    def contact_count(self) -> int:
        return sum(len(org.contacts) for org in self.organizations)

    @property
    def new_sectors(self) -> list[str]:
        """Sector names the import would add as the workgroup's own (custom) sectors, first spelling wins."""
        names: dict[str, str] = {}
        for org in self.organizations:
            if org.new_sector:
                names.setdefault(org.new_sector.casefold(), org.new_sector)
        return sorted(names.values(), key=str.casefold)


class _RowErrors:
    def __init__(self, parsed: ParsedImport, row: int):
        self.parsed, self.row, self.count = parsed, row, 0

    def add(self, column: str, message: str) -> None:
        self.parsed.errors.append((self.row, column, message))
        self.count += 1


def _cell(raw: str, column: str, errors: _RowErrors) -> str:
    """One cell through the text normaliser; a refused character is a row error naming the column."""
    value = raw.strip()
    if not value or value.isprintable():
        # Printable text holds none of the characters normalise_text changes or refuses (controls, line and
        # paragraph separators, surrogates, non-characters), so it would come back unchanged: skip the call.
        return unescape_cell(value)
    # A real line break in a one-line cell stays, so the row is told to fit it on one line; Word's
    # vertical tab and the like become spaces there, newlines in notes.
    multiline = column in MULTILINE_COLUMNS or "\n" in value or "\r" in value
    try:
        value = normalise_text(value, multiline=multiline).strip()
    except ValidationError as exc:
        errors.add(column, " ".join(exc.messages))
        value = xml_safe(value).strip()  # go on checking the row's other cells with what can be shown
    return unescape_cell(value)


def _choice(cells: dict[str, str], column: str, errors: _RowErrors) -> str | None:
    _, choices, default = CHOICE_COLUMNS[column]
    value = cells[column]
    if not value and default is not None:
        return default
    chosen = _CHOICE_LOOKUP[column].get(value.lower())
    if chosen is not None:
        return chosen
    allowed = ", ".join(choices.values)
    errors.add(column, f"“{value}” is not one of: {allowed}." if value else f"Required; one of: {allowed}.")
    return None


def _score(cells: dict[str, str], column: str, errors: _RowErrors) -> int | None:
    value = cells[column]
    if not value:
        return SCORE_DEFAULT
    if value.isascii() and value.isdigit() and 1 <= int(value) <= 5:
        return int(value)
    errors.add(column, f"“{value}” is not a whole number from 1 to 5.")
    return None


def _text(cells: dict[str, str], column: str, errors: _RowErrors, *, required: bool = False) -> str:
    value = cells[column]
    if required and not value:
        errors.add(column, "Required.")
    elif len(value) > TEXT_LIMIT:
        errors.add(column, f"Too long: at most {TEXT_LIMIT} characters (this has {len(value)}).")
    elif "\n" in value or "\r" in value:
        errors.add(column, MSG_ONE_LINE)
    return value


def _validated(cells: dict[str, str], column: str, errors: _RowErrors, check, message: str) -> Any:
    value = cells[column]
    if not value:
        return ""
    try:
        result = check(value)
    except (ValidationError, ValueError):
        errors.add(column, message.format(value=value))
        return None
    return value if result is None else result


def _parse_date(value: str) -> date:
    if not _ISO_DATE.fullmatch(value):
        raise ValueError(value)
    return date.fromisoformat(value)


# The usual way North American numbers are written; anything else goes through libphonenumber's parser.
_NANP = re.compile(r"(?:\+?1[ .-]?)?(?:\(([2-9]\d\d)\)|([2-9]\d\d))[ .-]?(\d{3})[ .-]?(\d{4})")


def normalise_phone_fast(value: str) -> str:
    """``validators.normalize_phone``, three times faster for the usual North American forms (same result).

    libphonenumber's parse and format cost ~75 µs a number, most of a 50,000-row file's check; for a
    number already split into area code, exchange and line only the validity check is needed.
    """
    match = _NANP.fullmatch(value)
    if match is None:
        return normalize_phone(value)
    area, exchange, line = match[1] or match[2], match[3], match[4]
    if not phonenumbers.is_valid_number(phonenumbers.PhoneNumber(country_code=1, national_number=int(
            area + exchange + line))):
        raise ValidationError(MSG_PHONE_INVALID.format(value=value), code="invalid_phone")
    return f"+1 {area}-{exchange}-{line}"


class _PhoneCache(dict):
    """Switchboard numbers repeat on many rows: each distinct value is checked once per file."""

    def normalise(self, value: str) -> str:
        if value not in self:
            try:
                self[value] = normalise_phone_fast(value)
            except ValidationError as exc:
                self[value] = exc
        result = self[value]
        if isinstance(result, ValidationError):
            raise result
        return result


def _organization_fields(cells: dict[str, str], sectors: dict[str, Sector], errors: _RowErrors) -> dict[str, Any]:
    sector = sectors.get(cells["sector"].casefold())
    if sector is None and not cells["sector"]:
        errors.add("sector", "Required: the name of one of the workgroup's sectors.")
    elif sector is None:
        _text(cells, "sector", errors)  # a sector the workgroup does not have yet: added as a custom sector
    fields = {
        "name": _text(cells, "organization", errors, required=True),
        "sector": sector,
        "jurisdiction": _text(cells, "jurisdiction", errors),
        "website": _validated(cells, "website", errors, _validate_url, "“{value}” is not a web address (https://…)."),
        "rating_evidence": cells["rating_evidence"],
        "notes": cells["notes"],
        "last_reviewed": _validated(cells, "last_reviewed", errors, _parse_date,
                                    "“{value}” is not a date written as YYYY-MM-DD.") or None,
    }
    if len(fields["website"] or "") > 200:
        errors.add("website", "Too long: at most 200 characters.")
    for column in ("type", "engagement_status", "current_engagement", "desired_engagement"):
        fields[CHOICE_COLUMNS[column][0]] = _choice(cells, column, errors)
    for column in ("influence", "impact", "interest"):
        fields[column] = _score(cells, column, errors)
    return fields


def _contact_fields(cells: dict[str, str], errors: _RowErrors, phones: _PhoneCache) -> dict[str, Any] | None:
    if not any(cells[column] for column in CONTACT_COLUMNS):
        return None
    primary = cells["contact_primary"].lower()
    if primary not in _TRUE | _FALSE:
        errors.add("contact_primary", f"“{cells['contact_primary']}” should be yes or no.")
    email = _validated(cells, "contact_email", errors, _validate_email, "“{value}” is not a valid e-mail address.")
    if email and len(email) > 254:
        errors.add("contact_email", "Too long: at most 254 characters.")
    if not cells["contact_name"]:
        errors.add("contact_name", "A contact needs a name (leave all contact cells empty for none).")
    return {
        "name": _text(cells, "contact_name", errors),
        "title": _text(cells, "contact_title", errors),
        "email": email,
        "phone": _validated(cells, "contact_phone", errors, phones.normalise,
                            "“{value}” is not a valid phone number; include the area code."),
        "workgroup_role": _choice(cells, "contact_workgroup_role", errors),
        "is_primary": primary in _TRUE,
        "turnover_risk": _choice(cells, "contact_turnover_risk", errors),
    }


def _decode(data: bytes, parsed: ParsedImport) -> str | None:
    """Bytes to text, or None with a file-level error (the checks every CSV import shares, then the size)."""
    if len(data) > MAX_BYTES:
        parsed.errors.append((0, "", MSG_TOO_BIG))
        return None
    text, problem = csv_imports.decode(data)
    if text is None:
        parsed.errors.append((0, "", problem))
    return text


def _records(text: str, parsed: ParsedImport) -> list[list[str]] | None:
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        parsed.errors.append((0, "", f"The file could not be read as CSV: {exc}."))
        return None


def _header(records: list[list[str]] | None, parsed: ParsedImport) -> list[str] | None:
    """The column names, or None with file-level errors (empty file, wrong or repeated columns)."""
    if records is not None and not any(any(cell.strip() for cell in r) for r in records):
        parsed.errors.append((0, "", MSG_EMPTY))
        return None
    if records is None:
        return None
    names = [name.strip().lower() for name in records[0]]
    while names and not names[-1]:
        names.pop()  # spreadsheets sometimes save empty columns after the last one
    if len(names) == 1 and names[0].count(";") >= 2:
        parsed.errors.append((1, "", MSG_SEMICOLONS))
        return None
    missing = [c for c in EXPORT_COLUMNS if c not in names]
    unknown = [name or "(blank)" for name in names if name not in EXPORT_COLUMNS]
    repeated = sorted({name for name in names if name in EXPORT_COLUMNS and names.count(name) > 1})
    if missing:
        parsed.errors.append((1, "", "Missing columns: " + ", ".join(missing) + "."))
    if unknown:
        parsed.errors.append((1, "", "Unknown columns: " + ", ".join(unknown) + "."))
    if repeated:
        parsed.errors.append((1, "", "Columns given twice: " + ", ".join(repeated) + "."))
    return None if missing or unknown or repeated else names


HEAD_BYTES = 64 * 1024


def check_file_start(head: bytes, *, whole_file: bool) -> list[tuple[int, str, str]]:
    """File-level problems (encoding, separators, header, no rows) seen in the first bytes, for an answer at upload.

    ``head`` is the file, or its first ``HEAD_BYTES`` when ``whole_file`` is false: then only the header
    line is judged, and the background check reads everything again.
    """
    parsed = ParsedImport()
    if not whole_file:
        end = head.find(b"\n")
        if end < 0:
            return []  # a header line longer than HEAD_BYTES: left to the background check
        head = head[: end + 1]
    text = _decode(head, parsed)
    records = _records(text, parsed) if text is not None else None
    if _header(records, parsed) is not None and whole_file and not any(
        any(cell.strip() for cell in record) for record in records[1:]
    ):
        parsed.errors.append((0, "", MSG_NO_ROWS))
    return parsed.errors


def parse_directory_csv(
    *, workgroup: Workgroup, data: bytes, on_progress: Callable[[int, int], None] | None = None
) -> ParsedImport:
    """Validate every cell of an uploaded directory and plan what would be created; collects all errors.

    ``on_progress(rows_done, rows_total)`` is called every few thousand rows (for the job's progress bar).
    """
    parsed = ParsedImport()
    text = _decode(data, parsed)
    records = _records(text, parsed) if text is not None else None
    del text
    columns = _header(records, parsed)
    if columns is None:
        parsed.file_rejected = True
        return parsed
    sectors = {s.name.casefold(): s for s in Sector.objects.filter(workgroup=workgroup)}
    existing = {n.casefold() for n in Organization.objects.filter(workgroup=workgroup).values_list("name", flat=True)}
    seen: dict[str, tuple[int, dict[str, str], PlannedOrganization | None]] = {}
    emails: dict[tuple[str, str], int] = {}
    primaries: dict[str, int] = {}
    phones = _PhoneCache()
    width, total = len(columns), len(records) - 1
    for row, record in enumerate(records[1:], start=2):
        if on_progress is not None and row % PROGRESS_EVERY_ROWS == 0:
            on_progress(row - 1, total)
        if not any(cell.strip() for cell in record):
            continue  # spreadsheets leave blank lines at the end
        parsed.row_count += 1
        errors = _RowErrors(parsed, row)
        if len(record) > width and any(cell.strip() for cell in record[width:]):
            errors.add("", f"This row has {len(record)} cells but the header has {width}.")
        cells = {c: _cell(v, c, errors) for c, v in zip(columns, record + [""] * width, strict=False)}
        key = cells["organization"].casefold()
        if not key:
            errors.add("organization", "Required: every row names its organization.")
            continue
        org_cells = {c: cells[c] for c in ORGANIZATION_COLUMNS}
        if key in seen:
            first_row, first_cells, planned = seen[key]
            differing = [c for c in ORGANIZATION_COLUMNS if org_cells[c] != first_cells[c]]
            if differing:
                errors.add(differing[0], f"“{cells['organization']}” differs from row {first_row} in "
                                         f"{', '.join(differing)}; repeat the organization's details exactly "
                                         "on each of its rows.")
        else:
            fields = _organization_fields(cells, sectors, errors)
            if key in existing:
                errors.add("organization", MSG_NAME_EXISTS.format(name=cells["organization"]))
            planned = PlannedOrganization(
                row=row, fields=fields, new_sector=cells["sector"] if fields["sector"] is None else ""
            ) if not errors.count else None
            seen[key] = (row, org_cells, planned)
            if planned is not None:
                parsed.organizations.append(planned)
        contact = _contact_fields(cells, errors, phones)
        if contact is None:
            continue
        if contact["email"] and (email_row := emails.setdefault((key, contact["email"].lower()), row)) != row:
            errors.add("contact_email", f"{contact['email']} is already a contact of this organization on row "
                                        f"{email_row}.")
        if contact["is_primary"] and (primary_row := primaries.setdefault(key, row)) != row:
            errors.add("contact_primary", f"Row {primary_row} already names the primary contact of this "
                                          "organization; there can be only one.")
        if planned is not None and not errors.count:
            planned.contacts.append(contact)
    if parsed.row_count == 0:
        parsed.errors.append((0, "", MSG_NO_ROWS))
    return parsed


PROGRESS_EVERY_ROWS = 2000
