"""Round results, gaps proposed as action items, the PDF report job, and rounds compared over time.

Results, gaps and comparisons are aggregates that every member may see; accepting a gap
is for coordinators, and the report is a background job (RUN_JOBS).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from readiness import reports, scoring, selectors, services
from readiness.forms.results import GapAcceptForm, RoundCompareForm, owner_choices
from readiness.models import AssessmentRound
from toolkit.forms import add_service_errors
from toolkit.permissions import Action, can, get_object_for_user, workgroup_view
from toolkit.services import job_create

CHART_CLASS = "w-100 h-auto"  # Bootstrap utilities: the SVG scales with its column


def _round(request: HttpRequest, pk: int, action: Action = Action.VIEW_WORKGROUP) -> AssessmentRound:
    rounds = selectors.round_list(workgroup=request.workgroup)
    return get_object_for_user(request.user, request.workgroup, rounds, pk, action)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def round_results(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round(request, pk)
    context = reports.results_context(round=round, chart_class=CHART_CLASS)
    return render(request, "readiness/results/results.html", {**context, "round": round})


def _gaps_page(request: HttpRequest, round: AssessmentRound, bound: GapAcceptForm | None = None,
               status: int = 200) -> HttpResponse:
    proposals = selectors.gap_proposals(round=round)
    can_manage = can(request.user, request.workgroup, Action.MANAGE_READINESS)
    rows = []
    for proposal in proposals:
        form = None
        if can_manage and proposal.accepted is None:
            if bound is not None and bound.data.get("source_key") == proposal.source_key:
                form = bound
            else:
                form = GapAcceptForm(workgroup=request.workgroup, initial={
                    "source_key": proposal.source_key, "title": proposal.title, "description": proposal.finding,
                })
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
    }
    return render(request, "readiness/results/gaps.html", context, status=status)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def round_gaps(request: HttpRequest, pk: int) -> HttpResponse:
    return _gaps_page(request, _round(request, pk))


@workgroup_view(Action.MANAGE_READINESS)
@require_POST
def gap_accept(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round(request, pk, Action.MANAGE_READINESS)
    form = GapAcceptForm(request.POST, workgroup=request.workgroup)
    gaps_url = reverse("readiness:round-gaps", kwargs={"slug": request.workgroup.slug, "pk": round.pk})
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
def round_report(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round(request, pk)
    job = job_create(actor=request.user, workgroup=request.workgroup, kind=reports.READINESS_REPORT,
                     params={"round": round.pk})
    messages.info(request, f"The report on “{round.title}” is being built in the background; this page updates "
                           "by itself.")
    return redirect(job)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def round_compare(request: HttpRequest) -> HttpResponse:
    rounds = selectors.round_list(workgroup=request.workgroup)
    asked = "round" in request.GET
    form = RoundCompareForm(request.GET if asked else None, rounds=rounds)
    context = {"form": form, "round_count": rounds.count(), "asked": asked}
    if asked and form.is_valid():
        comparison = selectors.round_comparison(workgroup=request.workgroup, rounds=form.cleaned_data["round"])
        context.update(reports.comparison_context(comparison=comparison, chart_class=CHART_CLASS))
    return render(request, "readiness/results/compare.html", context, status=400 if asked and form.errors else 200)
