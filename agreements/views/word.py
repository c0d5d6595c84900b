"""The Word round trip: upload counsel's edited DOCX, review what it proposes clause by clause, apply the accepted.

Coordinators and legal reviewers upload and review: the pages ask for ``agreements.review``, which both
roles hold (coordinators hold every action), so a member's or viewer's request is refused before any
look-up, whatever its method; the upload service asks again. Applying makes a new
version, so it is the coordinators' (``agreements.edit``), like any other save of the draft.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agreements import word
from agreements.forms_word import WordImportApplyForm, WordImportForm
from agreements.models import Agreement, WordImport
from agreements.views.drafting import agreement_for
from toolkit.forms import add_service_errors, form_data
from toolkit.permissions import Action, can, get_object_for_user, workgroup_view
from toolkit.views.shortcuts import form_response, render_form_page

RECENT_IMPORTS = 10


def _agreement(request: HttpRequest, agreement_id: int) -> Agreement:
    return agreement_for(request, agreement_id, Action.REVIEW_AGREEMENTS, parties=True)


def _import(request: HttpRequest, agreement: Agreement, word_import_id: int, action: Action) -> WordImport:
    # Scoped twice: to the workgroup by the permission layer, and to the agreement in the address.
    queryset = (WordImport.objects.filter(agreement=agreement)
                .select_related("base_version", "applied_version", "uploaded_by"))
    return get_object_for_user(request.user, request.workgroup, queryset, word_import_id, action)


@workgroup_view(Action.REVIEW_AGREEMENTS)
@require_http_methods(["GET", "POST"])
def word_import_create(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    form = WordImportForm(form_data(request), request.FILES if request.method == "POST" else None,
                          party_names=[party.name for party in agreement.parties.all()])

    def save(*, file, from_party) -> WordImport:
        try:
            return word.word_import_create(actor=request.user, agreement=agreement, uploaded=file,
                                           from_party=from_party)
        except ValidationError as exc:  # why the file was refused, next to the file field
            raise ValidationError({"file": exc.error_list}) from None

    recent = list(agreement.word_imports.select_related("base_version", "applied_version",
                                                        "uploaded_by")[:RECENT_IMPORTS])
    for item in recent:
        item.origin_unchecked = word.origin_unchecked(item)
    return form_response(
        request, form, save=save, template="agreements/word_import_form.html",
        context={"agreement": agreement, "recent": recent},
        success_message=lambda imported: f"“{imported.filename}” is read against version "
                                         f"{imported.base_version.number}: review what it proposes below.",
        redirect_to=lambda imported: _detail_url(request, imported),
    )


def _detail_url(request: HttpRequest, word_import: WordImport) -> str:
    return reverse("agreements:word-import-detail", kwargs={
        "slug": request.workgroup.slug, "agreement_id": word_import.agreement_id, "word_import_id": word_import.pk})


def _review_page(request: HttpRequest, agreement: Agreement, word_import: WordImport,
                 form: WordImportApplyForm) -> HttpResponse:
    rows = word.proposal_rows(word_import)
    for row in rows:
        if row["status"] == word.CHANGED:
            row["edited_field"] = form.edited_field(row["key"])
            row["accepted"] = row["key"] in (form.data.getlist("accept") if form.is_bound else [])
    is_current = agreement.current_version_number == word_import.base_version.number
    context = {
        "agreement": agreement,
        "word_import": word_import,
        "rows": rows,
        "passages": word.passages(word_import),
        "origin_unchecked": word.origin_unchecked(word_import),
        "form": form,
        "counts": {status: sum(1 for r in rows if r["status"] == status)
                   for status in (word.CHANGED, word.UNCHANGED, word.NOT_FOUND)},
        "is_current": is_current,
        "can_apply": (can(request.user, request.workgroup, Action.EDIT_AGREEMENTS) and agreement.is_editable
                      and is_current and word_import.applied_version_id is None),
        "can_edit": can(request.user, request.workgroup, Action.EDIT_AGREEMENTS),
    }
    return render_form_page(request, "agreements/word_import_detail.html", context, form=form)


@workgroup_view(Action.REVIEW_AGREEMENTS)
@require_GET
def word_import_detail(request: HttpRequest, agreement_id: int, word_import_id: int) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    word_import = _import(request, agreement, word_import_id, Action.REVIEW_AGREEMENTS)
    return _review_page(request, agreement, word_import, WordImportApplyForm(proposals=word_import.proposals))


@workgroup_view(Action.EDIT_AGREEMENTS)
@require_POST
def word_import_apply(request: HttpRequest, agreement_id: int, word_import_id: int) -> HttpResponse:
    agreement = agreement_for(request, agreement_id, Action.EDIT_AGREEMENTS, parties=True)
    word_import = _import(request, agreement, word_import_id, Action.EDIT_AGREEMENTS)
    form = WordImportApplyForm(request.POST, proposals=word_import.proposals)
    if form.is_valid():
        try:
            version = word.word_import_apply(actor=request.user, word_import=word_import,
                                             accepted_keys=form.accepted_keys(), edited=form.edited())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved as version {version.number}: {version.change_summary}.")
            return redirect(agreement)
    # The review page again (400): the reason at the top, the ticks and the edited texts kept.
    return _review_page(request, agreement, word_import, form)


urlpatterns = [
    path("<int:agreement_id>/word/", word_import_create, name="word-import-create"),
    path("<int:agreement_id>/word/<int:word_import_id>/", word_import_detail, name="word-import-detail"),
    path("<int:agreement_id>/word/<int:word_import_id>/apply/", word_import_apply, name="word-import-apply"),
]
