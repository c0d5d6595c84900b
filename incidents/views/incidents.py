"""Incident reports: the list (what this person may read), the report form and one report.

QA reviewers and coordinators read every report; members and legal reviewers read the reports they made
(another person's report is simply not found); viewers read none. All through the permission layer.
"""

from __future__ import annotations

from functools import partial

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_safe

from incidents import selectors, services, workflow
from incidents.attachments import attachment_panel
from incidents.forms import (
    ActionForm,
    AssessmentForm,
    CloseForm,
    CommentForm,
    HarmAgreeForm,
    HarmRatingForm,
    IncidentReportForm,
    MarkingForm,
    ReopenForm,
    RootCauseForm,
    ShareForm,
    TriageForm,
)
from incidents.models import CorrectiveAction, Incident, IncidentStatus
from toolkit.audit import record_access
from toolkit.forms import form_data
from toolkit.models import AuditAction
from toolkit.pagination import keyset_page
from toolkit.permissions import Action, can, workgroup_view
from toolkit.views.shortcuts import form_response, render_form_page
from triage.transfers import selectors as transfer_selectors

PAGE_SIZE = 25
COMMENTS_SHOWN = 50  # the latest; the timeline and audit trail hold the rest


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    incidents = selectors.incident_list(membership=request.membership).select_related("workgroup")
    status = request.GET.get("status", "")
    if status in IncidentStatus.values:  # anything else: every status
        incidents = incidents.filter(status=status)
    else:
        status = ""
    page = keyset_page(
        incidents,
        keys=("-occurred_at", "-id"), after=request.GET.get("after"), before=request.GET.get("before"),
        size=PAGE_SIZE,
    )
    return render(request, "incidents/index.html", {
        "page": page,
        "can_report": can(request.user, request.workgroup, Action.REPORT_INCIDENTS),
        "sees_all": selectors.sees_every_incident(request.membership),
        "reads_any": selectors.reads_some_incidents(request.membership),
        "status": status,
        "statuses": IncidentStatus.choices,
    })


@workgroup_view(Action.REPORT_INCIDENTS)
@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    form = IncidentReportForm(form_data(request), workgroup=request.workgroup)
    return form_response(
        request, form,
        save=partial(services.incident_report, actor=request.user, workgroup=request.workgroup),
        success_message=lambda incident: f"Thank you: your report is {incident.reference}. QA reviewers will see it.",
        redirect_to=lambda incident: incident,
        template="incidents/report.html",
    )


def _incident_for(request: HttpRequest, incident_id: int) -> Incident:
    """The report, if this person may read it: 403 for people who read no reports, 404 for one they may not read.

    A confidential or privileged incident is QA's only (``sharing.readable_incidents``); each time it is
    opened, downloaded or exported, the audit trail records who did it.
    """
    incident = (selectors.incident_list(membership=request.membership)
                .select_related("workgroup", "reported_by", "reviewer", "protocol_version__protocol")
                .prefetch_related("organizations", "agreements").filter(pk=incident_id).first())
    if incident is None:
        if not selectors.reads_some_incidents(request.membership):
            raise PermissionDenied("Incident reports are read by the people who report them, the people they are "
                                   "shared with, QA reviewers and coordinators.")
        raise Http404("No such incident report, or not one you may read.")
    return incident


def _review_context(request: HttpRequest, incident: Incident, bound: dict) -> dict:
    """Everything the QA panels of the page need; ``bound``: a posted form with errors, by context name."""
    workgroup = request.workgroup
    ratings = list(incident.harm_ratings.select_related("reviewer"))
    mine = next((rating for rating in ratings if rating.reviewer_id == request.user.pk), None)
    root_causes = list(incident.root_causes.prefetch_related(
        Prefetch("actions", queryset=CorrectiveAction.objects.select_related("owner_organization", "assignee"))))
    status = incident.status
    reviewing = status in (IncidentStatus.UNDER_REVIEW, IncidentStatus.ACTIONS_IN_PROGRESS)
    context = {
        "timeline": selectors.incident_timeline(incident=incident),
        "ratings": ratings,
        "my_rating": mine,
        # Each reviewer rates on their own: the others' ratings show once yours is in (or the level is agreed).
        "ratings_visible": mine is not None or bool(incident.agreed_harm),
        "factors": list(incident.contributing_factors.all()),
        "root_causes": root_causes,
        "shares": list(incident.shares.select_related("user", "organization")),
        "review_gaps": workflow.review_gaps(incident) if status == IncidentStatus.UNDER_REVIEW else [],
        "closure_gaps": workflow.closure_gaps(incident) if status == IncidentStatus.ACTIONS_IN_PROGRESS else [],
    }
    forms = {
        "triage_form": (status == IncidentStatus.SUBMITTED,
                        lambda: TriageForm(workgroup=workgroup, initial={"reviewer": request.user.pk})),
        "rating_form": (status == IncidentStatus.UNDER_REVIEW and not incident.agreed_harm,
                        lambda: HarmRatingForm(initial={"harm": mine.harm, "rationale": mine.rationale}
                                               if mine else None)),
        "agree_form": (status == IncidentStatus.UNDER_REVIEW and not incident.agreed_harm and mine is not None
                       and len(ratings) >= 2, lambda: HarmAgreeForm()),
        "assessment_form": (reviewing, lambda: AssessmentForm(initial={
            "likelihood": incident.likelihood, "severity": incident.severity, "findings": incident.findings,
            "factor_codes": [factor.code for factor in context["factors"]]})),
        "root_cause_form": (reviewing, lambda: RootCauseForm()),
        "action_form": (reviewing and bool(root_causes),
                        lambda: ActionForm(workgroup=workgroup, incident=incident)),
        "close_form": (status == IncidentStatus.ACTIONS_IN_PROGRESS, lambda: CloseForm()),
        "reopen_form": (status == IncidentStatus.CLOSED, lambda: ReopenForm()),
        "share_form": (not incident.is_marked and status != IncidentStatus.CLOSED,
                       lambda: ShareForm(workgroup=workgroup, incident=incident)),
        "marking_form": (True, lambda: MarkingForm(workgroup=workgroup, incident=incident, initial={
            "confidentiality": incident.confidentiality, "agreements": list(incident.agreements.all())})),
    }
    for name, (shown, build) in forms.items():
        if shown and name not in bound:
            context[name] = build()
    context.update(bound)  # the posted form that failed, with its errors (also the plain start/finish buttons)
    return context


def _detail_page(request: HttpRequest, incident: Incident, **bound) -> HttpResponse:
    """The incident page. ``bound``: a posted form that failed, shown with its errors and the person's input."""
    access = selectors.access_to(membership=request.membership, incident=incident)
    comments = incident.comments.select_related("author").order_by("-created_at", "-pk")
    if not access.full:
        comments = comments.filter(internal=False)
    context = {
        "incident": incident,
        "access": access,
        "reviews": access.full,
        "comments": list(reversed(comments[:COMMENTS_SHOWN])) if access.comments else [],
        "comment_form": bound.get("comment_form") or (CommentForm(full=access.full) if access.comments else None),
        "attachment_form": bound.get("attachment_form"),
        "attachment_panel": attachment_panel(user=request.user, incident=incident, access=access),
        "transfers": transfer_selectors.transfers_for_incident(membership=request.membership,
                                                               incident_id=incident.pk),
    }
    if access.full:
        context.update(_review_context(request, incident, bound))
    if access.shows("root_causes") and not access.full:
        context["root_causes"] = list(incident.root_causes.prefetch_related(
            Prefetch("actions", queryset=CorrectiveAction.objects.select_related("owner_organization"))))
    if incident.is_marked and request.method in ("GET", "HEAD"):
        record_access(actor=request.user, obj=incident, action=AuditAction.VIEWED)
    failed = next(iter(bound.values()), None)
    return render_form_page(request, "incidents/incident_detail.html", context, form=failed)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    return _detail_page(request, _incident_for(request, incident_id))
