"""Directory CSV import: upload, then a preview page that follows the background check and import jobs."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from partners import directory_io, imports
from partners.forms import DirectoryImportUploadForm
from partners.models import DirectoryImport
from toolkit.csv_imports import MSG_CHECK_ASKED, MSG_IMPORT_ASKED
from toolkit.forms import INVALID_FORM_STATUS, form_data
from toolkit.permissions import Action, get_object_for_user, workgroup_view
from toolkit.views.shortcuts import form_response, import_job_poll, refuse_with_message


@workgroup_view(Action.EDIT_PARTNERS)
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    form = DirectoryImportUploadForm(form_data(request), request.FILES if request.method == "POST" else None)
    return form_response(
        request, form,
        save=partial(imports.directory_import_upload, actor=request.user, workgroup=request.workgroup),
        success_message=lambda upload: f"{upload.filename} is uploaded; the status below follows the check.",
        redirect_to=lambda upload: upload,
        template="partners/import_upload.html",
        context={
            "columns": directory_io.EXPORT_COLUMNS,
            "max_megabytes": directory_io.MAX_MEGABYTES,
            "pending_imports": imports.directory_import_recent(membership=request.membership),
        },
    )


# The buttons of the preview page: service, what to say when it worked, where to go next.
_ACTIONS = {
    "check": (imports.directory_import_check, MSG_CHECK_ASKED, "preview"),
    "confirm": (imports.directory_import_start, MSG_IMPORT_ASKED, "preview"),
    "discard": (imports.directory_import_discard, "{name} was discarded; nothing was imported.", "upload"),
}


@workgroup_view(Action.EDIT_PARTNERS)
@vary_on_headers("HX-Request")  # the page, or (while a job runs) its progress partial
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, directory_import_id: int) -> HttpResponse:
    directory_import = get_object_for_user(
        request.user, request.workgroup, DirectoryImport.objects.select_related("uploaded_by", "workgroup"),
        directory_import_id, Action.EDIT_PARTNERS,
    )
    if request.method == "POST":
        return _preview_action(request, directory_import)
    state = imports.directory_import_state(directory_import=directory_import)
    polled = import_job_poll(request, state=state, import_url=directory_import.get_absolute_url())
    if polled is not None:
        return polled
    return render(request, "partners/import_preview.html", _preview_context(directory_import, state))


def _preview_context(directory_import: DirectoryImport, state: imports.ImportState) -> dict:
    summary = directory_import.summary or {}
    return {
        "directory_import": directory_import,
        "state": state,
        "summary": summary,
        "more_problems": max(0, summary.get("problem_count", 0) - len(summary.get("problems", []))),
        "more_organizations": max(0, summary.get("organizations", 0) - len(summary.get("preview", []))),
    }


def _preview_action(request: HttpRequest, directory_import: DirectoryImport) -> HttpResponse:
    action = _ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        state = imports.directory_import_state(directory_import=directory_import)
        messages.error(request, "Choose one of the buttons on this page.")
        return render(request, "partners/import_preview.html", _preview_context(directory_import, state),
                      status=INVALID_FORM_STATUS)
    service, message, then = action
    try:
        service(actor=request.user, directory_import=directory_import)
    except ValidationError as exc:
        return refuse_with_message(request, exc, directory_import)
    messages.info(request, message.format(name=directory_import.filename))
    if then == "upload":
        return redirect("partners:import", slug=request.workgroup.slug)
    return redirect(directory_import)
