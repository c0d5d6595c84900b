"""Post-response data sharing: the settings (coordinators), the exports page and the CSV downloads (QA and
coordinators, as far as the settings allow). The rules live in ``incidents.exports``."""

from __future__ import annotations

from functools import partial

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from incidents import exports
from incidents.forms_sharing import DataSharingForm
from incidents.sharing import JOINT_REVIEW_FIELDS, incident_settings
from toolkit.forms import form_data
from toolkit.permissions import Action, can, workgroup_view
from toolkit.views.shortcuts import form_response


@workgroup_view(Action.EDIT_WORKGROUP)
@require_http_methods(["GET", "HEAD", "POST"])
def data_sharing(request: HttpRequest) -> HttpResponse:
    settings = incident_settings(workgroup=request.workgroup)
    form = DataSharingForm(form_data(request), workgroup=request.workgroup, settings=settings)
    return form_response(
        request, form,
        save=partial(exports.incident_settings_update, actor=request.user, workgroup=request.workgroup),
        success_message="The data-sharing settings are saved.",
        redirect_to=reverse("incidents:exports", kwargs={"slug": request.workgroup.slug}),
        template="incidents/data_sharing.html",
        context={"settings": settings, "lapsed": _lapsed(settings)},
    )


def _lapsed(settings) -> bool:
    """A data use agreement is recorded but is no longer approved or executed."""
    return settings.data_use_agreement_id is not None and exports.agreement_in_effect(settings=settings) is None


def _exports_page(request: HttpRequest, *, refusal: str = "", status: int = 200) -> HttpResponse:
    settings = incident_settings(workgroup=request.workgroup)
    agreement = exports.agreement_in_effect(settings=settings)
    kinds = [{"kind": kind, "refusal": exports.export_refusal(kind=kind, settings=settings, agreement=agreement)}
             for kind in exports.EXPORT_KINDS.values()]
    fields = dict(JOINT_REVIEW_FIELDS)
    return render(request, "incidents/exports.html", {
        "settings": settings,
        "level_label": exports.ExportLevel(settings.export_level).label
        if settings.export_level in exports.ExportLevel.values else settings.export_level,
        "agreement": agreement,
        "recorded_agreement": settings.data_use_agreement if settings.data_use_agreement_id else None,
        "joint_fields": [fields[name] for name in settings.joint_review_fields if name in fields],
        "kinds": kinds,
        "counts": exports.export_counts(workgroup=request.workgroup),
        "can_edit_settings": can(request.user, request.workgroup, Action.EDIT_WORKGROUP),
        "refusal": refusal,
        "suppressed": exports.SUPPRESSED,
        "hidden": exports.HIDDEN,
    }, status=status)


@workgroup_view(Action.EXPORT_INCIDENTS)
@require_safe
def export_page(request: HttpRequest) -> HttpResponse:
    return _exports_page(request)


@workgroup_view(Action.EXPORT_INCIDENTS)
@require_safe
def export_download(request: HttpRequest, export_kind: str) -> HttpResponse:
    kind = exports.EXPORT_KINDS.get(export_kind)
    if kind is None:
        raise Http404("No such export.")
    try:
        export = exports.export_prepare(actor=request.user, workgroup=request.workgroup, kind=kind)
    except PermissionDenied as refused:
        return _exports_page(request, refusal=str(refused), status=403)
    response = StreamingHttpResponse(export.lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
