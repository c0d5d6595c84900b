"""Incident trends (everyone in the workgroup: counts only, never a row) and the quarterly review report job.

Viewers see the same aggregates as QA; no incident's reference, text or reporter is on the page. Marked
incidents are counted like the others. The report is a background job QA reviewers and coordinators start.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST, require_safe

from incidents import charts
from incidents.forms_sharing import QuarterlyReportForm
from incidents.models import Confidentiality, Incident
from incidents.reports import QUARTERLY_REPORT
from incidents.trends import TrendFilter, incident_trends, month_range
from toolkit.forms import form_data
from toolkit.permissions import Action, can, workgroup_view
from toolkit.services import job_create
from toolkit.views.shortcuts import render_form_page

CHART_CLASS = "w-100 h-auto"  # Bootstrap utilities: the SVG scales with its column


def _day(value) -> str:
    return f"{value:%b} {value.day}, {value.year}"


def _period(filterset: TrendFilter) -> str:
    start, end = filterset.cleaned("occurred_from"), filterset.cleaned("occurred_to")
    if start and end:
        return f"that happened from {_day(start)} to {_day(end)}"
    if start:
        return f"that happened since {_day(start)}"
    if end:
        return f"that happened up to {_day(end)}"
    return "reported so far"


def _sections(trends, drawn: dict[str, str]) -> list[dict]:
    """Each breakdown as the page shows it: heading, chart and the same numbers as a table."""
    months = trends.month_range
    month_note = (f"The chart covers {months.first:%B %Y} to {months.last:%B %Y}"
                  + (f", the last {len(trends.by_month)} months of the range asked for." if months.capped else "."))
    return [
        {"key": "month", "title": "By month", "svg": drawn["month"], "rows": trends.by_month, "group": "Month",
         "note": month_note},
        {"key": "category", "title": "By category", "svg": drawn["category"], "rows": trends.by_category,
         "group": "Category"},
        {"key": "class", "title": "By class", "svg": drawn["class"], "rows": trends.by_class, "group": "Class"},
        {"key": "harm", "title": "By harm agreed by reviewers", "svg": drawn["harm"], "rows": trends.by_harm,
         "group": "Agreed harm",
         "note": "Two reviewers rate the harm on their own, then agree one level; until then it is “not yet agreed”."},
        {"key": "organization", "title": "By organization involved", "svg": drawn["organization"],
         "rows": trends.by_organization, "group": "Organization",
         "note": f"{trends.organizations_named} organization{'s' if trends.organizations_named != 1 else ''} named. "
                 "An incident may involve several organizations, so these numbers add up to more than the "
                 "incidents; the less frequent ones are summed as others."},
    ]


def _trends_page(request: HttpRequest, *, report_form: QuarterlyReportForm | None = None) -> HttpResponse:
    incidents = Incident.objects.restrict(request.membership, Action.VIEW_WORKGROUP).order_by()
    if not can(request.user, request.workgroup, Action.REVIEW_INCIDENTS):
        # Filters narrow down to one day and one organization: a count of one would tell a viewer a marked
        # incident's harm and class. QA reviewers and coordinators, who read marked incidents, count them.
        incidents = incidents.filter(confidentiality=Confidentiality.NORMAL)
    filterset = TrendFilter(request.GET or None, queryset=incidents, workgroup=request.workgroup)
    months = month_range(start=filterset.cleaned("occurred_from"), end=filterset.cleaned("occurred_to"))
    trends = incident_trends(workgroup=request.workgroup, incidents=filterset.qs, months=months)
    can_report = can(request.user, request.workgroup, Action.REVIEW_INCIDENTS)
    if can_report and report_form is None:
        report_form = QuarterlyReportForm()
    period = _period(filterset)
    drawn = charts.trend_charts(trends, period=period, css_class=CHART_CLASS)
    return render_form_page(request, "incidents/trends.html", {
        "filter": filterset,
        "filter_errors": filterset.is_bound and bool(filterset.form.errors),
        "trends": trends,
        "period": period,
        "sections": _sections(trends, drawn) if drawn else [],
        "report_form": report_form if can_report else None,
        "can_export": can(request.user, request.workgroup, Action.EXPORT_INCIDENTS),
    }, form=report_form)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def trends(request: HttpRequest) -> HttpResponse:
    return _trends_page(request)


@workgroup_view(Action.REVIEW_INCIDENTS)
@require_POST
def quarterly_report(request: HttpRequest) -> HttpResponse:
    form = QuarterlyReportForm(form_data(request))
    if not form.is_valid():
        return _trends_page(request, report_form=form)
    year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
    job = job_create(actor=request.user, workgroup=request.workgroup, kind=QUARTERLY_REPORT,
                     params={"year": year, "quarter": quarter})
    messages.info(request, f"You asked for the incident review for {year} Q{quarter}; its status below follows the "
                           "background job.")
    return redirect(job)
