"""Attachments on the incident page: add one, download one, delete one.

Files are read only through here: the incident through the permission layer (``_incident_for``: 403 for
people who read no incidents, 404 for one they may not read), then the attachment rule (QA reviewers,
coordinators and the reporter; partner agencies' reviewers find nothing). A download of a marked incident's
file writes an audit row.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST, require_safe

from incidents import attachments
from incidents.forms_intake import AttachmentDeleteForm, AttachmentForm
from incidents.models import Attachment, Incident
from incidents.sharing import access_to
from incidents.views.incidents import _detail_page, _incident_for
from toolkit.audit import record_access
from toolkit.forms import add_service_errors, form_data
from toolkit.models import AuditAction
from toolkit.permissions import Action, workgroup_view
from toolkit.views.shortcuts import refuse_with_message


def _section(incident: Incident) -> str:
    return f"{incident.get_absolute_url()}#attachments"


def _attachment_for(request: HttpRequest, incident: Incident, attachment_id: int) -> Attachment:
    if not attachments.may_read(access_to(membership=request.membership, incident=incident)):
        raise Http404("No such file, or not one you may read.")
    found = incident.attachments.select_related("uploaded_by").filter(pk=attachment_id).first()
    if found is None:
        raise Http404("No such file, or not one you may read.")
    return found


@workgroup_view(Action.VIEW_WORKGROUP)
@require_POST
def attachment_upload(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = _incident_for(request, incident_id)
    form = AttachmentForm(form_data(request), request.FILES)
    if form.is_valid():
        try:
            attachment = attachments.attachment_add(actor=request.user, incident=incident,
                                                    upload=form.cleaned_data["file"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{attachment.filename} is attached.")
            return redirect(_section(incident))
    return _detail_page(request, incident, attachment_form=form)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def attachment_download(request: HttpRequest, incident_id: int, attachment_id: int) -> HttpResponse:
    incident = _incident_for(request, incident_id)
    attachment = _attachment_for(request, incident, attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    if incident.is_marked and request.method == "GET":
        record_access(actor=request.user, obj=incident, action=AuditAction.DOWNLOADED,
                      detail=f"Attachment {attachment.filename}")
    # The type read from the content when it was added; never shown in the browser, never sniffed again.
    response = FileResponse(handle, as_attachment=True, filename=attachment.filename,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@workgroup_view(Action.REVIEW_INCIDENTS)
@require_POST
def attachment_delete(request: HttpRequest, incident_id: int, attachment_id: int) -> HttpResponse:
    incident = _incident_for(request, incident_id)
    attachment = _attachment_for(request, incident, attachment_id)
    form = AttachmentDeleteForm(form_data(request))
    if not form.is_valid():
        return refuse_with_message(request, ValidationError(form.errors["confirm"]), _section(incident))
    try:
        attachments.attachment_delete(actor=request.user, incident=incident, attachment=attachment)
    except ValidationError as exc:
        return refuse_with_message(request, exc, _section(incident))
    messages.success(request, f"{attachment.filename} is deleted.")
    return redirect(_section(incident))
