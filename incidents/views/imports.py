"""Import of past incidents: upload, then one page that maps the columns and follows the check and import jobs."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from incidents import imports
from incidents.forms_imports import ImportMappingForm, IncidentImportUploadForm
from incidents.models import IncidentImport
from toolkit.csv_imports import MSG_CHECK_ASKED, MSG_IMPORT_ASKED
from toolkit.forms import INVALID_FORM_STATUS, add_service_errors, form_data
from toolkit.permissions import Action, get_object_for_user, workgroup_view
from toolkit.views.shortcuts import form_response, import_job_poll, refuse_with_message, render_form_page


@workgroup_view(Action.REVIEW_INCIDENTS)
@require_http_methods(["GET", "HEAD", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    form = IncidentImportUploadForm(form_data(request), request.FILES if request.method == "POST" else None)
    return form_response(
        request, form,
        save=partial(imports.incident_import_upload, actor=request.user, workgroup=request.workgroup),
        success_message=lambda upload: f"{upload.filename} is uploaded. Check which column holds what, then the "
                                       "file is checked row by row.",
        redirect_to=lambda upload: upload,
        template="incidents/imports/upload.html",
        context={
            "fields": imports.FIELDS,
            "max_megabytes": imports.MAX_MEGABYTES,
            "time_zone": timezone.get_current_timezone_name(),
            "pending_imports": imports.incident_import_recent(membership=request.membership),
        },
    )


# The buttons of the preview page without a form of their own: service, message, where to go next.
_ACTIONS = {
    "check": (imports.incident_import_check, MSG_CHECK_ASKED, "preview"),
    "confirm": (imports.incident_import_start, MSG_IMPORT_ASKED, "preview"),
    "discard": (imports.incident_import_discard, "{name} was discarded; nothing was imported.", "upload"),
}


@workgroup_view(Action.REVIEW_INCIDENTS)
@vary_on_headers("HX-Request")  # the page, or (while a job runs) its progress partial
@require_http_methods(["GET", "HEAD", "POST"])
def import_preview(request: HttpRequest, incident_import_id: int) -> HttpResponse:
    incident_import = get_object_for_user(
        request.user, request.workgroup, IncidentImport.objects.select_related("uploaded_by", "workgroup"),
        incident_import_id, Action.REVIEW_INCIDENTS,
    )
    state = imports.incident_import_state(incident_import=incident_import)
    if request.method == "POST":
        if request.POST.get("action") == "map":
            return _save_mapping(request, incident_import, state)
        return _preview_action(request, incident_import, state)
    polled = import_job_poll(request, state=state, import_url=incident_import.get_absolute_url())
    if polled is not None:
        return polled
    return render(request, "incidents/imports/preview.html", _context(incident_import, state))


def _mapping_form(incident_import: IncidentImport, data=None) -> ImportMappingForm:
    summary = incident_import.summary or {}
    return ImportMappingForm(data, columns=summary.get("columns", []),
                             initial=incident_import.mapping or summary.get("guessed", {}))


def _context(incident_import: IncidentImport, state: imports.ImportState, form: ImportMappingForm | None = None):
    summary = incident_import.summary or {}
    return {
        "incident_import": incident_import,
        "state": state,
        "summary": summary,
        "mapping_form": form or (_mapping_form(incident_import) if state.can_map else None),
        "samples": [(column, summary.get("samples", {}).get(column, "")) for column in summary.get("columns", [])],
        "mapped": [(spec.label, incident_import.mapping[spec.key]) for spec in imports.FIELDS
                   if incident_import.mapping.get(spec.key)],
        "more_problems": max(0, summary.get("problem_count", 0) - len(summary.get("problems", []))),
        "more_incidents": max(0, summary.get("incidents", 0) - len(summary.get("preview", []))),
    }


def _save_mapping(request: HttpRequest, incident_import: IncidentImport, state: imports.ImportState) -> HttpResponse:
    if not state.can_map:  # a job runs, or the file is gone: the page has no mapping form to show errors on
        message = {"checking": imports.MSG_CHECK_RUNNING, "importing": imports.MSG_IMPORT_RUNNING}.get(
            state.phase) or imports.MSG_NOT_PENDING.format(status=incident_import.get_status_display().lower())
        return refuse_with_message(request, ValidationError(message), incident_import)
    form = _mapping_form(incident_import, form_data(request))
    if form.is_valid():
        try:
            imports.incident_import_map(actor=request.user, incident_import=incident_import,
                                        mapping=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.info(request, f"The columns are saved; {incident_import.filename} is checked row by row "
                                   "(status below).")
            return redirect(incident_import)
    return render_form_page(request, "incidents/imports/preview.html", _context(incident_import, state, form),
                            form=form)


def _preview_action(request: HttpRequest, incident_import: IncidentImport,
                    state: imports.ImportState) -> HttpResponse:
    action = _ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, "Choose one of the buttons on this page.")
        return render(request, "incidents/imports/preview.html", _context(incident_import, state),
                      status=INVALID_FORM_STATUS)
    service, message, then = action
    try:
        service(actor=request.user, incident_import=incident_import)
    except ValidationError as exc:
        return refuse_with_message(request, exc, incident_import)
    messages.info(request, message.format(name=incident_import.filename))
    if then == "upload":
        return redirect("incidents:import-upload", slug=request.workgroup.slug)
    return redirect(incident_import)
