"""The partner map as a PDF (a background job): coverage, grid, RACI and the contact directory.

The same pieces will go into agreement packets; the chart is the SVG the browser shows. Every piece
of text goes through ``xml_safe`` on its way in (rows saved before the text normaliser existed may
hold characters a PDF cannot), and a chart that cannot be drawn fails the job (``ChartError``)
rather than leaving a PDF without it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from partners import selectors
from partners.charts import power_interest_svg
from partners.grid_selectors import grid_points
from toolkit import jobs
from toolkit.audit import record_access
from toolkit.models import AuditAction, Job
from toolkit.pdf import ChartError, render_pdf, svg_data_uri
from toolkit.permissions import Action
from toolkit.text import xml_safe

PARTNER_MAP_PDF = "partner_map_pdf"
NAMES_PER_CELL = 10
CONTACTS_PER_ORGANIZATION = 1  # on paper each coverage and RACI cell names this many organizations and counts the rest


@dataclass(frozen=True)
class NamedCell:
    names: list[str]
    more: int


def _names(names: list[str], total: int) -> NamedCell:
    return NamedCell(names=[xml_safe(name) for name in names], more=max(0, total - len(names)))


MSG_CHART_FAILED = "The power–interest grid could not be drawn, so no PDF was made. ({detail})"


def _chart_uri(svg: str) -> str:
    """The chart as a data: URI; a drawing that is not well-formed fails the job with a message that says so."""
    try:
        return svg_data_uri(svg)
    except ChartError as exc:
        raise ValidationError(MSG_CHART_FAILED.format(detail=exc)) from exc


def partner_map_context(*, job: Job) -> dict:
    workgroup = job.workgroup
    cover = selectors.coverage(workgroup=workgroup, names_per_sector=NAMES_PER_CELL)
    raci = selectors.raci_rows(workgroup=workgroup, names_per_role=NAMES_PER_CELL)
    chart = power_interest_svg(grid_points(workgroup=workgroup), title=f"Power–interest grid · {workgroup.name}")
    return {
        "workgroup_name": xml_safe(workgroup.name),
        "jurisdiction": f"{workgroup.get_jurisdiction_type_display()}: {xml_safe(workgroup.jurisdiction_name)}",
        "generated_at": timezone.now(),
        "requested_by": xml_safe(job.requested_by) if job.requested_by else "",
        "core_covered": cover.core_covered,
        "core_total": len(cover.core),
        "additional_covered": cover.additional_covered,
        "additional_total": len(cover.additional),
        "core_rows": [
            (xml_safe(row.sector.name), row.covered, _names(row.organizations, row.organization_count))
            for row in cover.core
        ],
        "grid_uri": _chart_uri(chart),
        # On paper the matrix is printed per function, one column per letter: it stays readable
        # however many organizations there are.
        "raci_rows": [
            (
                xml_safe(row.function.name),
                {letter: _names(row.holders.get(letter, []), row.counts.get(letter, 0)) for letter in "ARCI"},
                row.problems,
            )
            for row in raci
        ],
        "has_organizations": selectors.map_counts(workgroup=workgroup).organizations > 0,
        # One row per organization (its primary contact first): a printed directory of thousands of
        # contacts helps nobody; the CSV export has them all.
        "directory": selectors.directory(workgroup=workgroup, contacts_per_organization=CONTACTS_PER_ORGANIZATION),
    }


def run_partner_map_pdf(*, job: Job, set_progress, output) -> str:
    context = partner_map_context(job=job)
    set_progress(40)
    render_pdf("partners/pdf/partner_map.html", context, target=output)
    # Written once the file exists: its directory section is a contact list that left the app.
    record_access(actor=job.requested_by, obj=job.workgroup, action=AuditAction.EXPORTED,
                  workgroup_id=job.workgroup_id, detail="Partner map PDF with the contact directory")
    return f"{job.workgroup.slug}-partner-map.pdf"


jobs.register(
    jobs.JobKind(
        kind=PARTNER_MAP_PDF,
        label="Partner map (PDF)",
        action=Action.RUN_JOBS,
        run=run_partner_map_pdf,
        confidential=lambda job: "Partner map PDF with the contact directory",
        view_action=Action.VIEW_WORKGROUP,  # everything in it is readable by every member already
    )
)
