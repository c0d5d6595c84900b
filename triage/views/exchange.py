"""JSON export of a version and import of a shared protocol file (schema: docs/triage-protocol-schema.md)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from toolkit.forms import add_service_errors
from toolkit.permissions import Action, workgroup_view
from toolkit.views.shortcuts import render_form_page
from triage import jsonio
from triage.forms import ImportUploadForm
from triage.views.lookups import get_version


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def export_json(request: HttpRequest, protocol_version_id: int) -> HttpResponse:
    version = get_version(request, protocol_version_id, Action.VIEW_WORKGROUP)
    response = HttpResponse(jsonio.dumps(version).encode(), content_type="application/json; charset=utf-8")
    filename = f"{slugify(version.protocol.name) or 'protocol'}-v{version.number}.json"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def import_json(request: HttpRequest) -> HttpResponse:
    """The whole file is checked by the form; a clean one becomes a new protocol whose version 1 is a draft."""
    form = ImportUploadForm(request.POST, request.FILES) if request.method == "POST" else ImportUploadForm()
    if request.method == "POST" and form.is_valid():
        try:
            protocol = jsonio.import_protocol(actor=request.user, workgroup=request.workgroup,
                                              parsed=form.cleaned_data["parsed"], name=form.cleaned_data["name"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Imported “{protocol.name}” as a draft (version 1). Review it, run its "
                                      "scenarios and send it to review when your partners agree.")
            return redirect(protocol.versions.select_related("workgroup").get())
    context = {"form": form, "schema_id": jsonio.SCHEMA_ID, "schema_version": jsonio.SCHEMA_VERSION,
               "max_mb": jsonio.MAX_BYTES // 1_000_000}
    return render_form_page(request, "triage/import_upload.html", context, form=form)
