"""The quarterly incident review (PDF): a background job for QA reviewers and coordinators.

It holds the quarter's counts and charts (the trends page's, for the incidents that happened in the quarter),
the median days from report to close of the incidents closed in the quarter, the corrective actions opened,
completed and overdue, and the list of the quarter's incidents by reference, category and status — never a
narrative or a reporter. Confidential and privileged incidents are in it (QA reads them anyway), so the file
says so on every page and each of them gets an audit row: exported, by whom, in which report.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone

from incidents import charts
from incidents.models import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    Category,
    Confidentiality,
    CorrectiveAction,
    IncidentStatus,
)
from incidents.trends import (
    MonthRange,
    incident_trends,
    median_days_to_close,
    quarter_bounds,
    workgroup_incidents,
)
from toolkit import jobs
from toolkit.audit import record_access
from toolkit.models import AuditAction, Job
from toolkit.pdf import render_pdf, svg_data_uri
from toolkit.permissions import Action
from toolkit.text import xml_safe

QUARTERLY_REPORT = "incidents_quarterly_report_pdf"
PRIVILEGED_MARK = "Contains quality-improvement privileged information"
CONFIDENTIAL_MARK = "Contains confidential incident information"
MSG_BAD_QUARTER = "The report was asked for a quarter that does not exist or has not started yet. Choose another."
FIRST_YEAR = 2000


def _quarter(job: Job) -> tuple[int, int]:
    try:
        year, quarter = int(job.params.get("year")), int(job.params.get("quarter"))
    except (TypeError, ValueError):
        raise ValidationError(MSG_BAD_QUARTER, code="bad_quarter") from None
    today = timezone.localdate()
    if not (1 <= quarter <= 4 and year >= FIRST_YEAR) or (year, quarter) > (today.year, (today.month - 1) // 3 + 1):
        raise ValidationError(MSG_BAD_QUARTER, code="bad_quarter")
    return year, quarter


def _action_counts(job: Job, start, end) -> dict[str, int]:
    is_open = Q(status__in=OPEN_ACTION_STATUSES)
    return CorrectiveAction.objects.filter(workgroup=job.workgroup).aggregate(
        opened=Count("pk", filter=Q(created_at__gte=start, created_at__lt=end)),
        completed=Count("pk", filter=Q(status=ActionStatus.DONE, completed_at__gte=start, completed_at__lt=end)),
        open_now=Count("pk", filter=is_open),
        overdue_now=Count("pk", filter=is_open & Q(due_date__lt=timezone.localdate())),
    )


def _sections(trends, drawn: dict[str, str], label: str) -> list[dict]:
    """Each breakdown with its chart (a data: URI) and the same numbers for the table beside it."""
    if not drawn:
        return []
    parts = [("month", "By month", "Month", trends.by_month, ""),
             ("category", "By category", "Category", trends.by_category, ""),
             ("class", "By class", "Class", trends.by_class, ""),
             ("harm", "By harm agreed by reviewers", "Agreed harm", trends.by_harm, ""),
             ("organization", "By organization involved", "Organization", trends.by_organization,
              "An incident may involve several organizations, so these numbers add up to more than the incidents.")]
    return [{"key": key, "title": title, "group": group, "note": note, "uri": svg_data_uri(drawn[key]),
             # Names stored before the text normaliser may hold characters no PDF can.
             "rows": [{"label": xml_safe(row.label), "count": row.count, "muted": row.muted} for row in rows],
             "alt": f"{title} in {label}: " + ", ".join(f"{xml_safe(row.label)} {row.count}" for row in rows)}
            for key, title, group, rows, note in parts]


def report_context(*, job: Job) -> dict:
    """Everything the PDF shows, read inside the job's own workgroup only."""
    year, quarter = _quarter(job)
    start, end = quarter_bounds(year, quarter)
    label = f"{year} Q{quarter}"
    everything = workgroup_incidents(workgroup=job.workgroup)
    incidents = everything.filter(occurred_at__gte=start, occurred_at__lt=end)
    first_day = timezone.localtime(start).date()
    months = MonthRange(first=first_day, last=(timezone.localtime(end) - timedelta(days=1)).date().replace(day=1))
    trends = incident_trends(workgroup=job.workgroup, incidents=incidents, months=months)
    drawn = charts.trend_charts(trends, period=f"that happened in {label}", width=520)
    categories, statuses = dict(Category.choices), dict(IncidentStatus.choices)
    listed = [
        {"reference": reference, "occurred": occurred, "category": categories.get(category, category),
         "status": statuses.get(status, status), "marked": Confidentiality(mark).label if mark != "normal" else ""}
        for reference, occurred, category, status, mark in incidents.order_by("occurred_at", "pk").values_list(
            "reference", "occurred_at", "category", "status", "confidentiality")
    ]
    marked = list(incidents.exclude(confidentiality=Confidentiality.NORMAL)
                  .only("pk", "workgroup_id", "reference", "category", "confidentiality").order_by("pk"))
    privileged = any(i.confidentiality == Confidentiality.PRIVILEGED for i in marked)
    return {
        "workgroup": job.workgroup,
        "label": label,
        "year": year,
        "quarter": quarter,
        "start": first_day,
        "end": (timezone.localtime(end) - timedelta(days=1)).date(),
        "generated_at": timezone.now(),
        "requested_by": job.requested_by,
        "trends": trends,
        "sections": _sections(trends, drawn, label),
        "closed_in_quarter": everything.filter(closed_at__gte=start, closed_at__lt=end,
                                               status=IncidentStatus.CLOSED).count(),
        "median_closed_in_quarter": median_days_to_close(
            incidents=everything.filter(closed_at__gte=start, closed_at__lt=end)),
        "actions": _action_counts(job, start, end),
        "incidents": listed,
        "marked": marked,
        "mark": PRIVILEGED_MARK if privileged else CONFIDENTIAL_MARK if marked else "",
    }


def run_quarterly_report(*, job: Job, set_progress, output) -> str:
    set_progress(10, "Counting the quarter's incidents")
    context = report_context(job=job)
    set_progress(50, "Laying out the PDF")
    render_pdf("incidents/pdf/quarterly_report.html", context, target=output)
    # Written once the file exists: each marked incident in it has been exported, by the person who asked.
    for incident in context["marked"]:
        record_access(actor=job.requested_by, obj=incident, action=AuditAction.EXPORTED,
                      detail=f"Quarterly incident review {context['label']} (PDF)")
    return f"{job.workgroup.slug}-incident-review-{context['year']}-q{context['quarter']}.pdf"


jobs.register(
    jobs.JobKind(
        kind=QUARTERLY_REPORT,
        label="Quarterly incident review (PDF)",
        action=Action.REVIEW_INCIDENTS,
        run=run_quarterly_report,
        queue="pdf",
        confidential=lambda job: "Quarterly incident review PDF (may hold marked incidents)",
    )
)
