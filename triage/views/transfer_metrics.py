"""Transfer metrics (everyone in the workgroup: counts only, never a row), their definitions, and the monthly
data-sharing report (PDF job and CSV download, for those who may export transfers)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_safe

from incidents.charts import bar_chart_svg, month_chart_svg
from incidents.trends import CountRow
from toolkit.forms import form_data
from toolkit.permissions import Action, can, workgroup_view
from toolkit.services import job_create
from toolkit.views.shortcuts import render_form_page
from triage.models import Direction
from triage.transfers import metrics, reports
from triage.transfers.metric_forms import MetricFilterForm, MonthlyReportForm

CHART_CLASS = "w-100 h-auto"


def _bars(shares: list[metrics.Share], title: str, intro: str) -> str:
    rows = [CountRow(key=s.key, label=s.label, count=s.count, muted=s.muted) for s in shares]
    return bar_chart_svg(rows, title=title, intro=intro, unit="transfer", css_class=CHART_CLASS)


def metrics_context(request: HttpRequest) -> dict:
    form = MetricFilterForm(request.GET or None, workgroup=request.workgroup)
    chosen = form.filters()
    transfers = metrics.transfers_in(workgroup=request.workgroup, start=chosen.start, end=chosen.end,
                                     organization=chosen.organization, direction=chosen.direction or None)
    summary = metrics.results_from_counts(metrics.metric_counts(transfers))
    months = metrics.volume_by_month(transfers, months=metrics.months_between(chosen.start, chosen.end))
    intro = f"Transfers initiated {chosen.label}, {summary[0].value} in all."
    sections = [
        ("direction", "By direction", "Direction", metrics.volume_by_direction(months)),
        ("risk", "By risk level at transfer", "Risk level", metrics.risk_level_shares(transfers)),
        ("version", "By protocol version in force", "Protocol version", metrics.protocol_version_counts(transfers)),
    ]
    month_rows = [CountRow(key=f"{m.month:%Y-%m}", label=f"{m.month:%B %Y}", count=m.total) for m in months]
    return {
        "form": form, "chosen": chosen, "summary": summary, "months": months, "empty": not summary[0].value,
        "filter_errors": form.is_bound and bool(form.errors),
        # Columns for the directions that have transfers only: six mostly empty columns would not fit.
        "directions": [(v, label) for v, label in Direction.choices if any(m.by_direction[v] for m in months)],
        "month_svg": month_chart_svg(month_rows, title="Transfers by month", intro=intro, unit="transfer",
                                     css_class=CHART_CLASS, width=max(520, min(760, 120 + 48 * len(months)))),
        "sections": [{"key": key, "title": title, "group": group, "rows": rows,
                      "svg": _bars(rows, f"Transfers {title.lower()}", intro)} for key, title, group, rows in sections],
        "can_report": can(request.user, request.workgroup, Action.EXPORT_TRANSFERS),
    }


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def metrics_page(request: HttpRequest) -> HttpResponse:
    context = metrics_context(request)
    if context["filter_errors"]:
        messages.warning(request, "Some filters could not be used, so the defaults are shown: "
                         + " ".join(e for errors in context["form"].errors.values() for e in errors))
    return render(request, "triage/transfers/metrics/index.html", context)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def definitions(request: HttpRequest) -> HttpResponse:
    return render(request, "triage/transfers/metrics/definitions.html", {"definitions": metrics.DEFINITIONS})


@workgroup_view(Action.EXPORT_TRANSFERS)
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """Choose a month; POST builds the PDF in the background (refused while the data-sharing settings say no)."""
    refusal = reports.report_refusal(workgroup=request.workgroup)
    form = MonthlyReportForm(form_data(request))
    if request.method == "POST" and not refusal and form.is_valid():
        month = form.cleaned_data["month"]
        job = job_create(actor=request.user, workgroup=request.workgroup, kind=reports.MONTHLY_REPORT,
                         params={"month": month})
        messages.info(request, f"You asked for the transfer report for {month}; its status below follows the "
                               "background job.")
        return redirect(job)
    return render_form_page(request, "triage/transfers/metrics/report.html",
                            {"form": form, "refusal": refusal}, form=form)


@workgroup_view(Action.EXPORT_TRANSFERS)
@require_safe
def report_csv(request: HttpRequest) -> HttpResponse:
    try:
        month = reports.parse_month(request.GET.get("month"))
        filename, lines = reports.report_csv(actor=request.user, workgroup=request.workgroup, month=month)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("transfers:report", slug=request.workgroup.slug)
    response = HttpResponse("".join(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


urlpatterns = [
    path("metrics/", metrics_page, name="metrics"),
    path("metrics/definitions/", definitions, name="definitions"),
    path("metrics/report/", report, name="report"),
    path("metrics/report/csv/", report_csv, name="report-csv"),
]
