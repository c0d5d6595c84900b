"""Answering a round: members inside the app, everyone else through a one-time link (no account).

The link page is public on purpose: the signed token is the credential, and it reaches one
questionnaire only. It shows nothing of the workgroup beyond its name and the round being asked.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from readiness import selectors, services
from readiness.forms.respond import QuestionnaireForm
from readiness.messages import MSG_ALREADY_SUBMITTED
from readiness.models import AssessmentRound, Respondent
from toolkit.forms import INVALID_FORM_STATUS, add_service_errors, form_data
from toolkit.permissions import Action, get_object_for_user, token_view, workgroup_view
from toolkit.views.shortcuts import render_form_page


def _questionnaire(request: HttpRequest, respondent: Respondent, *, member: bool, template: str) -> HttpResponse:
    """Bind the questionnaire, save or submit it through the services, or show it with what was typed."""
    actor = request.user if member else None
    form = QuestionnaireForm(
        form_data(request),
        dimensions=selectors.version_dimensions(version=respondent.round.instrument_version),
        answers=selectors.answers_for(respondent=respondent),
        respondent=respondent,
        workgroup=respondent.workgroup if member else None,
    )
    submitting, saved = "submit" in request.POST, False
    if request.method == "POST" and form.is_valid():
        service = services.response_submit if submitting else services.response_save
        try:
            service(respondent=respondent, actor=actor, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
            # An incomplete submit is refused after saving (the refusal names the role or the unanswered).
            saved = submitting and bool({"__all__", "role_title"} & set(getattr(exc, "error_dict", {})))
        else:
            if submitting and not member:  # the link is used up: thank them here, once
                return render(request, "readiness/respond/link_thanks.html", _context(respondent))
            if submitting:
                return redirect(request.get_full_path())  # shows the thank-you page from now on
            messages.success(request, "Your answers are saved. Come back any time before the due date to finish"
                                      + (" (use the same link)." if not member else "."))
            return redirect(request.get_full_path())
    context = _context(respondent) | {"form": form, "saved_anyway": saved}
    return render_form_page(request, template, context, form=form)


def _context(respondent: Respondent) -> dict:
    return {"respondent": respondent, "round": respondent.round, "workgroup": respondent.workgroup}


@workgroup_view(Action.VIEW_WORKGROUP)
@require_http_methods(["GET", "POST"])
def member_respond(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = get_object_for_user(request.user, request.workgroup,
                                 AssessmentRound.objects.select_related("instrument_version"), round_id,
                                 Action.VIEW_WORKGROUP)
    respondent = selectors.respondent_list(round=round_).filter(user=request.user).first()
    if respondent is None:
        raise Http404("You were not asked to answer this round.")
    if respondent.is_submitted or not round_.is_open:
        if request.method == "POST" and respondent.is_submitted:
            messages.error(request, MSG_ALREADY_SUBMITTED)
        return render(request, "readiness/respond/thanks.html", _context(respondent),
                      status=INVALID_FORM_STATUS if request.method == "POST" else 200)
    return _questionnaire(request, respondent, member=True, template="readiness/respond/member.html")


@token_view(services.respondent_for_token, refused_template="readiness/respond/link_refused.html")
@require_http_methods(["GET", "POST"])
def link_respond(request: HttpRequest) -> HttpResponse:
    """The token has been resolved (and refusals rendered) by the permission layer; no login involved."""
    return _questionnaire(request, request.link_subject, member=False, template="readiness/respond/link.html")
