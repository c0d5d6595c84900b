"""Round results, gaps proposed as action items, the PDF report job, and rounds compared over time.

Results, gaps and comparisons are aggregates. Everyone in the workgroup sees them once a round is
closed; while it is open only coordinators (MANAGE_READINESS) do — otherwise reloading the page
before and after one more submission would show that one person's scores. Everyone else gets a
short "shared when the round closes" page with the response count only. Accepting a gap is for
coordinators, and the report is a background job (RUN_JOBS; an open round's report, MANAGE_READINESS).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from readiness import reports, scoring, selectors, services
from readiness.forms.results import GapAcceptForm, RoundCompareForm, owner_choices
from readiness.models import AssessmentRound, RoundStatus
from readiness.text import stored_initial
from toolkit.forms import add_service_errors
from toolkit.permissions import Action, can, get_object_for_user, workgroup_view
from toolkit.services import job_create

CHART_CLASS = "w-100 h-auto"  # Bootstrap utilities: the SVG scales with its column


def _round(request: HttpRequest, round_id: int, action: Action = Action.VIEW_WORKGROUP) -> AssessmentRound:
    return get_object_for_user(request.user, request.workgroup, selectors.rounds_with_counts(), round_id, action)


def _can_manage(request: HttpRequest) -> bool:
    return can(request.user, request.workgroup, Action.MANAGE_READINESS)


def _results_shared(request: HttpRequest, round: AssessmentRound) -> bool:
    """A round's scores are the workgroup's once it is closed; while it is open, only coordinators see them."""
    return not round.is_open or _can_manage(request)


def _not_yet_page(request: HttpRequest, round: AssessmentRound, here: str) -> HttpResponse:
    """What a non-coordinator sees of an open round's results or gaps: the response count, no scores."""
    return render(request, "readiness/results/not_yet.html", {
        "round": round, "here": here,
        "submitted_count": round.submitted_count, "invited_count": round.respondent_count,
    })


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def round_results(request: HttpRequest, round_id: int) -> HttpResponse:
    round = _round(request, round_id)
    if not _results_shared(request, round):
        return _not_yet_page(request, round, "Results")
    context = reports.results_context(round=round, chart_class=CHART_CLASS)
    return render(request, "readiness/results/results.html", {
        **context,
        "round": round,
        "live": round.is_open,  # only coordinators get this far while the round is open
        "can_build_report": context["has_results"] and can(request.user, request.workgroup, Action.RUN_JOBS),
    })


def _gaps_page(request: HttpRequest, round: AssessmentRound, bound: GapAcceptForm | None = None,
               status: int = 200) -> HttpResponse:
    proposals = selectors.gap_proposals(round=round)
    # Accepted items show their owner: fetch the owners of all of them in one query, not one per row.
    prefetch_related_objects([p.accepted for p in proposals if p.accepted is not None], "owner_organization")
    can_manage = _can_manage(request)
    rows = []
    for proposal in proposals:
        form = None
        if can_manage and proposal.accepted is None:
            if bound is not None and bound.data.get("source_key") == proposal.source_key:
                form = bound
            else:
                form = GapAcceptForm(workgroup=request.workgroup, initial=stored_initial({
                    "source_key": proposal.source_key, "title": proposal.title, "description": proposal.finding,
                }))
        rows.append({"proposal": proposal, "form": form, "anchor": "gap-" + proposal.source_key.replace(":", "-"),
                     "score": scoring.truncate(proposal.score), "band": scoring.band(proposal.score)})
    context = {
        "round": round,
        "rows": rows,
        "dimension_rows": [r for r in rows if r["proposal"].kind == "dimension"],
        "item_rows": [r for r in rows if r["proposal"].kind == "item"],
        # A form whose gap is no longer proposed still shows its errors, above the list.
        "orphan_form": bound if bound is not None and not any(r["form"] is bound for r in rows) else None,
        "organizations": list(owner_choices(workgroup=request.workgroup)) if can_manage else [],
        "can_manage": can_manage,
        "can_edit": can(request.user, request.workgroup, Action.EDIT_READINESS),
        "live": round.is_open,  # only coordinators get this far while the round is open
    }
    return render(request, "readiness/results/gaps.html", context, status=status)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def round_gaps(request: HttpRequest, round_id: int) -> HttpResponse:
    round = _round(request, round_id)
    if not _results_shared(request, round):
        return _not_yet_page(request, round, "Gaps")
    return _gaps_page(request, round)


@workgroup_view(Action.MANAGE_READINESS)
@require_POST
def gap_accept(request: HttpRequest, round_id: int) -> HttpResponse:
    round = _round(request, round_id, Action.MANAGE_READINESS)
    form = GapAcceptForm(request.POST, workgroup=request.workgroup)
    gaps_url = reverse("readiness:round-gaps", kwargs={"slug": request.workgroup.slug, "round_id": round.pk})
    if form.is_valid():
        try:
            item = services.action_accept(actor=request.user, round=round, **form.cleaned_data)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # the gap is gone or already accepted: say so on the page
                messages.warning(request, " ".join(exc.messages))
                return redirect(gaps_url)
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{item.title}” is in the action plan.")
            return redirect(f"{gaps_url}#gap-{item.source_key.replace(':', '-')}")
    return _gaps_page(request, round, bound=form, status=400)


@workgroup_view(Action.RUN_JOBS)
@require_POST
def round_report(request: HttpRequest, round_id: int) -> HttpResponse:
    round = _round(request, round_id)
    if not _results_shared(request, round):
        raise PermissionDenied(reports.MSG_REPORT_ROUND_OPEN)
    # An open round's report holds live results: a kind of job only coordinators can see and download.
    kind = reports.READINESS_REPORT_LIVE if round.is_open else reports.READINESS_REPORT
    job = job_create(actor=request.user, workgroup=request.workgroup, kind=kind, params={"round": round.pk})
    note = " Built while the round is open, it is for coordinators only." if round.is_open else ""
    messages.info(request, f"You asked for the report on “{round.title}”; its status below follows the "
                           f"background job.{note}")
    return redirect(job)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def round_compare(request: HttpRequest) -> HttpResponse:
    every_round = selectors.round_list(workgroup=request.workgroup)
    can_manage = _can_manage(request)
    # Coordinators compare any of the workgroup's rounds; everyone else the closed ones (shared results).
    rounds = every_round if can_manage else every_round.filter(status=RoundStatus.CLOSED)
    asked = "round" in request.GET
    form = RoundCompareForm(request.GET if asked else None, rounds=rounds)
    held_back = 0
    if asked and not can_manage:
        open_ids = {str(pk) for pk in every_round.filter(status=RoundStatus.OPEN).values_list("pk", flat=True)}
        held_back = len(set(request.GET.getlist("round")) & open_ids)
    context = {"form": form, "round_count": rounds.count(), "asked": asked, "can_manage": can_manage,
               "held_back": held_back}
    if asked and form.is_valid():
        comparison = selectors.round_comparison(workgroup=request.workgroup, rounds=form.cleaned_data["round"])
        context.update(reports.comparison_context(comparison=comparison, chart_class=CHART_CLASS))
    # A link naming open rounds is a fair request from someone who cannot see them yet, not a bad one.
    bad_request = asked and form.errors and not held_back
    return render(request, "readiness/results/compare.html", context, status=400 if bad_request else 200)
