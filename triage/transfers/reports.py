"""The monthly post-response data-sharing report: a PDF built as a background job, and the same tables as CSV.

For sharing with partners, so it holds counts, rates and times only: by direction and by partner pair, the headline
metrics, the times (median and 90th percentile to accept, median at 911; shared only over more than 10
transfers), risk level shares, follow-up completion and incidents per 1,000 transfers — no call ids, no
narrative, no free text. It follows the workgroup's data-sharing settings (``IncidentSettings.export_level``):
with exports off it is refused.

Small counts are suppressed as in the incident exports (``incidents.exports``): a count from 1 to 10 reads
"<11". Each table's counts add up along lines (a row's parts to its total, a column to the total row), so a
single hidden cell in a line could be worked out by subtraction: ``suppress_grid`` then hides the smallest other
non-zero cell of that line too ("suppressed"), repeating until no line has exactly one hidden cell. A rate is
shown only when no count in its row is hidden.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone

from incidents.exports import HIDDEN, SMALL_COUNT_LIMIT, SUPPRESSED, ExportLevel
from incidents.sharing import incident_settings
from toolkit import jobs
from toolkit.audit import record_access
from toolkit.models import AuditAction, Job
from toolkit.pdf import render_pdf
from toolkit.permissions import Action, require
from toolkit.text import escape_cell, xml_safe
from triage.models import Direction, TransferResult
from triage.transfers import metrics
from triage.transfers.metrics import ACCEPTED

if TYPE_CHECKING:
    from toolkit.models import User, Workgroup

MONTHLY_REPORT = "transfers_monthly_report_pdf"
MSG_EXPORTS_OFF = ("This workgroup shares no post-response data yet, so the monthly transfer report cannot be "
                   "built. A coordinator can allow exports in the data-sharing settings.")
MSG_BAD_MONTH = "Choose a month that has started, written as YEAR-MONTH (for example 2026-11)."
FIRST_YEAR = 2000
PARTS = (("accepted", "Accepted"), ("refused", "Refused"), ("dropped", "Dropped"),
         ("disconnected", "Caller disconnected"))


def report_refusal(*, workgroup: Workgroup) -> str:
    """Why the report cannot be shared now ("" when it can)."""
    return MSG_EXPORTS_OFF if incident_settings(workgroup=workgroup).export_level == ExportLevel.NONE else ""


def parse_month(value: object) -> date:
    try:
        year, month = (int(part) for part in str(value).split("-"))
        first = date(year, month, 1)
    except (TypeError, ValueError):
        raise ValidationError(MSG_BAD_MONTH, code="bad_month") from None
    if year < FIRST_YEAR or first > timezone.localdate().replace(day=1):
        raise ValidationError(MSG_BAD_MONTH, code="bad_month")
    return first


# --- Suppression ------------------------------------------------------------------------------

Cell = tuple[str, str]  # (row key, column key)


def suppress_grid(counts: dict[Cell, int], lines: list[list[Cell]]) -> dict[Cell, object]:
    """Counts as shown. ``lines``: groups of cells that add up (parts and their total, all in one list)."""
    hidden = {cell for cell, n in counts.items() if 1 <= n <= SMALL_COUNT_LIMIT}
    small = set(hidden)
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(cell in hidden for cell in line) != 1:
                continue
            others = sorted((counts[cell], cell) for cell in line if cell not in hidden and counts[cell])
            if others:
                hidden.add(others[0][1])
                changed = True
    return {cell: (SUPPRESSED if cell in small else HIDDEN if cell in hidden else n) for cell, n in counts.items()}


@dataclass(frozen=True)
class Table:
    title: str
    group: str  # the first column's heading
    columns: list[tuple[str, str]]  # (key, heading)
    rows: list[tuple[str, list[object]]]  # (label, cells as shown)
    note: str = ""
    total_row: bool = True  # the last row is the total of those above


def _rate_cell(part: object, whole: object, *, row_hidden: bool, scale: float = 100) -> str:
    if row_hidden or not isinstance(part, int) or not isinstance(whole, int):
        return HIDDEN if row_hidden else "—"
    return "—" if not whole else f"{part * scale / whole:.1f}" + ("%" if scale == 100 else "")


def _results_table(title: str, group: str, grouped: dict[str, dict[str, int]], labels: dict[str, str]) -> Table:
    """Transfers and their results by group, with a total row; the acceptance and dropped rates per row."""
    keys = [key for key in labels if grouped.get(key, {}).get("total")]
    counts: dict[Cell, int] = {}
    for key in [*keys, "__total"]:
        source = grouped.get(key, {}) if key != "__total" else {
            column: sum(grouped[k].get(column, 0) for k in keys) for column in ("total", *dict(PARTS))}
        for column in ("total", *dict(PARTS)):
            counts[(key, column)] = source.get(column, 0)
    rows_keys = [*keys, "__total"]
    lines = [[(key, c) for c in ("total", *dict(PARTS))] for key in rows_keys]
    lines += [[(key, c) for key in rows_keys] for c in ("total", *dict(PARTS))]
    shown = suppress_grid(counts, lines)
    rows = []
    for key in rows_keys:
        cells = [shown[(key, c)] for c in ("total", *dict(PARTS))]
        row_hidden = any(not isinstance(cell, int) for cell in cells)
        decided = counts[(key, "total")] - counts[(key, "disconnected")]
        rows.append((labels.get(key, "All transfers"), [
            *cells, _rate_cell(counts[(key, "accepted")], decided, row_hidden=row_hidden),
            _rate_cell(counts[(key, "dropped")], counts[(key, "total")], row_hidden=row_hidden)]))
    return Table(title=title, group=group, rows=rows, columns=[
        ("total", "Transfers"), *PARTS, ("acceptance", "Acceptance rate"), ("dropped_rate", "Dropped rate")])


def _count_parts() -> dict:
    return {"total": Count("pk"), "accepted": Count("pk", filter=ACCEPTED),
            "refused": Count("pk", filter=Q(result=TransferResult.REFUSED)),
            "dropped": Count("pk", filter=Q(result=TransferResult.DROPPED)),
            "disconnected": Count("pk", filter=Q(result=TransferResult.CALLER_DISCONNECTED))}


def _single_column(title: str, group: str, items: list[tuple[str, int]], heading: str, note: str = "",
                   total_label: str = "All transfers") -> Table:
    counts = {(label, "n"): n for label, n in items} | {("__total", "n"): sum(n for _, n in items)}
    shown = suppress_grid(counts, [[cell for cell in counts]])
    total = counts[("__total", "n")]
    rows = []
    for label, n in [*items, ("__total", total)]:
        cell = shown[(label, "n")]
        share = f"{n * 100 / total:.1f}%" if isinstance(cell, int) and total else ("—" if not total else HIDDEN)
        rows.append((total_label if label == "__total" else label, [cell, share]))
    return Table(title=title, group=group, columns=[("n", heading), ("share", "Share")], rows=rows, note=note)


@dataclass(frozen=True)
class MonthlyReport:
    month: date
    label: str
    total: int
    tables: list[Table]


def monthly_report(*, workgroup: Workgroup, month: date, now=None) -> MonthlyReport:
    """Every table of the report, suppressed. A fixed number of grouped queries, whatever the month holds."""
    start, end = metrics.month_bounds(month)
    transfers = metrics.transfers_in(workgroup=workgroup, start=start, end=end)
    by_direction = {row["direction"]: row for row in transfers.values("direction").annotate(**_count_parts())}
    pairs = list(transfers.values("sending_organization__name", "receiving_organization__name")
                 .annotate(**_count_parts()).order_by("sending_organization__name", "receiving_organization__name"))
    pair_rows = {f"{p['sending_organization__name']} → {p['receiving_organization__name']}": p for p in pairs}
    found = metrics.metric_counts(transfers, now=now)
    not_done = found["due"] - found["done_in_window"]
    tables = [
        _results_table("Transfers by direction", "Direction", by_direction, dict(Direction.choices)),
        _results_table("Transfers by partner pair", "Sender → receiver", pair_rows,
                       {key: xml_safe(key) for key in pair_rows}),
        _times_table(found),
        _single_column("Risk level", "Risk level at transfer",
                       [(s.label, s.count) for s in metrics.risk_level_shares(transfers) if s.count], "Transfers"),
        _single_column("Follow-up within the agreed window", "Follow-ups whose due time has passed",
                       [("Done at or before the due time", found["done_in_window"]),
                        ("Done late or not done", not_done)], "Transfers",
                       note="The share done at or before the due time is the follow-up completion rate.",
                       total_label="All follow-ups due"),
        _single_column("Incidents", "Transfers",
                       [("With an incident report linked", found["with_incident"]),
                        ("Without", found["total"] - found["with_incident"])], "Transfers",
                       note=_per_thousand(found)),
    ]
    return MonthlyReport(month=month, label=f"{month:%B %Y}", total=found["total"], tables=tables)


TIMES = (("median", "timed", "median_seconds_to_accept"), ("p90", "timed", "p90_seconds_to_accept"),
         ("median_at_911", "at_911", "median_seconds_at_911_before_transfer"))


def _times_table(found: dict) -> Table:
    """How long handoffs took, each over the transfers it counts. A time worked out over 1 to 10 transfers is
    not shared (it would come close to telling one call's times), and that count reads "<11"."""
    rows = []
    for value_key, count_key, metric_key in TIMES:
        n = found[count_key]
        small = 1 <= n <= SMALL_COUNT_LIMIT
        value = "—" if not n else HIDDEN if small else metrics.format_value(found[value_key], "seconds")
        rows.append((metrics.DEFINITIONS_BY_KEY[metric_key].name, [value, SUPPRESSED if small else n]))
    return Table(title="Times", group="Measure", columns=[("time", "Time"), ("n", "Transfers counted")], rows=rows,
                 note="Each time counts only the transfers its definition names (at the end of this report).",
                 total_row=False)


def _per_thousand(found: dict) -> str:
    if not found["total"]:
        return "Incidents per 1,000 transfers: —"
    if 1 <= found["with_incident"] <= SMALL_COUNT_LIMIT or found["total"] <= SMALL_COUNT_LIMIT:
        return "Incidents per 1,000 transfers: suppressed (too few to share)."
    return f"Incidents per 1,000 transfers: {found['with_incident'] * 1000 / found['total']:.1f}."


# --- CSV --------------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def report_csv_lines(report: MonthlyReport) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(["month", "table", "group", "measure", "value"])
    for table in report.tables:
        for label, cells in table.rows:
            for (_, heading), cell in zip(table.columns, cells, strict=True):
                yield writer.writerow([escape_cell(str(v)) for v in
                                       (f"{report.month:%Y-%m}", table.title, label, heading, cell)])


def report_csv(*, actor: User, workgroup: Workgroup, month: date) -> tuple[str, list[str]]:
    """The report as CSV lines and the file's name; refused when exports are off; one audit row."""
    require(actor, workgroup, Action.EXPORT_TRANSFERS)
    refusal = report_refusal(workgroup=workgroup)
    if refusal:
        raise ValidationError(refusal, code="exports_off")
    report = monthly_report(workgroup=workgroup, month=month)
    lines = list(report_csv_lines(report))
    record_access(actor=actor, obj=workgroup, action=AuditAction.EXPORTED, workgroup_id=workgroup.pk,
                  detail=f"Monthly transfer report {month:%Y-%m} (CSV), {len(lines) - 1} rows")
    return f"{workgroup.slug}-transfers-{month:%Y-%m}.csv", lines


# --- PDF (a background job) -------------------------------------------------------------------


def run_monthly_report(*, job: Job, set_progress, output) -> str:
    refusal = report_refusal(workgroup=job.workgroup)  # the settings may have changed since it was asked for
    if refusal:
        raise ValidationError(refusal, code="exports_off")
    month = parse_month(job.params.get("month"))
    set_progress(10, "Counting the month's transfers")
    report = monthly_report(workgroup=job.workgroup, month=month)
    set_progress(50, "Laying out the PDF")
    render_pdf("triage/transfers/metrics/pdf/monthly_report.html", {
        "workgroup": job.workgroup, "report": report, "generated_at": timezone.now(),
        "requested_by": job.requested_by, "definitions": metrics.DEFINITIONS, "limit": SMALL_COUNT_LIMIT,
        "suppressed": SUPPRESSED, "hidden": HIDDEN}, target=output)
    record_access(actor=job.requested_by, obj=job.workgroup, action=AuditAction.EXPORTED,
                  workgroup_id=job.workgroup_id, detail=f"Monthly transfer report {month:%Y-%m} (PDF)")
    return f"{job.workgroup.slug}-transfers-{month:%Y-%m}.pdf"


jobs.register(
    jobs.JobKind(
        kind=MONTHLY_REPORT,
        label="Monthly transfer report (PDF)",
        action=Action.EXPORT_TRANSFERS,
        run=run_monthly_report,
        queue="pdf",
    )
)
