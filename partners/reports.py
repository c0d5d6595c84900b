"""The partner map as a PDF (a background job): coverage, grid, RACI and the contact directory.

The same pieces will go into agreement packets; the chart is the SVG the browser shows.
"""

from __future__ import annotations

from django.utils import timezone

from partners import selectors
from partners.charts import power_interest_svg
from partners.grid_selectors import grid_points
from toolkit import jobs
from toolkit.models import Job
from toolkit.pdf import render_pdf, svg_data_uri
from toolkit.permissions import Action

PARTNER_MAP_PDF = "partner_map_pdf"


def partner_map_context(*, job: Job) -> dict:
    workgroup = job.workgroup
    points = grid_points(workgroup=workgroup)
    rows, organizations = selectors.raci_matrix(workgroup=workgroup)
    return {
        "workgroup": workgroup,
        "generated_at": timezone.now(),
        "requested_by": job.requested_by,
        "coverage": selectors.coverage(workgroup=workgroup),
        "grid_uri": svg_data_uri(power_interest_svg(points, title=f"Power–interest grid · {workgroup.name}")),
        # On paper the matrix is printed per function, one column per letter: it stays readable
        # however many organizations there are.
        "raci_rows": [
            (row, {letter: [org.name for org in organizations if row.cells.get(org.pk) == letter] for letter in "ARCI"})
            for row in rows
        ],
        "has_organizations": bool(organizations),
        "directory": selectors.directory(workgroup=workgroup),
    }


def run_partner_map_pdf(*, job: Job, set_progress, output) -> str:
    context = partner_map_context(job=job)
    set_progress(40)
    render_pdf("partners/pdf/partner_map.html", context, target=output)
    return f"{job.workgroup.slug}-partner-map.pdf"


jobs.register(
    jobs.JobKind(
        kind=PARTNER_MAP_PDF,
        label="Partner map (PDF)",
        action=Action.RUN_JOBS,
        run=run_partner_map_pdf,
        view_action=Action.VIEW_WORKGROUP,  # everything in it is readable by every member already
    )
)
