"""The contact directory as CSV: export, parse-and-validate (the preview), and the import service.

Parsing is a pure function of the bytes and the workgroup's current data, so the preview and
the confirmation run the same checks. Lived-experience flags are never exported or imported:
they are sensitive and need consent noted one person at a time.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import timezone

from partners import services
from partners.models import (
    DirectoryImport,
    Engagement,
    EngagementStatus,
    ImportStatus,
    Organization,
    OrganizationType,
    Sector,
    TurnoverRisk,
    WorkgroupRole,
)
from partners.selectors import organization_list
from partners.validators import normalize_phone, phone_for_spreadsheet
from toolkit.permissions import Action, require

if TYPE_CHECKING:
    from toolkit.models import User, Workgroup

ORGANIZATION_COLUMNS = (
    "organization", "sector", "type", "jurisdiction", "website", "engagement_status", "influence", "impact",
    "interest", "current_engagement", "desired_engagement", "rating_evidence", "last_reviewed", "notes",
)
CONTACT_COLUMNS = (
    "contact_name", "contact_title", "contact_email", "contact_phone", "contact_workgroup_role", "contact_primary",
    "contact_turnover_risk",
)
EXPORT_COLUMNS = ORGANIZATION_COLUMNS + CONTACT_COLUMNS

MAX_BYTES = 2 * 1024 * 1024
MSG_TOO_BIG = "The file is larger than 2 MB. Split it into smaller files and import them one after the other."
MSG_NOT_UTF8 = (
    "The file is not UTF-8 text ({detail}). In Excel choose File › Save As › “CSV UTF-8 (Comma delimited)”; "
    "in LibreOffice or Google Sheets export as CSV with the UTF-8 character set."
)
MSG_EMPTY = "The file is empty. Start from the exported directory: it has the right header row."
MSG_HAS_ERRORS = "The file has errors; nothing was imported. Fix the file and upload it again."
MSG_NAME_EXISTS = "An organization called “{name}” is already on the map; the import only adds new organizations."
MSG_NOT_PENDING = "This import was already {status}; it cannot be imported again."
MSG_NUL = "The file contains NUL characters, so it is probably not a CSV text file. Export it again as CSV UTF-8."
MSG_SEMICOLONS = (
    "The columns seem to be separated by semicolons (;). Save the file as comma-separated CSV (UTF-8) and upload "
    "it again."
)
MSG_NO_ROWS = "The file has a header row but no organizations below it."
MAX_ROWS = 500
MSG_TOO_MANY_ROWS = (
    "The file has {rows} rows; an import takes at most " + str(MAX_ROWS) + ". Split it into smaller files and "
    "import them one after the other."
)

# Cells a spreadsheet would run as a formula get a leading apostrophe on export (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
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


# --- Cells ---------------------------------------------------------------------------------


def _needs_escape(value: str) -> bool:
    # A value that already starts with the escape apostrophe is escaped again, so the round trip is exact.
    return value[:1] in FORMULA_TRIGGERS or (value[:1] == "'" and _needs_escape(value[1:]))


def escape_cell(value: str) -> str:
    return "'" + value if _needs_escape(value) else value


def unescape_cell(value: str) -> str:
    return value[1:] if value[:1] == "'" and _needs_escape(value[1:]) else value


# --- Export --------------------------------------------------------------------------------


def _organization_cells(org: Organization) -> list[str]:
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
        for contact in contacts or [None]:
            contact_cells = [""] * len(CONTACT_COLUMNS) if contact is None else [
                contact.name, contact.title, contact.email, phone_for_spreadsheet(contact.phone),
                contact.workgroup_role, YES if contact.is_primary else NO, contact.turnover_risk,
            ]
            writer.writerow([escape_cell(cell) for cell in org_cells + contact_cells])
    return out.getvalue()


# --- Parse ---------------------------------------------------------------------------------


@dataclass
class PlannedOrganization:
    row: int
    fields: dict[str, Any]  # keyword arguments for services.organization_create
    contacts: list[dict[str, Any]] = field(default_factory=list)  # keyword arguments for contact_create
    new_sector: str = ""  # a sector name the workgroup does not have yet; created as a custom sector


@dataclass
class ParsedImport:
    organizations: list[PlannedOrganization] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column or "", message)
    row_count: int = 0
    file_rejected: bool = False  # too big, not UTF-8 or wrong header: nothing could be read
    text: str = field(default="", repr=False)

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


def _choice(cells: dict[str, str], column: str, errors: _RowErrors) -> str | None:
    _, choices, default = CHOICE_COLUMNS[column]
    value = cells[column]
    if not value and default is not None:
        return default
    for choice_value, label in choices.choices:
        if value.lower() in (choice_value.lower(), label.lower()):
            return choice_value
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
        errors.add(column, "Must fit on one line (this cell contains a line break).")
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


def _contact_fields(cells: dict[str, str], errors: _RowErrors) -> dict[str, Any] | None:
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
        "phone": _validated(cells, "contact_phone", errors, normalize_phone,
                            "“{value}” is not a valid phone number; include the area code."),
        "workgroup_role": _choice(cells, "contact_workgroup_role", errors),
        "is_primary": primary in _TRUE,
        "turnover_risk": _choice(cells, "contact_turnover_risk", errors),
    }


def _decode(data: bytes, parsed: ParsedImport) -> list[list[str]] | None:
    """Bytes to CSV records, or None with a file-level error."""
    if len(data) > MAX_BYTES:
        parsed.errors.append((0, "", MSG_TOO_BIG))
        return None
    try:
        parsed.text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        detail = f"byte 0x{data[exc.start]:02x} at position {exc.start} is not valid UTF-8"
        parsed.errors.append((0, "", MSG_NOT_UTF8.format(detail=detail)))
        return None
    if "\x00" in parsed.text:
        parsed.errors.append((0, "", MSG_NUL))
        return None
    try:
        return list(csv.reader(io.StringIO(parsed.text, newline="")))
    except csv.Error as exc:
        parsed.errors.append((0, "", f"The file could not be read as CSV: {exc}."))
        return None


def _check_header(names: list[str], parsed: ParsedImport) -> bool:
    if len(names) == 1 and names[0].count(";") >= 2:
        parsed.errors.append((1, "", MSG_SEMICOLONS))
        return False
    missing = [c for c in EXPORT_COLUMNS if c not in names]
    unknown = [name or "(blank)" for name in names if name not in EXPORT_COLUMNS]
    repeated = sorted({name for name in names if name in EXPORT_COLUMNS and names.count(name) > 1})
    if missing:
        parsed.errors.append((1, "", "Missing columns: " + ", ".join(missing) + "."))
    if unknown:
        parsed.errors.append((1, "", "Unknown columns: " + ", ".join(unknown) + "."))
    if repeated:
        parsed.errors.append((1, "", "Columns given twice: " + ", ".join(repeated) + "."))
    return not (missing or unknown or repeated)


def parse_directory_csv(*, workgroup: Workgroup, data: bytes) -> ParsedImport:
    """Validate every cell of an uploaded directory and plan what would be created; collects all errors."""
    parsed = ParsedImport()
    records = _decode(data, parsed)
    if records is not None and not any(any(cell.strip() for cell in r) for r in records):
        parsed.errors.append((0, "", MSG_EMPTY))
        records = None
    header = [name.strip().lower() for name in records[0]] if records else []
    while header and not header[-1]:
        header.pop()  # spreadsheets sometimes save empty columns after the last one
    if records is None or not _check_header(header, parsed):
        parsed.file_rejected = True
        return parsed
    columns = header
    sectors = {s.name.casefold(): s for s in Sector.objects.filter(workgroup=workgroup)}
    existing = {n.casefold() for n in Organization.objects.filter(workgroup=workgroup).values_list("name", flat=True)}
    seen: dict[str, tuple[int, dict[str, str], PlannedOrganization | None]] = {}
    emails: dict[tuple[str, str], int] = {}
    primaries: dict[str, int] = {}
    for row, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # spreadsheets leave blank lines at the end
        parsed.row_count += 1
        errors = _RowErrors(parsed, row)
        if len(record) > len(columns) and any(cell.strip() for cell in record[len(columns):]):
            errors.add("", f"This row has {len(record)} cells but the header has {len(columns)}.")
        cells = {c: unescape_cell(v.strip()) for c, v in zip(columns, record + [""] * len(columns), strict=False)}
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
            if key and key in existing:
                errors.add("organization", MSG_NAME_EXISTS.format(name=cells["organization"]))
            planned = PlannedOrganization(
                row=row, fields=fields, new_sector=cells["sector"] if fields["sector"] is None else ""
            ) if not errors.count else None
            seen[key] = (row, org_cells, planned)
            if planned is not None:
                parsed.organizations.append(planned)
        contact = _contact_fields(cells, errors)
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
    elif parsed.row_count > MAX_ROWS:
        # Checked after reading so the person also sees the row errors; every row is one transaction's work.
        parsed.errors.insert(0, (0, "", MSG_TOO_MANY_ROWS.format(rows=parsed.row_count)))
    return parsed


# --- Import --------------------------------------------------------------------------------


@transaction.atomic
def import_directory(*, actor: User, workgroup: Workgroup, parsed: ParsedImport) -> tuple[int, int]:
    """Create the planned organizations and contacts, all or nothing. Returns (organizations, contacts)."""
    require(actor, workgroup, Action.EDIT_PARTNERS)
    if parsed.errors or parsed.file_rejected:
        raise ValidationError(MSG_HAS_ERRORS)
    # One import at a time per workgroup, and no organization added meanwhile under the same name.
    type(workgroup).objects.select_for_update().filter(pk=workgroup.pk).first()
    planned = {org.fields["name"].casefold() for org in parsed.organizations}
    existing = Organization.objects.filter(workgroup=workgroup).values_list("name", flat=True)
    taken = sorted(name for name in existing if name.casefold() in planned)
    if taken:
        raise ValidationError([MSG_NAME_EXISTS.format(name=name) for name in taken])
    sectors = {s.name.casefold(): s for s in Sector.objects.filter(workgroup=workgroup)}
    for name in parsed.new_sectors:
        if name.casefold() not in sectors:
            sectors[name.casefold()] = services.sector_create(actor=actor, workgroup=workgroup, name=name)
    contacts = 0
    for planned in parsed.organizations:
        fields = dict(planned.fields)
        if planned.new_sector:
            fields["sector"] = sectors[planned.new_sector.casefold()]
        organization = services.organization_create(actor=actor, workgroup=workgroup, **fields)
        for contact in planned.contacts:
            services.contact_create(actor=actor, organization=organization, **contact)
            contacts += 1
    return len(parsed.organizations), contacts


@transaction.atomic
def directory_import_create(
    *, actor: User, workgroup: Workgroup, filename: str, parsed: ParsedImport
) -> DirectoryImport:
    """Keep an uploaded file (already decoded) until the person confirms or discards it."""
    require(actor, workgroup, Action.EDIT_PARTNERS)
    if parsed.file_rejected:
        raise ValidationError(MSG_HAS_ERRORS)
    return DirectoryImport.objects.create(
        workgroup=workgroup, uploaded_by=actor, filename=filename[:255], content=parsed.text
    )


def directory_import_parse(*, directory_import: DirectoryImport) -> ParsedImport:
    """Check a stored file again against the workgroup's data as it is now."""
    return parse_directory_csv(workgroup=directory_import.workgroup, data=directory_import.content.encode("utf-8"))


@transaction.atomic
def directory_import_confirm(*, actor: User, directory_import: DirectoryImport) -> tuple[int, int]:
    require(actor, directory_import.workgroup, Action.EDIT_PARTNERS)
    locked = DirectoryImport.objects.select_for_update().get(pk=directory_import.pk)  # a double click imports once
    if locked.status != ImportStatus.PENDING:
        raise ValidationError(MSG_NOT_PENDING.format(status=locked.get_status_display().lower()))
    counts = import_directory(actor=actor, workgroup=locked.workgroup, parsed=directory_import_parse(
        directory_import=locked))
    locked.status, locked.imported_at = ImportStatus.IMPORTED, timezone.now()
    locked.organizations_created, locked.contacts_created = counts
    locked.content = ""  # the people's details now live in the directory; do not keep a second copy
    locked.save()
    return counts


@transaction.atomic
def directory_import_discard(*, actor: User, directory_import: DirectoryImport) -> None:
    require(actor, directory_import.workgroup, Action.EDIT_PARTNERS)
    locked = DirectoryImport.objects.select_for_update().get(pk=directory_import.pk)
    if locked.status != ImportStatus.PENDING:
        raise ValidationError(MSG_NOT_PENDING.format(status=locked.get_status_display().lower()))
    locked.status, locked.content = ImportStatus.DISCARDED, ""  # discarding drops the people's details too
    locked.save(update_fields=["status", "content", "updated_at"])
