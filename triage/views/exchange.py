"""JSON export of a version and import of a shared protocol file (schema: docs/triage-protocol-schema.md)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from toolkit.permissions import Action, get_object_for_user, workgroup_view
from triage import jsonio
from triage.models import ProtocolVersion


class ImportUploadForm(forms.Form):
    file = forms.FileField(label="Protocol JSON file",
                           widget=forms.FileInput(attrs={"accept": ".json,application/json"}))
    name = forms.CharField(label="Name for the imported protocol", required=False, max_length=200,
                           help_text="Leave empty to use the name in the file.")


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def export_json(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_for_user(request.user, request.workgroup, ProtocolVersion.objects.select_related("protocol"),
                                  pk, Action.VIEW_WORKGROUP)
    response = HttpResponse(jsonio.dumps(version).encode(), content_type="application/json; charset=utf-8")
    filename = f"{slugify(version.protocol.name) or 'protocol'}-v{version.number}.json"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def _upload_page(request: HttpRequest, form: ImportUploadForm, errors=(), status: int = 200) -> HttpResponse:
    context = {"form": form, "errors": errors, "schema_id": jsonio.SCHEMA_ID, "schema_version": jsonio.SCHEMA_VERSION,
               "max_mb": jsonio.MAX_BYTES // 1_000_000}
    return render(request, "triage/import_upload.html", context, status=status)


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def import_json(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _upload_page(request, ImportUploadForm())
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, form, status=400)
    # One byte past the limit is enough to know a file is too big without reading all of it.
    parsed = jsonio.parse(form.cleaned_data["file"].read(jsonio.MAX_BYTES + 1))
    if parsed.errors:
        return _upload_page(request, form, errors=parsed.errors, status=400)
    try:
        protocol = jsonio.import_protocol(actor=request.user, workgroup=request.workgroup, parsed=parsed,
                                          name=form.cleaned_data["name"] or None)
    except ValidationError as exc:
        return _upload_page(request, form, errors=exc.messages, status=400)
    version = protocol.versions.get()
    messages.success(request, f"Imported “{protocol.name}” as a draft (version 1). Review it, run its scenarios "
                              "and send it to review when your partners agree.")
    return redirect("triage:version-detail", slug=request.workgroup.slug, pk=version.pk)
