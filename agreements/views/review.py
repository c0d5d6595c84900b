"""Review, signatures and exports: each view resolves the agreement through the permission layer and calls one service.

A refusal by the service is shown as an error message on the agreement page and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agreements import exports, services
from agreements.models import Agreement, AgreementStatus, AgreementVersion, ReviewComment
from agreements.selectors import render_version
from toolkit.permissions import Action, get_object_for_user, workgroup_view

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _agreement(request: HttpRequest, pk: int, action: Action) -> Agreement:
    queryset = Agreement.objects.select_related("workgroup", "template")
    return get_object_for_user(request.user, request.workgroup, queryset, pk, action)


def _version(agreement: Agreement, number: int) -> AgreementVersion:
    version = agreement.versions.filter(number=number).first()
    if version is None:
        raise Http404("No such version.")
    return version


def _to_detail(request: HttpRequest, agreement: Agreement) -> HttpResponse:
    return redirect("agreements:agreement-detail", slug=request.workgroup.slug, pk=agreement.pk)


def _run(request: HttpRequest, agreement: Agreement, service: Callable, success: str) -> HttpResponse:
    try:
        service(actor=request.user, agreement=agreement)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return _to_detail(request, agreement)


# --- Status workflow ---------------------------------------------------------------------------


@workgroup_view(Action.EDIT_AGREEMENTS)
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk, Action.EDIT_AGREEMENTS)
    return _run(request, agreement, services.agreement_submit,
                f"Version {agreement.current_version_number} is in legal review.")


@workgroup_view(Action.REVIEW_AGREEMENTS)
@require_POST
def request_changes(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk, Action.REVIEW_AGREEMENTS)
    return _run(request, agreement, services.agreement_request_changes,
                "Changes requested: the coordinator sees the open comments per clause and can revise the draft.")


@workgroup_view(Action.REVIEW_AGREEMENTS)
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk, Action.REVIEW_AGREEMENTS)
    return _run(request, agreement, services.agreement_approve,
                f"Version {agreement.current_version_number} is approved and can no longer change. "
                "Record each party's signature date when it is signed.")


@workgroup_view(Action.EDIT_AGREEMENTS)
@require_POST
def new_draft(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk, Action.EDIT_AGREEMENTS)
    try:
        version = services.agreement_new_draft(actor=request.user, agreement=agreement)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Version {version.number} is a new draft; the signature dates were cleared.")
    return _to_detail(request, agreement)


@workgroup_view(Action.EDIT_AGREEMENTS)
@require_POST
def execute(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk, Action.EDIT_AGREEMENTS)
    return _run(request, agreement, services.agreement_execute,
                "The agreement is executed: every party has signed. Exports no longer carry the DRAFT mark.")


# --- Signatures --------------------------------------------------------------------------------


class SignatureForm(forms.Form):
    """One optional date per party; an empty date leaves that party's record as it is."""

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        self.parties = list(parties)
        for party in self.parties:
            self.fields[f"party_{party.pk}"] = forms.DateField(
                label=party.name, required=False, initial=party.signed_on,
                widget=forms.DateInput(attrs={"type": "date", "class": "form-control",
                                              "max": timezone.localdate().isoformat()}, format="%Y-%m-%d"),
                help_text=" ".join(filter(None, [party.signatory_name, party.signatory_title])),
            )

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        for party in self.parties:
            signed_on = cleaned.get(f"party_{party.pk}")
            if signed_on and signed_on > today:
                self.add_error(f"party_{party.pk}", "A signature date cannot be in the future.")
        return cleaned

    def dates(self):
        for party in self.parties:
            signed_on = self.cleaned_data.get(f"party_{party.pk}")
            if signed_on:
                yield party, signed_on


@workgroup_view(Action.EDIT_AGREEMENTS)
@require_http_methods(["GET", "POST"])
def signatures(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk, Action.EDIT_AGREEMENTS)
    if agreement.status != AgreementStatus.APPROVED:
        messages.error(request, "Signatures are recorded on an approved agreement.")
        return _to_detail(request, agreement)
    form = SignatureForm(request.POST or None, parties=agreement.parties.all())
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # all dates or none
                for party, signed_on in form.dates():
                    services.party_record_signature(actor=request.user, party=party, signed_on=signed_on)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "The signature dates are recorded.")
            return _to_detail(request, agreement)
    return render(request, "agreements/signatures.html", {"agreement": agreement, "form": form})


# --- Comments ----------------------------------------------------------------------------------


class CommentForm(forms.Form):
    clause_key = forms.SlugField(max_length=60)
    body = forms.CharField(max_length=5000, strip=True)


def _to_clause(request: HttpRequest, version: AgreementVersion, clause_key: str) -> HttpResponse:
    response = redirect("agreements:version-detail", slug=request.workgroup.slug, pk=version.agreement_id,
                        number=version.number)
    if clause_key:
        response["Location"] += f"#clause-{clause_key}"
    return response


@workgroup_view(Action.COMMENT_AGREEMENTS)
@require_POST
def comment_create(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    agreement = _agreement(request, pk, Action.COMMENT_AGREEMENTS)
    version = _version(agreement, number)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
        return _to_clause(request, version, "")
    try:
        services.comment_add(actor=request.user, version=version, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _to_clause(request, version, "")
    messages.success(request, "Your comment is added.")
    return _to_clause(request, version, form.cleaned_data["clause_key"])


@workgroup_view(Action.COMMENT_AGREEMENTS)
@require_POST
def comment_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    queryset = ReviewComment.objects.select_related("version")
    comment = get_object_for_user(request.user, request.workgroup, queryset, pk, Action.COMMENT_AGREEMENTS)
    services.comment_resolve(actor=request.user, comment=comment)
    messages.success(request, "The comment is resolved.")
    return _to_clause(request, comment.version, comment.clause_key)


# --- Exports -----------------------------------------------------------------------------------


def _export(request: HttpRequest, pk: int, number: int, render_bytes: Callable, extension: str,
            content_type: str) -> HttpResponse:
    agreement = _agreement(request, pk, Action.EXPORT_AGREEMENTS)
    version = _version(agreement, number)
    content = render_bytes(render_version(version))
    filename = f"{slugify(version.title) or 'agreement'}-v{version.number}.{extension}"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@workgroup_view(Action.EXPORT_AGREEMENTS)
@require_GET
def export_docx(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _export(request, pk, number, exports.agreement_docx, "docx", DOCX_CONTENT_TYPE)


@workgroup_view(Action.EXPORT_AGREEMENTS)
@require_GET
def export_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _export(request, pk, number, exports.agreement_pdf, "pdf", "application/pdf")


# --- The signed copy ---------------------------------------------------------------------------


class SignedScanForm(forms.Form):
    file = forms.FileField(label="Signed agreement (PDF)")


@workgroup_view(Action.EDIT_AGREEMENTS)
@require_POST
def signed_scan_upload(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk, Action.EDIT_AGREEMENTS)
    form = SignedScanForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose the signed PDF to upload.")
        return _to_detail(request, agreement)
    try:
        services.agreement_attach_signed_scan(
            actor=request.user, agreement=agreement, uploaded=form.cleaned_data["file"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The signed copy is attached.")
    return _to_detail(request, agreement)


@workgroup_view(Action.VIEW_WORKGROUP)
def signed_scan_download(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk, Action.VIEW_WORKGROUP)
    if not agreement.signed_scan:
        raise Http404("No signed copy has been attached.")
    filename = f"{slugify(agreement.title) or 'agreement'}-signed.pdf"
    return FileResponse(agreement.signed_scan.open("rb"), as_attachment=True, filename=filename,
                        content_type="application/pdf")
