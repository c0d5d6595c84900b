"""Readiness rounds and their respondents: the area's start page, opening and closing rounds, invitations.

Pages only read: the default instrument comes with the workgroup (a setup step), never from a page visit.
"""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from readiness import selectors, services
from readiness.forms.respond import answer_label
from readiness.forms.rounds import (
    ContactInviteForm,
    MemberInviteForm,
    PersonInviteForm,
    ReopenForm,
    RoundEditForm,
    RoundForm,
)
from readiness.messages import MSG_ROUND_CLOSED
from readiness.models import AssessmentRound, Respondent
from readiness.tasks import send_round_reminders
from toolkit.audit import record_access
from toolkit.forms import add_service_errors, form_data
from toolkit.models import AuditAction
from toolkit.pagination import paginate
from toolkit.permissions import Action, can, get_object_for_user, workgroup_view
from toolkit.views.shortcuts import form_response, refuse_with_message, render_form_page

ROUNDS_PER_PAGE = 25
RESPONDENTS_PER_PAGE = 50


def _round(request: HttpRequest, round_id: int, action: Action) -> AssessmentRound:
    """A round of this workgroup with its respondent counts (``respondent_count``, ``submitted_count``)."""
    return get_object_for_user(request.user, request.workgroup, selectors.rounds_with_counts(), round_id, action)


def _respondent(request: HttpRequest, respondent_id: int) -> Respondent:
    return get_object_for_user(
        request.user, request.workgroup,
        Respondent.objects.select_related("round__instrument_version__instrument", "round__workgroup", "user"),
        respondent_id, Action.MANAGE_READINESS,
    )



def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _names(respondents: list[Respondent]) -> str:
    return ", ".join(r.name for r in respondents)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    context = {
        "page_obj": paginate(request, selectors.round_list(workgroup=request.workgroup), per_page=ROUNDS_PER_PAGE),
        "questionnaires": selectors.questionnaires_for(workgroup=request.workgroup, user=request.user),
        "can_manage": can(request.user, request.workgroup, Action.MANAGE_READINESS),
    }
    return render(request, "readiness/index.html", context)


@workgroup_view(Action.MANAGE_READINESS)
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest) -> HttpResponse:
    form = RoundForm(form_data(request), workgroup=request.workgroup)
    return form_response(
        request, form,
        save=partial(services.round_open, actor=request.user, workgroup=request.workgroup),
        success_message=lambda round_: f"“{round_.title}” is open. Now add the people who should answer.",
        redirect_to=lambda round_: round_,
        template="readiness/rounds/round_form.html",
    )


@workgroup_view(Action.MANAGE_READINESS)
@require_http_methods(["GET", "POST"])
def round_edit(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = _round(request, round_id, Action.MANAGE_READINESS)
    form = RoundEditForm(form_data(request), round=round_)
    return form_response(
        request, form,
        save=partial(services.round_update, actor=request.user, round=round_),
        success_message="The round's details were saved.",
        redirect_to=round_,
        template="readiness/rounds/round_form.html", context={"round": round_},
    )


def _detail_page(request: HttpRequest, round_: AssessmentRound, bound=None, form_key: str = "") -> HttpResponse:
    """The round page; managers also get the respondents (a page at a time) and the three ways to add people."""
    manage = can(request.user, request.workgroup, Action.MANAGE_READINESS)
    own = selectors.questionnaires_for(workgroup=request.workgroup, user=request.user).filter(round=round_).first()
    context = {
        "round": round_,
        "can_manage": manage,
        "page_obj": paginate(request, selectors.respondent_list(round=round_), per_page=RESPONDENTS_PER_PAGE)
        if manage else None,
        "own_questionnaire": own,
        "pending_count": selectors.reminder_recipients(round=round_).count() if manage else 0,
    }
    if manage and round_.is_open:
        workgroup = request.workgroup
        context["members_form"] = MemberInviteForm(workgroup=workgroup, round=round_)
        context["contacts_form"] = ContactInviteForm(workgroup=workgroup, round=round_)
        context["person_form"] = PersonInviteForm(workgroup=workgroup, round=round_)
        if bound is not None:
            context[form_key] = bound
    return render_form_page(request, "readiness/rounds/round_detail.html", context, form=bound)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    return _detail_page(request, _round(request, round_id, Action.VIEW_WORKGROUP))


@workgroup_view(Action.MANAGE_READINESS)
@require_http_methods(["GET", "POST"])
def round_close(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = _round(request, round_id, Action.MANAGE_READINESS)
    if request.method == "POST":
        services.round_close(actor=request.user, round=round_)
        messages.success(request, f"“{round_.title}” is closed. Results count the {round_.submitted_count} "
                                  "submitted response(s); links no longer take answers.")
        return redirect(round_)
    return render(request, "readiness/rounds/round_confirm_close.html", {"round": round_})


@workgroup_view(Action.MANAGE_READINESS)
@require_http_methods(["GET", "POST"])
def round_reopen(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = _round(request, round_id, Action.MANAGE_READINESS)
    form = ReopenForm(form_data(request))
    return form_response(
        request, form,
        save=partial(services.round_reopen, actor=request.user, round=round_),
        success_message=lambda reopened: f"“{reopened.title}” is open again until {reopened.due_date:%b %-d, %Y}; "
                                         "unused links work until then.",
        redirect_to=round_,
        template="readiness/rounds/round_reopen.html", context={"round": round_},
    )


@workgroup_view(Action.MANAGE_READINESS)
@require_POST
def round_remind(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = _round(request, round_id, Action.MANAGE_READINESS)
    pending = selectors.reminder_recipients(round=round_).count()
    if not round_.is_open:
        messages.error(request, MSG_ROUND_CLOSED)
    elif not pending:
        messages.info(request, "Nobody to remind: everyone has submitted, or their link has expired "
                               "(move the due date, or resend their link).")
    else:
        round_pk, base_url = round_.pk, _base_url(request)
        # Only after the commit: the worker must see the round as it is now.
        transaction.on_commit(lambda: send_round_reminders.delay(round_pk, base_url))
        who = "1 person who has" if pending == 1 else f"{pending} people who have"
        messages.success(request, f"Reminders are being sent to {who} not submitted "
                                  "(anyone reminded in the last day is skipped).")
    return redirect(round_)


def _invite(request: HttpRequest, round_id: int, form_class, form_key: str, invite) -> HttpResponse:
    """Bind one of the three add forms, call the service ``invite(round, cleaned_data)``, or re-show the page (400)."""
    round_ = _round(request, round_id, Action.MANAGE_READINESS)
    form = form_class(request.POST, workgroup=request.workgroup, round=round_)
    if form.is_valid():
        try:
            created = invite(round_, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            created = created if isinstance(created, list) else [created]
            delivered = [r for r in created if not r.invitation_error]
            undelivered = [r for r in created if r.invitation_error]
            if delivered:
                messages.success(request, f"Invited {_names(delivered)}. An e-mail with the questionnaire link is "
                                          "on its way.")
            if undelivered:
                messages.warning(request, f"The invitation e-mail to {_names(undelivered)} could not be sent (the "
                                          "mail server refused it). They are on the list; use “Resend” to try again.")
            return redirect(round_)
    return _detail_page(request, round_, bound=form, form_key=form_key)


@workgroup_view(Action.MANAGE_READINESS)
@require_POST
def respondents_add_members(request: HttpRequest, round_id: int) -> HttpResponse:
    return _invite(request, round_id, MemberInviteForm, "members_form", lambda round_, data: (
        services.respondents_invite_members(actor=request.user, round=round_, users=data["users"],
                                            base_url=_base_url(request))))


@workgroup_view(Action.MANAGE_READINESS)
@require_POST
def respondents_add_contacts(request: HttpRequest, round_id: int) -> HttpResponse:
    return _invite(request, round_id, ContactInviteForm, "contacts_form", lambda round_, data: (
        services.respondents_invite_contacts(actor=request.user, round=round_, contacts=data["contacts"],
                                             base_url=_base_url(request))))


@workgroup_view(Action.MANAGE_READINESS)
@require_POST
def respondent_add_person(request: HttpRequest, round_id: int) -> HttpResponse:
    return _invite(request, round_id, PersonInviteForm, "person_form", lambda round_, data: (
        services.respondent_invite_person(actor=request.user, round=round_, base_url=_base_url(request), **data)))


@workgroup_view(Action.MANAGE_READINESS)
@require_safe
def respondent_detail(request: HttpRequest, respondent_id: int) -> HttpResponse:
    respondent = _respondent(request, respondent_id)
    answers = selectors.answers_for(respondent=respondent)
    if answers:  # one partner's own answers, as opposed to the round's aggregates
        record_access(actor=request.user, obj=respondent, action=AuditAction.VIEWED, detail="Answers viewed")
    dimensions = [
        (dimension, [(item, answer_label(item, answers.get(item.pk))) for item in dimension.items.all()])
        for dimension in selectors.version_dimensions(version=respondent.round.instrument_version)
    ]
    context = {"respondent": respondent, "round": respondent.round, "dimensions": dimensions,
               "link": services.respondent_link_shown(actor=request.user, respondent=respondent,
                                                      base_url=_base_url(request))}
    return render(request, "readiness/rounds/respondent_detail.html", context)


@workgroup_view(Action.MANAGE_READINESS)
@require_http_methods(["GET", "POST"])
def respondent_resend(request: HttpRequest, respondent_id: int) -> HttpResponse:
    respondent = _respondent(request, respondent_id)
    if request.method == "GET":  # a new link retires the one they have: ask first
        return render(request, "readiness/rounds/respondent_confirm_resend.html",
                      {"respondent": respondent, "round": respondent.round})
    try:
        services.respondent_resend(actor=request.user, respondent=respondent, base_url=_base_url(request))
    except ValidationError as exc:
        return refuse_with_message(request, exc, respondent.round)
    messages.success(request, f"A new link was sent to {respondent.name}; the earlier link no longer works."
                     if respondent.uses_link else f"The invitation was sent to {respondent.name} again.")
    return redirect(respondent.round)


@workgroup_view(Action.MANAGE_READINESS)
@require_http_methods(["GET", "POST"])
def respondent_remove(request: HttpRequest, respondent_id: int) -> HttpResponse:
    respondent = _respondent(request, respondent_id)
    if request.method == "POST":
        try:
            services.respondent_remove(actor=request.user, respondent=respondent)
        except ValidationError as exc:
            return refuse_with_message(request, exc, respondent.round)
        messages.success(request, f"{respondent.name} was removed from the round.")
        return redirect(respondent.round)
    return render(request, "readiness/rounds/respondent_confirm_remove.html",
                  {"respondent": respondent, "round": respondent.round})

