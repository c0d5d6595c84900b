"""The public intake link: the form staff without an account report through, and the page QA manages it on.

The form page is public on purpose: the link's secret is the credential, and it reaches one thing only —
a blank report form for that workgroup. After sending, the person sees the reference and a thank-you, and
nothing else of the workgroup (the confirmation is rendered in answer to the POST, never a redirect to a
page that lists incidents).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from incidents import intake
from incidents.forms_intake import IntakeLinkForm, IntakeLinkOperation, IntakeReportForm
from incidents.models import Incident, SubmittedVia
from incidents.sharing import incident_settings
from toolkit.forms import add_service_errors, form_data
from toolkit.permissions import Action, token_view, workgroup_view
from toolkit.views.shortcuts import render_form_page

FORM_TEMPLATE = "incidents/intake/form.html"

_DONE = {
    IntakeLinkOperation.TURN_ON: "The intake link is on. Copy it below and send it to the staff who should have it.",
    IntakeLinkOperation.REPLACE: "The link is replaced: the old one no longer works. Send the new one to the staff "
                                 "who should have it.",
    IntakeLinkOperation.TURN_OFF: "The intake link is off: nobody can send a report through it now.",
}
_SERVICES = {
    IntakeLinkOperation.TURN_ON: intake.intake_link_enable,
    IntakeLinkOperation.REPLACE: intake.intake_link_rotate,
    IntakeLinkOperation.TURN_OFF: intake.intake_link_disable,
}


@workgroup_view(Action.REVIEW_INCIDENTS)
@require_http_methods(["GET", "HEAD", "POST"])
def intake_link(request: HttpRequest) -> HttpResponse:
    form = IntakeLinkForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        operation = form.cleaned_data["operation"]
        try:
            _SERVICES[operation](actor=request.user, workgroup=request.workgroup)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _DONE[operation])
            return redirect("incidents:intake-link", slug=request.workgroup.slug)
    settings = incident_settings(workgroup=request.workgroup)
    token = settings.intake_token
    received = Incident.objects.restrict(request.membership, Action.REVIEW_INCIDENTS).filter(
        submitted_via=SubmittedVia.INTAKE).aggregate(count=Count("id"), latest=Max("created_at"))
    return render_form_page(request, "incidents/intake_link.html", {
        "form": form,
        "posted": form.data.get("operation", "") if form.is_bound else "",
        "link": intake.intake_url(request, workgroup=request.workgroup, token=token) if token else "",
        "made_at": settings.intake_rotated_at,
        "received": received,
        "confirm_labels": IntakeLinkForm.CONFIRM_LABELS,
        "operations": IntakeLinkOperation,
        "rate_per_address": intake.rate_per_address(),
        "rate_per_link": intake.rate_per_link(),
    }, form=form)


@token_view(intake.workgroup_for_token, refused_template="incidents/intake/link_refused.html")
@require_http_methods(["GET", "HEAD", "POST"])
def intake_report(request: HttpRequest) -> HttpResponse:
    """The token has been resolved by the permission layer (refusals rendered there); no account involved."""
    workgroup = request.link_subject
    form = IntakeReportForm(form_data(request), request.FILES if request.method == "POST" else None,
                            workgroup=workgroup)
    context = {"workgroup": workgroup, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            incident = intake.intake_submit(workgroup=workgroup, address=intake.client_address(request),
                                            **form.service_kwargs())
        except intake.RateLimited as limited:
            response = render(request, FORM_TEMPLATE, context | {"form": form.refreshed(),
                                                                 "rate_limited": limited.message}, status=429)
            response["Retry-After"] = str(limited.retry_after)
            return response
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return render(request, "incidents/intake/thanks.html", {"workgroup": workgroup,
                                                                     "reference": incident.reference})
    return render_form_page(request, FORM_TEMPLATE, context | {"form": form.refreshed()}, form=form)
