"""Post-response data sharing: the workgroup's data-sharing settings, and the exports they allow.

Two levels, chosen by a coordinator (``IncidentSettings.export_level``):

* **de-identified** (HIPAA Safe Harbor style): one row per incident with coded fields only — no free text
  (narrative, immediate actions, findings, comments), no reporter, no CAD or 988 references, the year of
  occurrence and no finer date — and a summary of counts by quarter in which any count from 1 to 10 is shown
  as "<11" (a cell that would let a suppressed one be worked out from the quarter's total is hidden too).
* **limited data set**: dates to the day, still no free text, no reporter and no references, and only while a
  data use agreement recorded in ``agreements`` (a data sharing agreement, approved or executed) is named in
  the settings; it is named again in every row and in the file's name.

Confidential and quality-improvement privileged incidents are left out of every export: their protection
is lost once they leave, and the trends page (which counts them) stays inside the workgroup.
Every export writes one audit row (who, which export, how many rows).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, TextChoices
from django.db.models.functions import Coalesce, TruncQuarter
from django.utils import timezone
from django.utils.text import slugify

from agreements.selectors import data_sharing_agreements
from incidents.models import (
    Category,
    Confidentiality,
    ContributingFactor,
    CorrectiveAction,
    Harm,
    Incident,
    IncidentClass,
    IncidentSettings,
)
from incidents.sharing import DEFAULT_JOINT_REVIEW_FIELDS, JOINT_REVIEW_FIELD_NAMES, incident_settings
from partners.models import Organization
from toolkit.audit import record_access
from toolkit.history import save_validated
from toolkit.models import AuditAction
from toolkit.permissions import Action, require
from toolkit.text import escape_cell, xml_safe

if TYPE_CHECKING:
    from agreements.models import Agreement
    from toolkit.models import User, Workgroup


class ExportLevel(TextChoices):
    NONE = "none", "No exports"
    DEIDENTIFIED = "deidentified", "De-identified only"
    LIMITED = "limited", "De-identified, and a limited data set under a data use agreement"


SUPPRESSED = "<11"  # a count from 1 to 10 in an aggregate table
HIDDEN = "suppressed"  # a larger count hidden so that a suppressed one cannot be worked out from the total
SMALL_COUNT_LIMIT = 10
NOT_YET_AGREED = "Not yet agreed"
CHUNK = 500  # rows fetched (and their organizations and factors prefetched) at a time while streaming

MSG_LIMITED_NEEDS_AGREEMENT = (
    "A limited data set can only be shared under a data use agreement: choose an approved or executed data "
    "sharing agreement, or choose de-identified exports."
)
MSG_AGREEMENT_NOT_IN_EFFECT = (
    "Choose one of this workgroup's data sharing agreements that is approved or executed."
)
MSG_EXPORTS_OFF = (
    "This workgroup shares no incident data yet. A coordinator can allow exports in the data-sharing settings."
)
MSG_LIMITED_OFF = (
    "The data-sharing settings allow de-identified exports only. A limited data set needs the level that "
    "includes it and a data use agreement, both set by a coordinator in the data-sharing settings."
)
MSG_AGREEMENT_LAPSED = (
    "The data use agreement named in the data-sharing settings is no longer approved or executed, so no limited "
    "data set can be exported. A coordinator can name an agreement in effect in the data-sharing settings."
)


@dataclass(frozen=True)
class ExportKind:
    slug: str
    label: str
    description: str
    level: str  # the lowest export level that allows it
    row_level: bool


EXPORT_KINDS: dict[str, ExportKind] = {kind.slug: kind for kind in (
    ExportKind("deidentified-incidents", "De-identified incidents",
               "One row per incident: year, class, category, transfer direction, organizations and sectors "
               "involved, agreed harm, risk grade, status, contributing factor codes, number of corrective "
               "actions. No free text, reporter, references or dates finer than the year.",
               ExportLevel.DEIDENTIFIED, row_level=True),
    ExportKind("deidentified-summary", "De-identified summary by quarter",
               "Counts by quarter and category, class and agreed harm. Counts from 1 to 10 read “<11”; a larger "
               "count that would give one away reads “suppressed”.",
               ExportLevel.DEIDENTIFIED, row_level=False),
    ExportKind("limited-data-set", "Limited data set",
               "One row per incident with dates to the day and coded fields, naming the data use agreement in "
               "every row. No narrative or other free text, reporter or references.",
               ExportLevel.LIMITED, row_level=True),
)}


# --- Settings ---------------------------------------------------------------------------------


@transaction.atomic
def incident_settings_update(*, actor: User, workgroup: Workgroup, export_level: str,
                             data_use_agreement: Agreement | None = None,
                             joint_review_fields: Iterable[str] = ()) -> IncidentSettings:
    """Save the workgroup's data-sharing choices, creating its settings row the first time."""
    require(actor, workgroup, Action.EDIT_WORKGROUP)
    errors: dict[str, str] = {}
    if export_level not in ExportLevel.values:
        errors["export_level"] = "Choose one of the export levels."
    if data_use_agreement is not None and not data_sharing_agreements(workgroup=workgroup).filter(
            pk=data_use_agreement.pk).exists():
        errors["data_use_agreement"] = MSG_AGREEMENT_NOT_IN_EFFECT
    elif export_level == ExportLevel.LIMITED and data_use_agreement is None:
        errors["data_use_agreement"] = MSG_LIMITED_NEEDS_AGREEMENT
    fields = list(dict.fromkeys(joint_review_fields))
    if set(fields) - JOINT_REVIEW_FIELD_NAMES:
        errors["joint_review_fields"] = "Choose among the fields listed."
    if errors:
        raise ValidationError(errors)
    # The intake link's service may create the row too: get_or_create copes with the race on the unique
    # workgroup, and the lock keeps two saves of the settings from crossing.
    IncidentSettings.objects.get_or_create(
        workgroup=workgroup, defaults={"joint_review_fields": list(DEFAULT_JOINT_REVIEW_FIELDS)})
    settings = IncidentSettings.objects.select_for_update().get(workgroup=workgroup)
    settings.export_level = export_level
    settings.data_use_agreement = data_use_agreement
    settings.joint_review_fields = fields
    return save_validated(settings, actor)


def agreement_in_effect(*, settings: IncidentSettings) -> Agreement | None:
    """The data use agreement the settings name, if it is still an approved or executed data sharing agreement."""
    if settings.data_use_agreement_id is None:
        return None
    return data_sharing_agreements(workgroup=settings.workgroup).filter(pk=settings.data_use_agreement_id).first()


def export_refusal(*, kind: ExportKind, settings: IncidentSettings, agreement: Agreement | None) -> str:
    """Why the settings do not allow this export now ("" when they do)."""
    if settings.export_level not in (ExportLevel.DEIDENTIFIED, ExportLevel.LIMITED):
        return MSG_EXPORTS_OFF
    if kind.level == ExportLevel.LIMITED:
        if settings.export_level != ExportLevel.LIMITED:
            return MSG_LIMITED_OFF
        if agreement is None:
            return MSG_AGREEMENT_LAPSED if settings.data_use_agreement_id else MSG_LIMITED_NEEDS_AGREEMENT
    return ""


# --- Which incidents ----------------------------------------------------------------------------


def shared_incidents(*, workgroup: Workgroup) -> QuerySet[Incident]:
    """The incidents exports may hold: the workgroup's, without the confidential and privileged ones."""
    return Incident.objects.filter(workgroup=workgroup, confidentiality=Confidentiality.NORMAL)


def export_counts(*, workgroup: Workgroup) -> dict[str, int]:
    """How many incidents the exports hold, and how many marked ones they leave out (one query)."""
    marked = ~Q(confidentiality=Confidentiality.NORMAL)
    found = Incident.objects.filter(workgroup=workgroup).aggregate(total=Count("pk"), marked=Count("pk", filter=marked))
    return {"shared": found["total"] - found["marked"], "left_out": found["marked"]}


def _rows_queryset(*, workgroup: Workgroup) -> QuerySet[Incident]:
    """Only the coded columns are read (free text never leaves the database); organizations with their sector and
    factor codes come in one query each per chunk."""
    actions = (CorrectiveAction.objects.filter(incident=OuterRef("pk")).order_by().values("incident")
               .annotate(n=Count("pk")).values("n"))
    return (
        shared_incidents(workgroup=workgroup)
        .only("pk", "workgroup_id", "occurred_at", "discovered_at", "created_at", "closed_at", "incident_class",
              "category", "transfer_direction", "risk_level", "harm_estimate", "agreed_harm", "likelihood",
              "severity", "priority", "status", "debrief_offered")
        .annotate(action_count=Coalesce(Subquery(actions, output_field=IntegerField()), 0))
        .prefetch_related(
            Prefetch("organizations", queryset=Organization.objects.select_related("sector")
                     .only("pk", "name", "sector__name").order_by("name", "pk")),
            Prefetch("contributing_factors", queryset=ContributingFactor.objects.only("pk", "incident_id", "code")
                     .order_by("code")),
        )
        .order_by("occurred_at", "pk")
    )


# --- Cells ------------------------------------------------------------------------------------


class _Echo:
    """csv.writer's file: hands each written line back, so rows can be streamed."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[list[object]]) -> Iterator[str]:
    """CSV text a line at a time, UTF-8 with a byte-order mark for spreadsheets; every cell passes ``xml_safe``
    (characters no file should hold) and ``escape_cell`` (a leading =, +, -, @, tab or CR cannot start a formula)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow([escape_cell(xml_safe("" if cell is None else cell)) for cell in row])


def _names(incident: Incident) -> tuple[str, str]:
    organizations = list(incident.organizations.all())
    sectors = sorted({org.sector.name for org in organizations})
    return "; ".join(org.name for org in organizations), "; ".join(sectors)


def _codes(incident: Incident) -> str:
    return "; ".join(factor.code for factor in incident.contributing_factors.all())


def _agreed_harm(incident: Incident) -> str:
    return incident.get_agreed_harm_display() if incident.agreed_harm else NOT_YET_AGREED


DEIDENTIFIED_HEADER = ["year", "class", "category", "transfer direction", "organizations involved", "sectors involved",
                       "harm (agreed)", "risk grade", "status", "contributing factors", "corrective actions"]


def deidentified_rows(incidents: QuerySet[Incident]) -> Iterator[list[object]]:
    for incident in incidents.iterator(chunk_size=CHUNK):
        organizations, sectors = _names(incident)
        yield [incident.occurred_at.year, incident.get_incident_class_display(), incident.get_category_display(),
               incident.get_transfer_direction_display(), organizations, sectors, _agreed_harm(incident),
               incident.get_risk_grade_display(), incident.get_status_display(), _codes(incident),
               incident.action_count]


LIMITED_HEADER = ["data use agreement", "occurred on", "noticed on", "reported on", "closed on", "class", "category",
                  "transfer direction", "organizations involved", "sectors involved", "risk level assigned",
                  "harm (reporter's estimate)", "harm (agreed)", "risk grade", "priority", "status",
                  "contributing factors", "corrective actions", "debrief offered"]


def _day(value) -> str:
    return timezone.localtime(value).date().isoformat() if value else ""


def limited_rows(incidents: QuerySet[Incident], *, agreement: Agreement) -> Iterator[list[object]]:
    for incident in incidents.iterator(chunk_size=CHUNK):
        organizations, sectors = _names(incident)
        yield [agreement.title, _day(incident.occurred_at), _day(incident.discovered_at), _day(incident.created_at),
               _day(incident.closed_at), incident.get_incident_class_display(), incident.get_category_display(),
               incident.get_transfer_direction_display(), organizations, sectors, incident.risk_level,
               incident.get_harm_estimate_display(), _agreed_harm(incident), incident.get_risk_grade_display(),
               incident.get_priority_display(), incident.get_status_display(), _codes(incident),
               incident.action_count, "yes" if incident.debrief_offered else "no"]


# --- The de-identified summary -----------------------------------------------------------------


SUMMARY_HEADER = ["breakdown", "quarter", "group", "incidents"]
BREAKDOWNS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("category", "category", list(Category.choices)),
    ("class", "incident_class", list(IncidentClass.choices)),
    ("agreed harm", "agreed_harm", [*Harm.choices, ("", NOT_YET_AGREED)]),
]


def _quarter_label(value) -> str:
    return f"{value.year}-Q{(value.month - 1) // 3 + 1}"


def _quarters_between(first, last) -> list[str]:
    out, year, quarter = [], first.year, (first.month - 1) // 3 + 1
    while (year, quarter) <= (last.year, (last.month - 1) // 3 + 1):
        out.append(f"{year}-Q{quarter}")
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return out


def _suppress(tables: dict[str, dict[str, dict[str, int]]], quarters: list[str]) -> dict:
    """Counts as shown: 1–10 become "<11"; then, in a quarter whose total another table gives away (it has no
    small count), a table with exactly one small count also hides its smallest other non-zero count, so the small
    one cannot be worked out by subtraction."""
    shown: dict[str, dict[str, dict[str, object]]] = {}
    for quarter in quarters:
        small = {name: [g for g, n in table[quarter].items() if 1 <= n <= SMALL_COUNT_LIMIT]
                 for name, table in tables.items()}
        total_known = any(not groups for groups in small.values())
        for name, table in tables.items():
            counts = table[quarter]
            cells: dict[str, object] = {g: (SUPPRESSED if g in small[name] else n) for g, n in counts.items()}
            if total_known and len(small[name]) == 1:
                others = sorted((n, g) for g, n in counts.items() if n > SMALL_COUNT_LIMIT)
                if others:
                    cells[others[0][1]] = HIDDEN
            shown.setdefault(name, {})[quarter] = cells
    return shown


def summary_rows(*, workgroup: Workgroup) -> list[list[object]]:
    """Counts by quarter × category, × class and × agreed harm; one grouped query, summed per table here (the
    grouped rows are bounded by quarters × the coded values, whatever the number of incidents)."""
    grouped = list(
        shared_incidents(workgroup=workgroup).order_by().annotate(quarter=TruncQuarter("occurred_at"))
        .values("quarter", "category", "incident_class", "agreed_harm").annotate(n=Count("pk")).order_by("quarter")
    )
    if not grouped:
        return []
    quarters = _quarters_between(grouped[0]["quarter"], grouped[-1]["quarter"])
    tables: dict[str, dict[str, dict[str, int]]] = {}
    for name, column, choices in BREAKDOWNS:
        table = {q: {value: 0 for value, _ in choices} for q in quarters}
        for row in grouped:
            table[_quarter_label(row["quarter"])][row[column]] = (
                table[_quarter_label(row["quarter"])].get(row[column], 0) + row["n"])
        tables[name] = table
    shown = _suppress(tables, quarters)
    out = []
    for name, _, choices in BREAKDOWNS:
        labels = defaultdict(str, choices)
        for quarter in quarters:
            for value, cell in shown[name][quarter].items():
                out.append([name, quarter, labels[value] or value, cell])
    return out


# --- One export -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    filename: str
    lines: Iterator[str]
    rows: int


def _slug(text: str) -> str:
    return slugify(text)[:60] or "agreement"


def export_prepare(*, actor: User, workgroup: Workgroup, kind: ExportKind) -> Export:
    """Check the settings, count the rows, write the audit row, and return the lines to stream.

    Raises ``PermissionDenied`` with the reason when the settings do not allow this export now.
    """
    require(actor, workgroup, Action.EXPORT_INCIDENTS)
    settings = incident_settings(workgroup=workgroup)
    agreement = agreement_in_effect(settings=settings) if kind.level == ExportLevel.LIMITED else None
    refusal = export_refusal(kind=kind, settings=settings, agreement=agreement)
    if refusal:
        raise PermissionDenied(refusal)
    if kind.row_level:
        incidents = _rows_queryset(workgroup=workgroup)
        count = incidents.count()
        if kind.level == ExportLevel.LIMITED:
            header, rows = LIMITED_HEADER, limited_rows(incidents, agreement=agreement)
            filename = f"{workgroup.slug}-limited-data-set-under-{_slug(agreement.title)}.csv"
        else:
            header, rows = DEIDENTIFIED_HEADER, deidentified_rows(incidents)
            filename = f"{workgroup.slug}-incidents-deidentified.csv"
    else:
        summary = summary_rows(workgroup=workgroup)
        count, header, rows = len(summary), SUMMARY_HEADER, iter(summary)
        filename = f"{workgroup.slug}-incidents-deidentified-summary.csv"
    detail = f"{kind.slug}, {count} rows" + (f", under {agreement.title}" if agreement else "")
    record_access(actor=actor, obj=workgroup, action=AuditAction.EXPORTED, detail=detail, workgroup_id=workgroup.pk)
    return Export(filename=filename, lines=csv_lines(header, rows), rows=count)
