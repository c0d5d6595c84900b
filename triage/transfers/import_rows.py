"""Reading a partner's CSV export of transfers: the fields, the codes and their synonyms, one pass over the rows.

``triage.transfers.imports`` runs this in its check and import jobs. Everything a row is checked against
(organizations, the call ids this partner's rows already have, the routing facts, risk levels) is read once
per parse, never per row: a year of a county's transfers is ~100,000 rows.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone

from partners.models import Organization
from toolkit import csv_imports
from toolkit.bulk import instance_maker
from toolkit.csv_imports import parse_when
from toolkit.text import normalise_text, unescape_cell, xml_safe
from triage.models import (
    Consent,
    Direction,
    FollowUpOutcome,
    RiskLevel,
    Transfer,
    TransferKind,
    TransferResult,
    TransferSource,
)
from triage.transfers.services import fill_reason, routing_facts

if TYPE_CHECKING:
    from toolkit.models import User, Workgroup
    from triage.models import TransferImport

MAX_MEGABYTES = 40
MAX_BYTES = MAX_MEGABYTES * 1024 * 1024
CALL_ID_LIMIT = 60
PROGRESS_EVERY_ROWS = 5000
CLOCK_TOLERANCE = timedelta(minutes=5)

MSG_TOO_BIG = (f"The file is larger than {MAX_MEGABYTES} MB. Export a shorter period (a quarter instead of a "
               "year, for example) and import the files one by one.")
MSG_EMPTY = "The file is empty. The first row names the columns; each row below it is one transfer."
MSG_NO_ROWS = "The file has a row of column names but no transfers below it."
MSG_FEW_COLUMNS = ("The first row names {count} column{plural}; a transfer needs at least six: the call id, the "
                   "direction, who sent it, who received it, when it was initiated and how it ended.")
MSG_MAPPING_GONE = "The column “{column}” chosen for {label} is not in the file; choose the columns again."
MSG_REQUIRED_UNMAPPED = "No column is chosen for {label}; choose the columns again."
MSG_WHEN = "“{value}” is not a date and time: write 2025-03-14 15:30 (ISO 8601) or 03/14/2025 3:30 PM."
MSG_NO_SUCH_TIME = ("“{value}” does not exist in {zone}: the clocks skipped that hour (daylight saving time began). "
                    "Check the time, or write it with its UTC offset.")


@dataclass(frozen=True)
class ImportField:
    key: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = ()  # header names that usually mean this field (compared without case/punctuation)
    help: str = ""


FIELDS: tuple[ImportField, ...] = (
    ImportField("partner_call_id", "Partner's call id", True,
                ("call id", "call number", "incident", "incident no", "cad number", "cad incident number",
                 "incident number", "event number",
                 "contact id", "case number", "call", "id"),
                "The CAD incident number or crisis-line contact id in the partner's system; a transfer is "
                "imported once per call id."),
    ImportField("direction", "Direction", True, ("transfer direction", "transfer type", "type"),
                "911 → 988, 988 → 911, 988 → mobile crisis, 911 → mobile crisis, 911 → co-response or other."),
    ImportField("sending_organization", "Sending organization", True,
                ("sender", "from", "from agency", "sending agency", "transferred from", "origin"),
                "A name on this workgroup's partner map."),
    ImportField("receiving_organization", "Receiving organization", True,
                ("receiver", "to", "to agency", "receiving agency", "transferred to", "destination"),
                "A name on this workgroup's partner map."),
    ImportField("call_received_at", "Call received", False,
                ("received", "received at", "call received at", "call start", "call time"), "A date and time."),
    ImportField("initiated_at", "Transfer initiated", True,
                ("initiated", "initiated at", "transfer time", "transferred at", "transfer initiated at",
                 "transfer start"), "A date and time."),
    ImportField("accepted_at", "Accepted by the receiver", False,
                ("accepted", "accepted at", "answered", "answered at", "transfer accepted"),
                "A date and time, not before the transfer was initiated."),
    ImportField("ended_at", "Call ended", False, ("ended", "ended at", "call end", "closed at", "end time"),
                "A date and time."),
    ImportField("kind", "Warm or cold", False, ("warm cold", "warm or cold", "transfer kind", "kind", "handoff"),
                "warm or cold; empty means warm."),
    ImportField("consent", "Caller consent", False, ("consent", "caller consented"),
                "agreed, declined, not asked or not required (imminent risk); may be empty."),
    ImportField("result", "Result", True, ("transfer result", "outcome", "disposition", "status"),
                "accepted, refused, dropped, caller disconnected or returned."),
    ImportField("risk_level", "Risk level", False, ("risk", "risk level name", "triage risk level"),
                "A risk level name of the protocol version in force then."),
    ImportField("follow_up_done_at", "Follow-up done", False, ("follow up done", "follow up date", "followed up"),
                "A date and time."),
    ImportField("follow_up_outcome", "Follow-up outcome", False, ("follow up outcome", "follow up result"),
                "reached: safe, reached: help arranged, declined or not reached."),
)
FIELDS_BY_KEY = {spec.key: spec for spec in FIELDS}
REQUIRED = tuple(spec.key for spec in FIELDS if spec.required)
TIMES = ("call_received_at", "initiated_at", "accepted_at", "ended_at", "follow_up_done_at")


def _name_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.casefold()).strip()


def guess_mapping(columns: list[str]) -> dict[str, str]:
    """Which column probably holds which field, from the header's names (each column used once)."""
    keys = {column: _name_key(column) for column in columns}
    mapping: dict[str, str] = {}
    for spec in FIELDS:
        names = {_name_key(spec.key), _name_key(spec.label), *(_name_key(alias) for alias in spec.aliases)}
        found = next((c for c in columns if c not in mapping.values() and keys[c] in names), None)
        if found:
            mapping[spec.key] = found
    return mapping


# --- Codes: our value, our label, or a common synonym, in any case --------------------------------------


def code_key(value: str) -> str:
    value = value.casefold().replace("→", " to ").replace("->", " to ").replace(">", " to ")
    return re.sub(r"[^a-z0-9]+", "_", value).strip("_")


SYNONYMS: dict[str, dict[str, str]] = {
    "direction": {"911 to 988": "911_to_988", "psap to 988": "911_to_988", "988 to 911": "988_to_911",
                  "988 to psap": "988_to_911", "988 to mobile crisis": "988_to_mobile", "988 to mct": "988_to_mobile",
                  "911 to mobile crisis": "911_to_mobile", "911 to mct": "911_to_mobile",
                  "911 to co responder": "911_to_co_response", "co response": "911_to_co_response"},
    "kind": {"warm transfer": "warm", "conference": "warm", "conferenced": "warm", "attended": "warm", "w": "warm",
             "cold transfer": "cold", "blind": "cold", "unattended": "cold", "c": "cold"},
    "consent": {"yes": "agreed", "y": "agreed", "agreed": "agreed", "no": "declined", "n": "declined",
                "refused": "declined", "not asked": "not_asked", "imminent risk": "not_required",
                "exigent": "not_required"},
    "result": {"completed": "accepted", "connected": "accepted", "answered": "accepted", "success": "accepted",
               "rejected": "refused", "declined": "refused", "failed": "dropped", "no answer": "dropped",
               "abandoned": "caller_disconnected", "disconnected": "caller_disconnected",
               "hung up": "caller_disconnected", "caller hung up": "caller_disconnected",
               "transferred back": "returned", "sent back": "returned"},
    "follow_up_outcome": {"safe": "reached_safe", "help arranged": "reached_help", "referred": "reached_help",
                          "unreachable": "not_reached", "no contact": "not_reached"},
}
_CHOICES = {"direction": Direction, "kind": TransferKind, "consent": Consent, "result": TransferResult,
            "follow_up_outcome": FollowUpOutcome}


def _lookup(key: str) -> dict[str, str]:
    choices = _CHOICES[key]
    found = {code_key(text): value for value, label in choices.choices for text in (value, label)}
    found.update({code_key(text): value for text, value in SYNONYMS.get(key, {}).items()})
    return found


LOOKUPS = {key: _lookup(key) for key in _CHOICES}


@functools.lru_cache(maxsize=1024)
def _code(key: str, value: str) -> str | None:
    """Our code for a cell's value (an export repeats a handful of values 100,000 times)."""
    return LOOKUPS[key].get(code_key(value))
ALLOWED = {key: ", ".join(str(label) for label in choices.labels) for key, choices in _CHOICES.items()}


def synonyms_table() -> list[tuple[str, str, list[str]]]:
    """(field label, our value's label, the synonyms accepted for it): what the mapping page documents."""
    rows = []
    for key, choices in _CHOICES.items():
        for value, label in choices.choices:
            words = [text for text, target in SYNONYMS.get(key, {}).items() if target == value]
            rows.append((FIELDS_BY_KEY[key].label, f"{label} ({value})", words))
    return rows


# --- Reading the file ----------------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str | None, str]:
    return csv_imports.decode(data)


def records(text: str) -> tuple[list[list[str]], str]:
    return csv_imports.read_records(text, skip_blank=True)


def header(record: list[str]) -> tuple[list[str], list[str]]:
    """The column names of the first row, and the problems of that row."""
    return csv_imports.header(record, min_columns=len(REQUIRED), too_few=MSG_FEW_COLUMNS)


# --- Parsing every row -----------------------------------------------------------------------------------


@dataclass
class ParsedTransfers:
    transfers: list[tuple[int, Transfer]] = field(default_factory=list)  # (row number, unsaved transfer)
    organization_names: dict[int, str] = field(default_factory=dict)  # what the preview shows for the ids
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column or "", message)
    already_recorded: int = 0
    row_count: int = 0
    file_rejected: bool = False


@dataclass
class _Context:
    organizations: dict[str, list[int]]  # casefolded name -> ids of the organizations of that name
    recorded: set[str]  # this partner's call ids already recorded
    risk_levels: dict[int, dict[str, RiskLevel]]  # version id -> {casefolded name or key: level}
    zone: ZoneInfo
    now: datetime


def _context(workgroup: Workgroup, partner_id: int, facts, names: dict[int, str]) -> _Context:
    """What rows are checked against, read once; ``names`` is filled in with each organization's name by id."""
    organizations: dict[str, list[int]] = {}
    for pk, name in Organization.objects.filter(workgroup=workgroup).values_list("pk", "name"):
        organizations.setdefault(name.casefold(), []).append(pk)
        names[pk] = name
    recorded = set(Transfer.objects.filter(workgroup=workgroup, source_organization_id=partner_id)
                   .exclude(partner_call_id="").values_list("partner_call_id", flat=True))
    levels: dict[int, dict[str, RiskLevel]] = {}
    version_ids = {version.pk for _, _, version in facts.periods}
    for level in RiskLevel.objects.filter(version_id__in=version_ids):
        found = levels.setdefault(level.version_id, {})
        found.setdefault(level.key.casefold(), level)
        found[level.name.casefold()] = level
    return _Context(organizations, recorded, levels, timezone.get_current_timezone(), timezone.now())


class _Row:
    def __init__(self, parsed: ParsedTransfers, number: int, record: list[str], index: dict[str, int],
                 columns: dict[str, str]):
        self.parsed, self.number, self.columns, self.count = parsed, number, columns, 0
        self.cells = {}
        width = len(record)
        for key, i in index.items():
            value = record[i].strip() if i < width else ""
            if value and (value[0] == "'" or not value.isprintable()):  # rare: only then the slower checks
                value = self._cell(value, key)
            self.cells[key] = value

    def add(self, key: str, message: str) -> None:
        self.parsed.errors.append((self.number, self.columns.get(key, ""), message))
        self.count += 1

    def _cell(self, value: str, key: str) -> str:
        if not value.isprintable():
            try:
                value = normalise_text(value, multiline=False).strip()
            except ValidationError as exc:
                self.add(key, " ".join(exc.messages))
                value = xml_safe(value).strip()
        return unescape_cell(value)

    def get(self, key: str) -> str:
        return self.cells.get(key, "")


def _choice(row: _Row, key: str, default: str | None = None) -> str | None:
    value = row.get(key)
    if not value:
        if default is None:
            row.add(key, f"Required; one of: {ALLOWED[key]}.")
        return default
    chosen = _code(key, value)
    if chosen is None:
        row.add(key, f"“{value}” is not one of: {ALLOWED[key]}.")
    return chosen


def _when(row: _Row, key: str, context: _Context) -> datetime | None:
    value = row.get(key)
    if not value:
        if FIELDS_BY_KEY[key].required:
            row.add(key, "Required: a date and time.")
        return None
    try:
        when = parse_when(value, context.zone)
    except ValueError:
        row.add(key, MSG_WHEN.format(value=value))
        return None
    if (when.tzinfo is context.zone and when.utcoffset() != when.replace(fold=1).utcoffset()  # a gap or overlap
            and when.astimezone(UTC).astimezone(context.zone).replace(tzinfo=None) != when.replace(tzinfo=None)):
        # in the spring-forward gap: zoneinfo would move it silently
        row.add(key, MSG_NO_SUCH_TIME.format(value=value, zone=context.zone.key))
        return None
    if when > context.now + CLOCK_TOLERANCE:
        row.add(key, f"“{value}” is in the future.")
        return None
    return when


def _organization(row: _Row, key: str, context: _Context) -> int | None:
    name = row.get(key)
    if not name:
        row.add(key, "Required: the organization's name on the partner map.")
        return None
    found = context.organizations.get(name.casefold(), [])
    if len(found) == 1:
        return found[0]
    row.add(key, f"“{name}” names {len(found)} organizations on the partner map; rename one." if found else
            f"“{name}” is not on this workgroup's partner map (names are compared without regard to case).")
    return None


def _order(row: _Row, times: dict[str, datetime | None], result: str | None) -> None:
    initiated = times["initiated_at"]
    if initiated is None:
        return
    if times["call_received_at"] and times["call_received_at"] > initiated:
        row.add("call_received_at", "The call was received after the transfer was initiated: check both times.")
    if times["accepted_at"]:
        if times["accepted_at"] < initiated:
            row.add("accepted_at", "Accepted before the transfer was initiated: check both times.")
        elif result is not None and result not in (TransferResult.ACCEPTED, TransferResult.RETURNED):
            row.add("accepted_at", "An accept time goes with a transfer that was accepted (or accepted and sent "
                                   "back); leave it empty or correct the result.")
    if times["ended_at"] and times["ended_at"] < initiated:
        row.add("ended_at", "The call ended before the transfer was initiated: check both times.")


def _risk_level(row: _Row, transfer: Transfer, facts, context: _Context) -> None:
    name = row.get("risk_level")
    if not name or transfer.initiated_at is None:
        return
    versions = facts.versions_in_force(transfer.initiated_at)
    if len(versions) != 1:
        transfer.risk_level_name = name[:80]  # no single version to check it against: kept as written
        return
    levels = context.risk_levels.get(versions[0].pk, {})
    level = levels.get(name.casefold())
    if level is None:
        names = ", ".join(dict.fromkeys(lv.name for lv in levels.values())) or "it has none"
        row.add("risk_level", f"“{name}” is not a risk level of the protocol version in force then: {names}.")
    transfer.risk_level = level


_new_transfer = instance_maker(Transfer)


def _row_transfer(row: _Row, context: _Context, facts, base: dict[str, Any]) -> Transfer:
    times = {key: _when(row, key, context) for key in TIMES}
    result = _choice(row, "result")
    _order(row, times, result)
    transfer = _new_transfer(
        **base, partner_call_id=row.get("partner_call_id"),
        direction=_choice(row, "direction"),
        sending_organization_id=_organization(row, "sending_organization", context),
        receiving_organization_id=_organization(row, "receiving_organization", context),
        kind=_choice(row, "kind", TransferKind.WARM), consent=_choice(row, "consent", "") or "",
        result=result, follow_up_outcome=_choice(row, "follow_up_outcome", "") or "", **times)
    _risk_level(row, transfer, facts, context)
    if row.count == 0:
        try:
            fill_reason(transfer, facts)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                for message in messages:
                    row.add(key if key in FIELDS_BY_KEY else "", message)
    return transfer


def parse_transfers(*, workgroup: Workgroup, transfer_import: TransferImport, data: bytes, actor: User | None,
                    on_progress: Callable[[int, int], None] | None = None) -> ParsedTransfers:
    """Check every row; plan the new transfers (unsaved, reason filled in) and count those recorded already."""
    parsed = ParsedTransfers(file_rejected=True)
    text, problem = (None, MSG_TOO_BIG) if len(data) > MAX_BYTES else decode(data)
    rows, problem = records(text) if text is not None else ([], problem)
    del text
    if problem or not rows:
        parsed.errors.append((0, "", problem or MSG_EMPTY))
        return parsed
    columns, problems = header(rows[0])
    mapping = transfer_import.mapping or {}
    index = {key: columns.index(column) for key, column in mapping.items()
             if key in FIELDS_BY_KEY and column in columns}
    problems += [MSG_MAPPING_GONE.format(column=column, label=FIELDS_BY_KEY[key].label.lower())
                 for key, column in mapping.items() if key in FIELDS_BY_KEY and column and column not in columns]
    problems += [MSG_REQUIRED_UNMAPPED.format(label=FIELDS_BY_KEY[key].label.lower()) for key in REQUIRED
                 if not mapping.get(key)]
    if problems:
        parsed.errors += [(1, "", message) for message in problems]
        return parsed
    parsed.file_rejected = False
    facts = routing_facts(workgroup=workgroup)
    partner_id = transfer_import.organization_id
    context = _context(workgroup, partner_id, facts, parsed.organization_names)
    names = {key: columns[i] for key, i in index.items()}
    # Ids, not instances: a model's __init__ sets a related instance through its descriptor, which costs more
    # than the rest of a row (fill_reason checks organizations by id).
    base = {"workgroup_id": workgroup.pk, "source": TransferSource.IMPORT, "transfer_import_id": transfer_import.pk,
            "created_by_id": actor.pk if actor else None, "source_organization_id": partner_id}
    seen: set[str] = set()
    total = len(rows) - 1
    for number, record in enumerate(rows[1:], start=2):
        if on_progress is not None and number % PROGRESS_EVERY_ROWS == 0:
            on_progress(number - 1, total)
        parsed.row_count += 1
        row = _Row(parsed, number, record, index, names)
        call_id = row.get("partner_call_id")
        if not call_id:
            row.add("partner_call_id", "Required: the partner's call id (it is how a transfer is imported once).")
        elif len(call_id) > CALL_ID_LIMIT:
            row.add("partner_call_id", f"Too long: at most {CALL_ID_LIMIT} characters (this has {len(call_id)}).")
        elif call_id in context.recorded or call_id in seen:
            parsed.already_recorded += 1  # recorded already (or earlier in this file): skipped, not a problem
            continue
        seen.add(call_id)
        transfer = _row_transfer(row, context, facts, base)
        if row.count == 0:
            parsed.transfers.append((number, transfer))
    if parsed.row_count == 0:
        parsed.errors.append((0, "", MSG_NO_ROWS))
    return parsed
