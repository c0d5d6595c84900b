"""Incident reports: the list (what this person may read), the report form and one report.

QA reviewers and coordinators read every report; members and legal reviewers read the reports they made
(another person's report is simply not found); viewers read none. All through the permission layer.
"""

from __future__ import annotations

from functools import partial

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_safe

from incidents import selectors, services
from incidents.forms import IncidentReportForm, TriageForm
from incidents.models import Incident, IncidentStatus
from toolkit.forms import form_data
from toolkit.pagination import keyset_page
from toolkit.permissions import Action, can, workgroup_view
from toolkit.selectors import object_history
from toolkit.views.shortcuts import form_response, render_form_page

PAGE_SIZE = 25


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    page = keyset_page(
        selectors.incident_list(membership=request.membership).select_related("workgroup"),
        keys=("-occurred_at", "-id"), after=request.GET.get("after"), before=request.GET.get("before"),
        size=PAGE_SIZE,
    )
    return render(request, "incidents/index.html", {
        "page": page,
        "can_report": can(request.user, request.workgroup, Action.REPORT_INCIDENTS),
        "sees_all": selectors.sees_every_incident(request.membership),
        "reads_any": selectors.reads_own_incidents(request.membership),
    })


@workgroup_view(Action.REPORT_INCIDENTS)
@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    form = IncidentReportForm(form_data(request), workgroup=request.workgroup)
    return form_response(
        request, form,
        save=partial(services.incident_report, actor=request.user, workgroup=request.workgroup),
        success_message=lambda incident: f"Thank you: your report is {incident.reference}. QA reviewers will see it.",
        redirect_to=lambda incident: incident,
        template="incidents/report.html",
    )


def _incident_for(request: HttpRequest, incident_id: int) -> Incident:
    """The report, if this person may read it: 403 for people who read no reports, 404 for someone else's."""
    incident = (selectors.incident_list(membership=request.membership)
                .select_related("workgroup", "reported_by", "reviewer", "protocol_version__protocol")
                .prefetch_related("organizations").filter(pk=incident_id).first())
    if incident is None:
        if not selectors.reads_own_incidents(request.membership):
            raise PermissionDenied("Incident reports are read by the people who report them, QA reviewers and "
                                   "coordinators.")
        raise Http404("No such incident report, or not one you may read.")
    return incident


def _detail_page(request: HttpRequest, incident: Incident, *, triage_form: TriageForm | None = None) -> HttpResponse:
    reviews = can(request.user, request.workgroup, Action.REVIEW_INCIDENTS)
    context = {"incident": incident, "reviews": reviews}
    if reviews:
        context["timeline"] = object_history(workgroup=request.workgroup, obj=incident)
        if incident.status == IncidentStatus.SUBMITTED or triage_form is not None:  # a refused triage says why
            context["triage_form"] = triage_form or TriageForm(workgroup=request.workgroup,
                                                               initial={"reviewer": request.user.pk})
    return render_form_page(request, "incidents/incident_detail.html", context, form=triage_form)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    return _detail_page(request, _incident_for(request, incident_id))
