"""Importing transfers from a partner's CSV export: upload, then one page that maps the columns and follows the
check and import jobs (the same flow as the incident import)."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from toolkit.csv_imports import MSG_CHECK_ASKED, MSG_IMPORT_ASKED
from toolkit.forms import INVALID_FORM_STATUS, add_service_errors, form_data
from toolkit.permissions import Action, get_object_for_user, workgroup_view
from toolkit.views.shortcuts import form_response, import_job_poll, refuse_with_message, render_form_page
from triage.models import TransferImport
from triage.transfers import import_rows, imports
from triage.transfers.forms_imports import TransferImportUploadForm, TransferMappingForm


def map_url(transfer_import: TransferImport) -> str:
    return reverse("transfers:import-map", kwargs={"slug": transfer_import.workgroup.slug,
                                                   "transfer_import_id": transfer_import.pk})


@workgroup_view(Action.RECORD_TRANSFERS)
@require_http_methods(["GET", "HEAD", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    form = TransferImportUploadForm(form_data(request), request.FILES if request.method == "POST" else None,
                                    workgroup=request.workgroup)
    return form_response(
        request, form,
        save=partial(imports.transfer_import_upload, actor=request.user, workgroup=request.workgroup),
        success_message=lambda upload: f"{upload.filename} is uploaded. Check which column holds what; then the "
                                       "file is checked row by row.",
        redirect_to=lambda upload: map_url(upload),
        template="triage/transfers/imports/upload.html",
        context={"fields": imports.FIELDS, "max_megabytes": imports.MAX_MEGABYTES,
                 "time_zone": timezone.get_current_timezone_name(),
                 "pending_imports": imports.transfer_import_recent(membership=request.membership)},
    )


# The preview page's buttons without a form of their own: service, message, where to go next.
_ACTIONS = {
    "check": (imports.transfer_import_check, MSG_CHECK_ASKED, "preview"),
    "confirm": (imports.transfer_import_start, MSG_IMPORT_ASKED, "preview"),
    "discard": (imports.transfer_import_discard, "{name} was discarded; nothing was imported.", "upload"),
}


@workgroup_view(Action.RECORD_TRANSFERS)
@vary_on_headers("HX-Request")  # the page, or (while a job runs) its progress partial
@require_http_methods(["GET", "HEAD", "POST"])
def import_preview(request: HttpRequest, transfer_import_id: int) -> HttpResponse:
    transfer_import = get_object_for_user(
        request.user, request.workgroup,
        TransferImport.objects.select_related("uploaded_by", "workgroup", "organization"),
        transfer_import_id, Action.RECORD_TRANSFERS)
    state = imports.transfer_import_state(transfer_import=transfer_import)
    if request.method == "POST":
        return _preview_action(request, transfer_import, state)
    polled = import_job_poll(request, state=state, import_url=transfer_import.get_absolute_url())
    if polled is not None:
        return polled
    return render(request, "triage/transfers/imports/preview.html", _context(transfer_import, state))


def _mapping_form(transfer_import: TransferImport, data=None) -> TransferMappingForm:
    return TransferMappingForm(data, columns=(transfer_import.summary or {}).get("columns", []),
                               initial=imports.initial_mapping(transfer_import))


def _context(transfer_import: TransferImport, state, form: TransferMappingForm | None = None) -> dict:
    summary = transfer_import.summary or {}
    return {
        "transfer_import": transfer_import, "state": state, "summary": summary,
        "mapping_form": form, "map_url": map_url(transfer_import) if state.can_map else "",
        "from_saved": bool(summary.get("saved")) and not transfer_import.mapping,
        "samples": [(column, summary.get("samples", {}).get(column, "")) for column in summary.get("columns", [])],
        "synonyms": import_rows.synonyms_table(),
        "more_problems": max(0, summary.get("problem_count", 0) - len(summary.get("problems", []))),
        "more_rows": max(0, summary.get("new", 0) - len(summary.get("preview", []))),
    }


@workgroup_view(Action.RECORD_TRANSFERS)
@require_http_methods(["GET", "HEAD", "POST"])
def import_map(request: HttpRequest, transfer_import_id: int) -> HttpResponse:
    """Which column holds which field: prefilled from the partner's saved columns, else guessed."""
    transfer_import = get_object_for_user(
        request.user, request.workgroup, TransferImport.objects.select_related("workgroup", "organization"),
        transfer_import_id, Action.RECORD_TRANSFERS)
    state = imports.transfer_import_state(transfer_import=transfer_import)
    if not state.can_map:  # a job runs, or the file is gone: the preview says so
        if request.method != "POST":
            return redirect(transfer_import)
        message = {"checking": imports.MSG_CHECK_RUNNING, "importing": imports.MSG_IMPORT_RUNNING}.get(
            state.phase) or imports.MSG_NOT_PENDING.format(status=transfer_import.get_status_display().lower())
        return refuse_with_message(request, ValidationError(message), transfer_import)
    form = _mapping_form(transfer_import, form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            imports.transfer_import_map(actor=request.user, transfer_import=transfer_import,
                                        mapping=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.info(request, f"The columns are saved for {transfer_import.organization}'s exports; "
                                   f"{transfer_import.filename} is checked row by row (status below).")
            return redirect(transfer_import)
    return render_form_page(request, "triage/transfers/imports/map.html",
                            _context(transfer_import, state, form), form=form)


def _preview_action(request: HttpRequest, transfer_import: TransferImport, state) -> HttpResponse:
    action = _ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, "Choose one of the buttons on this page.")
        return render(request, "triage/transfers/imports/preview.html", _context(transfer_import, state),
                      status=INVALID_FORM_STATUS)
    service, message, then = action
    try:
        service(actor=request.user, transfer_import=transfer_import)
    except ValidationError as exc:
        return refuse_with_message(request, exc, transfer_import)
    messages.info(request, message.format(name=transfer_import.filename))
    if then == "upload":
        return redirect("transfers:import-upload", slug=request.workgroup.slug)
    return redirect(transfer_import)


urlpatterns = [
    path("import/", import_upload, name="import-upload"),
    path("import/<int:transfer_import_id>/", import_preview, name="import-preview"),
    path("import/<int:transfer_import_id>/columns/", import_map, name="import-map"),
]
