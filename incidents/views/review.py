"""The QA workflow on one incident: triage, review, harm, risk, root causes, actions, closure, sharing.

Each action posts one form from the incident page to its own URL and calls one service in
``incidents.workflow``. On success: a message and back to the page's section. On a refusal: the page
again (400) with that form showing the reason next to what the person typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from incidents import workflow
from incidents.forms import (
    ActionForm,
    ActionUpdateForm,
    AssessmentForm,
    CloseForm,
    CommentForm,
    HarmAgreeForm,
    HarmRatingForm,
    MarkingForm,
    ReopenForm,
    RootCauseForm,
    ShareForm,
    TriageForm,
)
from incidents.models import CorrectiveAction, Incident, IncidentShare
from incidents.sharing import sees_every_incident
from incidents.views.incidents import _detail_page, _incident_for
from toolkit.forms import add_service_errors, form_data
from toolkit.permissions import Action, workgroup_view
from toolkit.views.shortcuts import render_form_page


def _handle(request: HttpRequest, incident_id: int, *, name: str, build: Callable[[Incident, Any], Form],
            save: Callable[[Incident, dict], Any], done: Callable[[Incident], str], anchor: str) -> HttpResponse:
    incident = _incident_for(request, incident_id)
    form = build(incident, form_data(request))
    if form.is_valid():
        try:
            save(incident, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done(incident))
            return redirect(f"{incident.get_absolute_url()}#{anchor}")
    return _detail_page(request, incident, **{name: form})


def _qa_action(name: str, build, save, done, anchor: str):
    """A POST-only QA action on the incident page (the permission layer refuses everyone else first)."""

    @workgroup_view(Action.REVIEW_INCIDENTS)
    @require_POST
    def view(request: HttpRequest, incident_id: int) -> HttpResponse:
        return _handle(request, incident_id, name=name, build=build,
                       save=lambda incident, data: save(request, incident, data), done=done, anchor=anchor)

    return view


incident_triage = _qa_action(
    "triage_form", lambda incident, data: TriageForm(data, workgroup=incident.workgroup),
    lambda request, incident, data: workflow.incident_triage(actor=request.user, incident=incident, **data),
    lambda incident: f"{incident.reference} is triaged.", "review")

review_start = _qa_action(
    "start_form", lambda incident, data: Form(data),
    lambda request, incident, data: workflow.review_start(actor=request.user, incident=incident),
    lambda incident: f"The review of {incident.reference} has started.", "review")

harm_rate = _qa_action(
    "rating_form", lambda incident, data: HarmRatingForm(data),
    lambda request, incident, data: workflow.harm_rate(actor=request.user, incident=incident, **data),
    lambda incident: "Your rating of the harm is recorded.", "harm")

harm_agree = _qa_action(
    "agree_form", lambda incident, data: HarmAgreeForm(data),
    lambda request, incident, data: workflow.harm_agree(actor=request.user, incident=incident, **data),
    lambda incident: "The agreed harm level is recorded.", "harm")

assessment = _qa_action(
    "assessment_form", lambda incident, data: AssessmentForm(data),
    lambda request, incident, data: workflow.assessment_save(actor=request.user, incident=incident, **data),
    lambda incident: "The risk grade, contributing factors and findings are saved.", "assessment")

root_cause_add = _qa_action(
    "root_cause_form", lambda incident, data: RootCauseForm(data),
    lambda request, incident, data: workflow.root_cause_add(actor=request.user, incident=incident, **data),
    lambda incident: "Root cause added. Give it at least one corrective action.", "root-causes")

action_add = _qa_action(
    "action_form", lambda incident, data: ActionForm(data, workgroup=incident.workgroup, incident=incident),
    lambda request, incident, data: workflow.action_add(actor=request.user, incident=incident, **data),
    lambda incident: "Corrective action added.", "root-causes")

review_finish = _qa_action(
    "finish_form", lambda incident, data: Form(data),
    lambda request, incident, data: workflow.review_finish(actor=request.user, incident=incident),
    lambda incident: f"The review of {incident.reference} is complete; its actions are in progress.", "review")

incident_close = _qa_action(
    "close_form", lambda incident, data: CloseForm(data),
    lambda request, incident, data: workflow.incident_close(actor=request.user, incident=incident, **data),
    lambda incident: f"{incident.reference} is closed.", "review")

incident_reopen = _qa_action(
    "reopen_form", lambda incident, data: ReopenForm(data),
    lambda request, incident, data: workflow.incident_reopen(actor=request.user, incident=incident, **data),
    lambda incident: f"{incident.reference} is reopened and back under review.", "review")

marking = _qa_action(
    "marking_form", lambda incident, data: MarkingForm(data, workgroup=incident.workgroup, incident=incident),
    lambda request, incident, data: workflow.marking_set(actor=request.user, incident=incident, **data),
    lambda incident: "Marking and related agreements saved.", "marking")

share_add = _qa_action(
    "share_form", lambda incident, data: ShareForm(data, workgroup=incident.workgroup, incident=incident),
    lambda request, incident, data: workflow.share_add(actor=request.user, incident=incident, **data),
    lambda incident: "Shared for joint review. They see the fields the workgroup's data-sharing settings allow.",
    "sharing")


@workgroup_view(Action.VIEW_WORKGROUP)
@require_POST
def comment_add(request: HttpRequest, incident_id: int) -> HttpResponse:
    """QA, the reporter and joint reviewers comment (the service checks what this person may see)."""
    return _handle(
        request, incident_id, name="comment_form",
        build=lambda incident, data: CommentForm(data, full=sees_every_incident(request.membership)),
        save=lambda incident, data: workflow.comment_add(actor=request.user, incident=incident, **data),
        done=lambda incident: "Comment added.", anchor="comments")


@workgroup_view(Action.REVIEW_INCIDENTS)
@require_POST
def share_remove(request: HttpRequest, incident_id: int, share_id: int) -> HttpResponse:
    incident = _incident_for(request, incident_id)
    share = IncidentShare.objects.filter(incident=incident, pk=share_id).select_related("user", "workgroup").first()
    if share is None:
        raise Http404("No such joint reviewer on this incident.")
    workflow.share_remove(actor=request.user, share=share)
    messages.success(request, f"{share.user} no longer sees {incident.reference}.")
    return redirect(f"{incident.get_absolute_url()}#sharing")


@workgroup_view(Action.REVIEW_INCIDENTS)
@require_http_methods(["GET", "HEAD", "POST"])
def action_update(request: HttpRequest, incident_id: int, corrective_action_id: int) -> HttpResponse:
    """One corrective action: its progress, and once done whether it worked."""
    incident = _incident_for(request, incident_id)
    action = (CorrectiveAction.objects.filter(incident=incident, pk=corrective_action_id)
              .select_related("root_cause", "owner_organization", "assignee", "workgroup", "incident").first())
    if action is None:
        raise Http404("No such corrective action on this incident.")
    initial = {name: getattr(action, name) for name in (
        "description", "status", "owner_organization", "assignee", "due_date", "effectiveness_check",
        "effectiveness", "effectiveness_note")}
    form = ActionUpdateForm(form_data(request), workgroup=request.workgroup, incident=incident, initial=initial)
    if form.is_bound and form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if key != "description"}
        try:
            workflow.action_update(actor=request.user, action=action, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Corrective action updated.")
            return redirect(f"{incident.get_absolute_url()}#root-causes")
    return render_form_page(request, "incidents/action_update.html",
                            {"incident": incident, "action": action, "form": form}, form=form)
