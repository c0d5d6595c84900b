"""A round's results as a report: the facts the results page, the comparison page and the PDF show.

The results page and the PDF report are built from the same context (``results_context``),
so paper and screen never disagree. Everything here is an aggregate: organizations'
scores and counts, never a respondent's name or answers. Scores are shown through
``scoring.truncate`` (cut to one decimal, never rounded up).

The PDF is a background job (``READINESS_REPORT``); its runner re-resolves the round
inside the job's own workgroup, so a job can never read another workgroup's round. While a round
is open its results are for coordinators only: a report of an open round is a job of its own kind
(``READINESS_REPORT_LIVE``) that only coordinators start, see and download, and a runner asked for
an open round by anyone else fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.utils import timezone

from readiness import charts, defaults, scoring, selectors
from readiness.models import AssessmentRound
from toolkit import jobs
from toolkit.audit import record_access
from toolkit.models import AuditAction, Job
from toolkit.pdf import render_pdf, svg_data_uri
from toolkit.permissions import Action, can

READINESS_REPORT = "readiness_report_pdf"
READINESS_REPORT_LIVE = "readiness_report_live_pdf"  # an open round's report: coordinators only
MSG_REPORT_ROUND_GONE = (
    "The readiness round this report was asked for no longer exists in this workgroup (it may have been "
    "deleted). Open the round's results and build the report again."
)
MSG_REPORT_ROUND_OPEN = "Results of an open round are for coordinators until the round closes."
STATEMENTS_SHOWN = 5


@dataclass(frozen=True)
class DimensionRow:
    key: str
    name: str
    score: Decimal | None  # truncated for display
    band: str | None
    band_label: str
    answered: int
    missing: int


@dataclass(frozen=True)
class SpreadEntry:
    name: str
    scores: list[tuple[str, Decimal]]  # (organization, truncated score), lowest first
    low: Decimal | None
    high: Decimal | None
    range: Decimal | None


@dataclass(frozen=True)
class OrganizationRow:
    name: str
    respondents: int
    scores: list[Decimal | None]  # in dimension order
    overall: Decimal | None


@dataclass(frozen=True)
class StatementRow:
    statement: str
    dimension: str
    score: Decimal | None
    answered: int
    missing: int
    reverse: bool
    low: Decimal | None = None
    high: Decimal | None = None
    range: Decimal | None = None


def _band_label(score: Fraction | None) -> str:
    key = scoring.band(score)
    return scoring.BAND_LABELS[key] if key else "No answers"


def _disagreement(result: scoring.RoundResult) -> str:
    """One sentence naming the dimension where organizations are furthest apart."""
    if len(result.groups) < 2:
        return ("Only one organization has submitted answers so far; the spread between partners shows once a "
                "second one has.")
    top = result.spreads[0] if result.spreads else None
    if top is None or top.range is None or len(top.by_group) < 2:
        return "No dimension has scores from two or more organizations yet."
    if top.range == 0:
        return "Every organization gave the same score on every dimension: no disagreement to show."
    name = result.dimension(top.dimension).name
    low_groups = sorted(g for g, s in top.by_group.items() if s == top.low)
    high_groups = sorted(g for g, s in top.by_group.items() if s == top.high)
    return (
        f"Partners disagree most on “{name}”: from {scoring.truncate(top.low)} ({', '.join(low_groups)}) "
        f"to {scoring.truncate(top.high)} ({', '.join(high_groups)}), a gap of {scoring.truncate(top.range)} points."
    )


def _stage_context(result: scoring.RoundResult) -> dict:
    stage_result = result.stage
    held_back = [
        {"name": result.dimension(key).name, "score": scoring.truncate(result.workgroup[key].score)}
        for key in stage_result.held_back_by
    ]
    return {"stage": stage_result.stage, "held_back_from": stage_result.held_back_from, "held_back": held_back}


def _statements(round: AssessmentRound, result: scoring.RoundResult) -> tuple[list[StatementRow], list[StatementRow]]:
    """The lowest-scoring statements, and those where organizations differ most."""
    texts = {item.pk: item.statement for d in selectors.version_dimensions(version=round.instrument_version)
             for item in d.items.all()}

    def row(item: scoring.ItemResult) -> StatementRow:
        values = list(item.by_group.values())
        return StatementRow(
            statement=texts.get(item.item.id, ""), dimension=result.dimension(item.item.dimension).name,
            score=scoring.truncate(item.score), answered=item.answered, missing=item.missing,
            reverse=item.item.reverse, low=scoring.truncate(min(values)) if values else None,
            high=scoring.truncate(max(values)) if values else None, range=scoring.truncate(item.range),
        )

    scored = [i for i in result.items if i.score is not None]
    lowest = sorted(scored, key=lambda i: (i.score, i.item.id))[:STATEMENTS_SHOWN]
    widest = sorted((i for i in scored if len(i.by_group) > 1 and i.range), key=lambda i: (-i.range, i.item.id))
    return [row(i) for i in lowest], [row(i) for i in widest[:STATEMENTS_SHOWN]]


def results_context(*, round: AssessmentRound, chart_class: str = "") -> dict:
    """Everything the results page and the PDF show about one round (aggregates only)."""
    result = selectors.round_result(round=round)
    dimensions = result.dimensions
    invited = getattr(round, "respondent_count", None)
    if invited is None:
        invited = selectors.respondent_list(round=round).count()
    context = {
        "result": result,
        "submitted_count": result.responses,
        "invited_count": invited,
        "has_results": result.responses > 0,
    }
    if not result.responses:
        return context
    rows = [
        DimensionRow(key=d.key, name=d.name, score=scoring.truncate(result.workgroup[d.key].score),
                     band=result.workgroup[d.key].band, band_label=_band_label(result.workgroup[d.key].score),
                     answered=result.workgroup[d.key].answered, missing=result.workgroup[d.key].missing)
        for d in dimensions
    ]
    spreads = [
        SpreadEntry(
            name=result.dimension(s.dimension).name,
            scores=[(g, scoring.truncate(v)) for g, v in sorted(s.by_group.items(), key=lambda p: (p[1], p[0]))],
            low=scoring.truncate(s.low), high=scoring.truncate(s.high), range=scoring.truncate(s.range),
        )
        for s in result.spreads
    ]
    organizations = [
        OrganizationRow(name=name, respondents=result.respondents_by_group[name],
                        scores=[scoring.truncate(scores[d.key].score) for d in dimensions],
                        overall=scoring.truncate(result.group_overall[name]))
        for name, scores in result.groups.items()
    ]
    lowest, widest = _statements(round, result)
    context.update({
        "dimension_rows": rows,
        "profile_svg": charts.profile_svg(
            [charts.ProfileBar(key=d.key, name=d.name, score=result.workgroup[d.key].score) for d in dimensions],
            title=f"Readiness profile · {round.title}", css_class=chart_class,
        ),
        "spreads": spreads,
        "spread_svg": charts.spread_svg(
            [charts.SpreadRow(key=s.dimension, name=result.dimension(s.dimension).name, by_group=s.by_group)
             for s in result.spreads],
            title=f"Spread between organizations · {round.title}", css_class=chart_class,
        ),
        "disagreement": _disagreement(result),
        "organizations": organizations,
        "overall": scoring.truncate(result.overall),
        "overall_band": _band_label(result.overall),
        "overall_band_key": scoring.band(result.overall),
        **_stage_context(result),
        "stage_scale_note": defaults.STAGE_SCALE_NOTE,
        "lowest_statements": lowest,
        "widest_statements": widest,
    })
    return context


# --- Change over time -------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeRow:
    name: str
    scores: list[Decimal | None]
    change: Decimal | None  # last shown score minus first shown score

    @property
    def direction(self) -> str:
        if self.change is None:
            return ""
        return "up" if self.change > 0 else "down" if self.change < 0 else "same"


def _shown_change(first: Fraction | None, last: Fraction | None) -> Decimal | None:
    # The difference of the scores as shown, so the table adds up for the reader.
    if first is None or last is None:
        return None
    return scoring.truncate(last) - scoring.truncate(first)


def comparison_context(*, comparison: selectors.Comparison, chart_class: str = "") -> dict:
    labels = [f"{r.title} ({r.opened_at:%b %Y})" for r in comparison.rounds]
    return {
        "comparison": comparison,
        # Dimensions are matched by key; across different instruments equal keys may not mean the same thing.
        "mixed_instruments": len({r.instrument_version.instrument_id for r in comparison.rounds}) > 1,
        "change_rows": [
            ChangeRow(name=row.name, scores=[scoring.truncate(s) for s in row.scores],
                      change=_shown_change(row.scores[0], row.scores[-1]) if row.scores else None)
            for row in comparison.rows
        ],
        "overall_row": ChangeRow(
            name="Overall", scores=[scoring.truncate(s) for s in comparison.overall],
            change=_shown_change(comparison.overall[0], comparison.overall[-1]) if comparison.overall else None,
        ),
        "round_columns": [
            {"round": r, "stage": stage.stage, "responses": responses}
            for r, stage, responses in zip(comparison.rounds, comparison.stages, comparison.responses, strict=True)
        ],
        "comparison_svg": charts.comparison_svg(
            labels, [charts.TrendLine(key=row.key, name=row.name, scores=row.scores) for row in comparison.rows],
            css_class=chart_class,
        ),
    }


# --- The PDF report (a background job) --------------------------------------------------------


def _job_round(job: Job) -> AssessmentRound:
    """The round named in the job's parameters, looked up in the job's own workgroup only."""
    try:
        round_id = int(job.params.get("round"))
    except (TypeError, ValueError):
        round_id = None
    found = (
        selectors.round_list(workgroup=job.workgroup)
        .select_related("instrument_version__instrument")
        .filter(pk=round_id)
        .first()
        if round_id is not None
        else None
    )
    if found is None:
        raise ValidationError(MSG_REPORT_ROUND_GONE, code="round_gone")
    if found.is_open and (job.requested_by is None
                          or not can(job.requested_by, job.workgroup, Action.MANAGE_READINESS)):
        raise ValidationError(MSG_REPORT_ROUND_OPEN, code="round_open")
    return found


def report_context(*, job: Job) -> dict:
    round = _job_round(job)
    context = results_context(round=round)
    if context["has_results"]:
        context["profile_uri"] = svg_data_uri(context["profile_svg"])
        context["spread_uri"] = svg_data_uri(context["spread_svg"])
    context.update({
        "workgroup": job.workgroup,
        "round": round,
        "version": round.instrument_version,
        "generated_at": timezone.now(),
        "requested_by": job.requested_by,
        "actions": list(selectors.action_plan(workgroup=job.workgroup).filter(round=round)),
    })
    return context


def run_readiness_report(*, job: Job, set_progress, output) -> str:
    context = report_context(job=job)
    set_progress(40)
    render_pdf("readiness/pdf/report.html", context, target=output)
    # Written once the file exists: the round's answers, scored per organization, left the app.
    record_access(actor=job.requested_by, obj=context["round"], action=AuditAction.EXPORTED,
                  detail="Readiness report PDF (results per organization)")
    return f"{job.workgroup.slug}-readiness-{context['round'].pk}.pdf"


jobs.register(
    jobs.JobKind(
        kind=READINESS_REPORT,
        label="Readiness report (PDF)",
        action=Action.RUN_JOBS,
        run=run_readiness_report,
        confidential=lambda job: "Readiness report PDF (results per organization)",
        view_action=Action.VIEW_WORKGROUP,  # aggregates of a closed round: every member sees its results page
    )
)
jobs.register(
    jobs.JobKind(
        kind=READINESS_REPORT_LIVE,
        label="Readiness report of an open round (PDF, coordinators only)",
        action=Action.MANAGE_READINESS,
        run=run_readiness_report,
        confidential=lambda job: "Readiness report PDF (results per organization)",
        view_action=Action.MANAGE_READINESS,  # live results: members see them once the round closes
    )
)
