"""The review page (one version: clause list, the selected clause with its redline and comments, the decision)
and the reviewer's queue. Comment, reply, resolve and decision forms post to their own URLs (review.py and
below) and, when refused, come back here with the reason and what was typed (400).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from agreements import counsel, selectors, services
from agreements.forms import ApproveForm, CommentForm, ReplyForm, RequestChangesForm, ResolveForm
from agreements.models import Agreement, AgreementStatus, AgreementVersion, ReviewComment
from agreements.views.drafting import version_for
from toolkit.forms import add_service_errors
from toolkit.pagination import paginate
from toolkit.permissions import Action, can, get_object_for_user, workgroup_view
from toolkit.views.shortcuts import render_form_page

QUEUE_PER_PAGE = 25


def review_agreement(request: HttpRequest, agreement_id: int, action: Action = Action.VIEW_WORKGROUP) -> Agreement:
    """The agreement with what rendering its versions reads (parties, the template's variables), loaded once."""
    queryset = (Agreement.objects.select_related("workgroup", "template")
                .prefetch_related("parties", "template__variables"))
    return get_object_for_user(request.user, request.workgroup, queryset, agreement_id, action)


def review_url(agreement: Agreement, version_number: int, clause_key: str = "") -> str:
    url = reverse("agreements:version-review", kwargs={"slug": agreement.workgroup.slug,
                                                       "agreement_id": agreement.pk,
                                                       "version_number": version_number})
    return f"{url}?clause={clause_key}#selected-clause" if clause_key else url


def _since(request: HttpRequest) -> int | None:
    raw = request.GET.get("since", "")
    return int(raw) if raw.isascii() and raw.isdigit() else None


_CONTEXT_NAMES = {CommentForm: "comment_form", RequestChangesForm: "changes_form", ApproveForm: "approve_form",
                  ReplyForm: "reply_form", ResolveForm: "resolve_form"}


def review_page_response(request: HttpRequest, agreement: Agreement, version: AgreementVersion, *,
                         clause_key: str = "", refused=None, refused_comment_id: int | None = None) -> HttpResponse:
    """The page; ``refused``: a form that was posted and refused (shown with its errors and text, status 400)."""
    state = selectors.review_state(agreement=agreement, version=version, user=request.user,
                                   clause_key=clause_key or request.GET.get("clause", ""), since=_since(request))
    user, workgroup = request.user, request.workgroup
    is_current = version.number == agreement.current_version_number
    deciding = is_current and agreement.status == AgreementStatus.IN_REVIEW and can(
        user, workgroup, Action.REVIEW_AGREEMENTS)
    # Each form blank, except the one refused (with its errors and text); reply and resolve forms per comment are
    # drawn by the template, so they are in the context only when refused.
    forms = {"comment_form": CommentForm(), "changes_form": RequestChangesForm(), "approve_form": ApproveForm(),
             "reply_form": None, "resolve_form": None}
    if refused is not None:
        forms[_CONTEXT_NAMES[type(refused)]] = refused
    context = {
        "agreement": agreement, "version": version, "state": state, "is_current": is_current,
        "deciding": deciding, "decisions": selectors.review_decisions(version=version),
        "can_comment": can(user, workgroup, Action.COMMENT_AGREEMENTS),
        "can_edit": can(user, workgroup, Action.EDIT_AGREEMENTS),
        "can_review": can(user, workgroup, Action.REVIEW_AGREEMENTS),
        "refused_comment_id": refused_comment_id,
        "since_choices": range(version.number - 1, 0, -1),
        "party_status": counsel.party_status(version=version) if is_current else None,
        **forms,
    }
    return render_form_page(request, "agreements/review.html", context, form=refused)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def review_current(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """The review page of the current version (the address notices and the queue link to)."""
    agreement = review_agreement(request, agreement_id)
    return redirect(review_url(agreement, agreement.current_version_number, request.GET.get("clause", "")))


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def version_review(request: HttpRequest, agreement_id: int, version_number: int) -> HttpResponse:
    agreement = review_agreement(request, agreement_id)
    return review_page_response(request, agreement, version_for(agreement, version_number))


@workgroup_view(Action.REVIEW_AGREEMENTS)
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.review_queue(membership=request.membership, user=request.user),
                    per_page=QUEUE_PER_PAGE)
    return render_form_page(request, "agreements/review_queue.html", {"page_obj": page})


@workgroup_view(Action.COMMENT_AGREEMENTS)
@require_POST
def comment_reply(request: HttpRequest, comment_id: int) -> HttpResponse:
    queryset = ReviewComment.objects.select_related("version", "agreement")
    comment = get_object_for_user(request.user, request.workgroup, queryset, comment_id, Action.COMMENT_AGREEMENTS)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.comment_reply(actor=request.user, comment=comment, body=form.cleaned_data["body"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your reply is added.")
            return redirect(review_url(comment.agreement, comment.agreement.current_version_number,
                                       comment.clause_key))
    agreement = review_agreement(request, comment.agreement_id)
    version = version_for(agreement, agreement.current_version_number)
    return review_page_response(request, agreement, version, clause_key=comment.clause_key, refused=form,
                                refused_comment_id=comment.pk)


def decision_refused(request: HttpRequest, agreement: Agreement, form) -> HttpResponse:
    """A refused decision: the current version's review page with the reason next to the form (400)."""
    agreement = review_agreement(request, agreement.pk, Action.REVIEW_AGREEMENTS)
    version = version_for(agreement, agreement.current_version_number)
    return review_page_response(request, agreement, version, refused=form)


__all__ = ["review_queue", "version_review", "review_current", "comment_reply", "decision_refused",
           "review_page_response", "review_url"]
