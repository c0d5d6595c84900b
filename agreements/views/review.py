"""Review, signatures and exports: each view resolves the agreement through the permission layer and calls one service.

A step the service refuses (a button without a form) is shown as an error message on the agreement
page and changes nothing; a form it refuses is shown again with the reason and what was typed (400).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agreements import exports, services
from agreements.forms import (
    ApproveForm,
    CommentForm,
    RequestChangesForm,
    ResolveForm,
    SignatureForm,
    SignedScanForm,
)
from agreements.models import Agreement, AgreementStatus, ReviewComment
from agreements.selectors import render_version
from agreements.views import reviewing
from agreements.views.drafting import agreement_for, detail_page, version_for
from toolkit.forms import add_service_errors
from toolkit.permissions import Action, get_object_for_user, workgroup_view
from toolkit.views.shortcuts import form_response, refuse_with_message

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _run(request: HttpRequest, agreement: Agreement, service: Callable, success: str) -> HttpResponse:
    try:
        service(actor=request.user, agreement=agreement)
    except ValidationError as exc:
        return refuse_with_message(request, exc, agreement)
    messages.success(request, success)
    return redirect(agreement)


# --- Status workflow ---------------------------------------------------------------------------


@workgroup_view(Action.EDIT_AGREEMENTS)
@require_POST
def submit(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = agreement_for(request, agreement_id, Action.EDIT_AGREEMENTS)
    return _run(request, agreement, services.agreement_submit,
                f"Version {agreement.current_version_number} is in legal review.")


def _decide(request: HttpRequest, agreement_id: int, form_class, service: Callable, success: str) -> HttpResponse:
    agreement = agreement_for(request, agreement_id, Action.REVIEW_AGREEMENTS)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(actor=request.user, agreement=agreement, **form.cleaned_data)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # the step itself is not possible now: say so, change nothing
                return refuse_with_message(request, exc, reviewing.review_url(agreement,
                                                                              agreement.current_version_number))
            add_service_errors(form, exc)  # a field of the form (the reason): shown next to it, text kept
        else:
            messages.success(request, success.format(number=agreement.current_version_number))
            return redirect(reviewing.review_url(agreement, agreement.current_version_number))
    return reviewing.decision_refused(request, agreement, form)


@workgroup_view(Action.REVIEW_AGREEMENTS)
@require_POST
def request_changes(request: HttpRequest, agreement_id: int) -> HttpResponse:
    return _decide(request, agreement_id, RequestChangesForm, services.agreement_request_changes,
                   "Changes requested on version {number}: the drafters are told, and the open comments stay "
                   "with their clauses until resolved.")


@workgroup_view(Action.REVIEW_AGREEMENTS)
@require_POST
def approve(request: HttpRequest, agreement_id: int) -> HttpResponse:
    return _decide(request, agreement_id, ApproveForm, services.agreement_approve,
                   "Version {number} is approved and can no longer change. Record each party's counsel approval "
                   "and signature date when they come in.")


@workgroup_view(Action.EDIT_AGREEMENTS)
@require_POST
def new_draft(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = agreement_for(request, agreement_id, Action.EDIT_AGREEMENTS)
    try:
        version = services.agreement_new_draft(actor=request.user, agreement=agreement)
    except ValidationError as exc:
        return refuse_with_message(request, exc, agreement)
    messages.success(request, f"Version {version.number} is a new draft; the signature dates were cleared.")
    return redirect(agreement)


@workgroup_view(Action.EDIT_AGREEMENTS)
@require_POST
def execute(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = agreement_for(request, agreement_id, Action.EDIT_AGREEMENTS)
    return _run(request, agreement, services.agreement_execute,
                "The agreement is executed: every party has signed. Exports no longer carry the DRAFT mark.")


# --- Signatures --------------------------------------------------------------------------------


@workgroup_view(Action.EDIT_AGREEMENTS)
@require_http_methods(["GET", "POST"])
def signatures(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = agreement_for(request, agreement_id, Action.EDIT_AGREEMENTS, parties=True)
    if agreement.status != AgreementStatus.APPROVED:
        messages.error(request, "Signatures are recorded on an approved agreement.")
        return redirect(agreement)
    form = SignatureForm(request.POST if request.method == "POST" else None, parties=agreement.parties.all())

    def save(**_) -> Agreement:
        with transaction.atomic():  # all dates or none
            for party, signed_on in form.dates():
                services.party_record_signature(actor=request.user, party=party, signed_on=signed_on)
        return agreement

    return form_response(request, form, save=save, template="agreements/signatures.html",
                         context={"agreement": agreement}, success_message="The signature dates are recorded.",
                         redirect_to=agreement)


# --- Comments ----------------------------------------------------------------------------------


@workgroup_view(Action.COMMENT_AGREEMENTS)
@require_POST
def comment_create(request: HttpRequest, agreement_id: int, version_number: int) -> HttpResponse:
    agreement = reviewing.review_agreement(request, agreement_id, Action.COMMENT_AGREEMENTS)
    version = version_for(agreement, version_number)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(actor=request.user, version=version, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your comment is added. It stays open on later versions until resolved.")
            return redirect(reviewing.review_url(agreement, version.number, form.cleaned_data["clause_key"]))
    # The review page again (400), the reason next to the comment box, the text still in it.
    return reviewing.review_page_response(request, agreement, version, clause_key=form.data.get("clause_key", ""),
                                          refused=form)


@workgroup_view(Action.COMMENT_AGREEMENTS)
@require_POST
def comment_resolve(request: HttpRequest, comment_id: int) -> HttpResponse:
    queryset = ReviewComment.objects.select_related("version", "agreement__workgroup")
    comment = get_object_for_user(request.user, request.workgroup, queryset, comment_id, Action.COMMENT_AGREEMENTS)
    back = reviewing.review_url(comment.agreement, comment.agreement.current_version_number, comment.clause_key)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.comment_resolve(actor=request.user, comment=comment, reply=form.cleaned_data["reply"])
        except ValidationError as exc:
            return refuse_with_message(request, exc, back)
        messages.success(request, "The comment is resolved.")
        return redirect(back)
    # Not resolved: the review page again (400) with the reason and the text typed.
    agreement = reviewing.review_agreement(request, comment.agreement_id)
    return reviewing.review_page_response(request, agreement, version_for(agreement,
                                                                          agreement.current_version_number),
                                          clause_key=comment.clause_key, refused=form,
                                          refused_comment_id=comment.pk)


# --- Exports -----------------------------------------------------------------------------------


def _export(request: HttpRequest, agreement_id: int, version_number: int, render_bytes: Callable, extension: str,
            content_type: str) -> HttpResponse:
    agreement = agreement_for(request, agreement_id, Action.EXPORT_AGREEMENTS, parties=True)
    version = version_for(agreement, version_number)
    content = render_bytes(render_version(version))
    filename = f"{slugify(version.title) or 'agreement'}-v{version.number}.{extension}"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@workgroup_view(Action.EXPORT_AGREEMENTS)
@require_GET
def export_docx(request: HttpRequest, agreement_id: int, version_number: int) -> HttpResponse:
    return _export(request, agreement_id, version_number, exports.agreement_docx, "docx", DOCX_CONTENT_TYPE)


@workgroup_view(Action.EXPORT_AGREEMENTS)
@require_GET
def export_pdf(request: HttpRequest, agreement_id: int, version_number: int) -> HttpResponse:
    return _export(request, agreement_id, version_number, exports.agreement_pdf, "pdf", "application/pdf")


# --- The signed copy ---------------------------------------------------------------------------


@workgroup_view(Action.EDIT_AGREEMENTS)
@require_POST
def signed_scan_upload(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = agreement_for(request, agreement_id, Action.EDIT_AGREEMENTS, parties=True)
    form = SignedScanForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.agreement_attach_signed_scan(actor=request.user, agreement=agreement,
                                                  uploaded=form.cleaned_data["file"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The signed copy is attached.")
            return redirect(agreement)
    # The agreement's page again (400), the reason next to the upload.
    return detail_page(request, agreement, scan_form=form)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def signed_scan_download(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = agreement_for(request, agreement_id, Action.VIEW_WORKGROUP)
    if not agreement.signed_scan:
        raise Http404("No signed copy has been attached.")
    filename = f"{slugify(agreement.title) or 'agreement'}-signed.pdf"
    return FileResponse(agreement.signed_scan.open("rb"), as_attachment=True, filename=filename,
                        content_type="application/pdf")
