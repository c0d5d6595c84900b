"""The after-action review of one incident (QA reviewers and coordinators): the report and its PDF."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from incidents import after_action
from incidents.forms_after_action import AfterActionForm
from incidents.models import Incident
from toolkit.audit import record_access
from toolkit.forms import form_data
from toolkit.models import AuditAction
from toolkit.permissions import Action, get_object_for_user, workgroup_view
from toolkit.views.shortcuts import form_response, refuse_with_message


def _incident(request: HttpRequest, incident_id: int) -> Incident:
    return get_object_for_user(request.user, request.workgroup,
                               Incident.objects.select_related("workgroup", "protocol_version__protocol"),
                               incident_id, Action.REVIEW_INCIDENTS)


def _page_url(incident: Incident) -> str:
    return reverse("incidents:after-action", kwargs={"slug": incident.workgroup.slug, "incident_id": incident.pk})


@workgroup_view(Action.REVIEW_INCIDENTS)
@require_http_methods(["GET", "HEAD", "POST"])
def after_action_edit(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = _incident(request, incident_id)
    report = after_action.after_action_report(incident=incident)
    initial = {"summary": report.summary, "strengths": report.strengths,
               "areas_for_improvement": report.areas_for_improvement} if report else None
    form = AfterActionForm(form_data(request), initial=initial)
    if incident.is_marked and request.method in ("GET", "HEAD"):
        record_access(actor=request.user, obj=incident, action=AuditAction.VIEWED, detail="After-action review page")
    return form_response(
        request, form,
        save=partial(after_action.after_action_save, actor=request.user, incident=incident),
        success_message=f"The after-action report on {incident.reference} is saved.",
        redirect_to=_page_url(incident),
        template="incidents/after_action.html",
        context={
            "incident": incident,
            "report": report,
            "plan": after_action.improvement_plan_page(incident=incident),
            "signs": after_action.significance_signs(incident),
            "pdf_jobs": after_action.after_action_pdf_jobs(incident=incident),
            "mark": after_action.mark_of(incident),
        },
    )


@workgroup_view(Action.REVIEW_INCIDENTS)
@require_POST
def after_action_pdf(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = _incident(request, incident_id)
    try:
        job = after_action.after_action_pdf_start(actor=request.user, incident=incident)
    except ValidationError as exc:
        return refuse_with_message(request, exc, _page_url(incident))
    messages.info(request, f"You asked for the after-action report on {incident.reference} as a PDF; its status "
                           "below follows the background job.")
    return redirect(job)
