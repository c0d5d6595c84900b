"""Reads for the readiness area; other apps and the dashboard use only these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from django.db.models import Case, Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from readiness import defaults, scoring
from readiness.models import (
    LINK_RESPONDENT,
    ActionItem,
    ActionStatus,
    Answer,
    AssessmentRound,
    Dimension,
    Instrument,
    InstrumentStatus,
    InstrumentVersion,
    Item,
    Respondent,
    RoundStatus,
)
from toolkit.dashboard import Card, Progress
from toolkit.models import Membership, User, Workgroup

NO_ORGANIZATION = "No organization given"


# --- Instruments ------------------------------------------------------------------------------


def instrument_list(*, workgroup: Workgroup) -> QuerySet[Instrument]:
    """Instruments by name, each with its version count and only its current versions prefetched
    (``current_versions``: the published one and the open draft, at most two), however many it has had."""
    return (
        Instrument.objects.filter(workgroup=workgroup)
        .annotate(version_count=Count("versions"))
        .prefetch_related(Prefetch(
            "versions",
            queryset=InstrumentVersion.objects.filter(
                status__in=[InstrumentStatus.PUBLISHED, InstrumentStatus.DRAFT]
            ).order_by("-number"),
            to_attr="current_versions",
        ))
        .order_by("name", "pk")
    )


def instrument_versions(*, instrument: Instrument) -> QuerySet[InstrumentVersion]:
    """An instrument's versions, newest first, with their statement and round counts (one query a page)."""
    item_count = Item.objects.filter(version=OuterRef("pk")).order_by().values("version").annotate(n=Count("pk"))
    round_count = (
        AssessmentRound.objects.filter(instrument_version=OuterRef("pk")).order_by().values("instrument_version")
        .annotate(n=Count("pk"))
    )
    return (
        instrument.versions.select_related("based_on", "created_by")
        .annotate(item_count=Coalesce(Subquery(item_count.values("n")), 0),
                  round_count=Coalesce(Subquery(round_count.values("n")), 0))
        .order_by("-number")
    )


def version_dimensions(*, version: InstrumentVersion) -> list[Dimension]:
    """The version's dimensions in order, each with its items prefetched in order (two queries)."""
    return list(
        Dimension.objects.filter(version=version)
        .order_by("order", "pk")
        .prefetch_related(Prefetch("items", queryset=Item.objects.order_by("order", "pk")))
    )


def published_versions(*, workgroup: Workgroup) -> QuerySet[InstrumentVersion]:
    return (
        InstrumentVersion.objects.filter(workgroup=workgroup, status=InstrumentStatus.PUBLISHED)
        .select_related("instrument")
        .order_by("instrument__name")
    )


# --- Rounds and respondents -------------------------------------------------------------------


def rounds_with_counts(queryset: QuerySet[AssessmentRound] | None = None) -> QuerySet[AssessmentRound]:
    """Rounds with ``respondent_count`` and ``submitted_count`` (unscoped: scope it, or give a scoped queryset)."""
    queryset = AssessmentRound.objects.all() if queryset is None else queryset
    return (
        queryset.select_related("workgroup", "instrument_version__instrument")
        .annotate(
            respondent_count=Count("respondents", distinct=True),
            submitted_count=Count("respondents", filter=Q(respondents__submitted_at__isnull=False), distinct=True),
        )
        .order_by("-opened_at", "-pk")  # Meta.ordering does not apply to aggregate queries
    )


def round_list(*, workgroup: Workgroup) -> QuerySet[AssessmentRound]:
    return rounds_with_counts(AssessmentRound.objects.for_workgroup(workgroup))


def respondent_list(*, round: AssessmentRound) -> QuerySet[Respondent]:
    return Respondent.objects.filter(round=round).select_related("user", "organization").order_by(
        "organization_name", "name", "pk"
    )


def reminder_recipients(*, round: AssessmentRound) -> QuerySet[Respondent]:
    """Who a reminder can reach: not submitted, a member account that still exists, or a link that still works."""
    return Respondent.objects.filter(round=round, submitted_at__isnull=True).filter(
        Q(user__isnull=False) | (LINK_RESPONDENT & Q(link_expires_at__gt=timezone.now()))
    )


def questionnaires_for(*, workgroup: Workgroup, user: User) -> QuerySet[Respondent]:
    """Open rounds this member was asked to answer and has not submitted yet."""
    return Respondent.objects.filter(
        workgroup=workgroup, user=user, submitted_at__isnull=True, round__status=RoundStatus.OPEN
    ).select_related("round")


def answers_for(*, respondent: Respondent) -> dict[int, Answer]:
    """One respondent's own answers by item id (what the questionnaire form is filled from)."""
    return {a.item_id: a for a in Answer.objects.filter(respondent=respondent)}


# --- Scores -----------------------------------------------------------------------------------


Specs = tuple[list[scoring.DimensionSpec], list[scoring.ItemSpec]]


def _specs_of(dimensions: list[Dimension]) -> Specs:
    dimension_specs = [scoring.DimensionSpec(key=d.key, name=d.name, weight=Fraction(d.weight)) for d in dimensions]
    item_specs = [
        scoring.ItemSpec(id=i.pk, dimension=d.key, answer_type=i.answer_type, weight=Fraction(i.weight),
                         reverse=i.reverse_scored)
        for d in dimensions
        for i in d.items.all()
    ]
    return dimension_specs, item_specs


def _specs(version: InstrumentVersion) -> Specs:
    return _specs_of(version_dimensions(version=version))


def group_name(respondent: Respondent) -> str:
    """The organization a response counts for, by its current name (renaming it mid-round must not split
    it in two); the name saved at the time when the organization has since been removed."""
    if respondent.organization_id is not None:
        return respondent.organization.name
    return respondent.organization_name or NO_ORGANIZATION


def round_result(*, round: AssessmentRound) -> scoring.RoundResult:
    """Scores of a round from its submitted responses (in-progress answers never count)."""
    return round_results(rounds=[round])[0]


def round_results(*, rounds: list[AssessmentRound]) -> list[scoring.RoundResult]:
    """Scores of several rounds, in their order, in four queries however many rounds there are."""
    version_ids = {r.instrument_version_id for r in rounds}
    dimensions: dict[int, list[Dimension]] = {pk: [] for pk in version_ids}
    for dimension in (
        Dimension.objects.filter(version_id__in=version_ids).order_by("order", "pk")
        .prefetch_related(Prefetch("items", queryset=Item.objects.order_by("order", "pk")))
    ):
        dimensions[dimension.version_id].append(dimension)
    specs = {pk: _specs_of(rows) for pk, rows in dimensions.items()}
    submitted: dict[int, list[Respondent]] = {r.pk: [] for r in rounds}
    respondents = list(
        Respondent.objects.filter(round__in=[r.pk for r in rounds], submitted_at__isnull=False)
        .select_related("organization").order_by("pk")
    )
    for respondent in respondents:
        submitted[respondent.round_id].append(respondent)
    choices: dict[int, dict[int, str]] = {r.pk: {} for r in respondents}
    answers = Answer.objects.filter(respondent__round__in=[r.pk for r in rounds],
                                    respondent__submitted_at__isnull=False)
    for respondent_id, item_id, choice in answers.values_list("respondent_id", "item_id", "choice"):
        choices[respondent_id][item_id] = choice
    results = []
    for round_ in rounds:
        dimension_specs, item_specs = specs[round_.instrument_version_id]
        responses = [scoring.Response(respondent=r.pk, group=group_name(r), choices=choices[r.pk])
                     for r in submitted[round_.pk]]
        results.append(scoring.score_round(dimension_specs, item_specs, responses, defaults.STAGES))
    return results


@dataclass(frozen=True)
class Proposal:
    """A gap under the round's threshold, proposed as an action item."""

    source_key: str
    kind: str  # "dimension" or "item"
    dimension: scoring.DimensionSpec
    score: Fraction
    title: str
    finding: str
    statement: str = ""
    accepted: ActionItem | None = None


def gap_proposals(*, round: AssessmentRound, result: scoring.RoundResult | None = None) -> list[Proposal]:
    """Dimensions, then statements, scoring under the threshold, weakest first; accepted ones say so."""
    result = result or round_result(round=round)
    threshold = Fraction(round.action_threshold)
    accepted = {
        a.source_key: a
        for a in ActionItem.objects.filter(round=round).exclude(source_key="").select_related("owner_organization")
    }
    dimension_rows = {d.key: d for d in Dimension.objects.filter(version_id=round.instrument_version_id)}
    items = {i.pk: i for i in Item.objects.filter(version_id=round.instrument_version_id)}
    proposals: list[Proposal] = []
    weak_dimensions = sorted(
        (d for d in result.dimensions if result.workgroup[d.key].score is not None
         and result.workgroup[d.key].score < threshold),
        key=lambda d: result.workgroup[d.key].score,
    )
    for spec in weak_dimensions:
        score = result.workgroup[spec.key].score
        row = dimension_rows.get(spec.key)
        source_key = f"dimension:{spec.key}"
        proposals.append(Proposal(
            source_key=source_key, kind="dimension", dimension=spec, score=score,
            title=(row.suggested_action if row and row.suggested_action else f"Strengthen “{spec.name}”")[:300],
            finding=f"“{spec.name}” scored {scoring.truncate(score)} ({scoring.BAND_LABELS[scoring.band(score)]}) "
                    f"in “{round.title}”, under the round's threshold of {round.action_threshold}.",
            accepted=accepted.get(source_key),
        ))
    weak_items = sorted(
        (r for r in result.items if r.score is not None and r.score < threshold), key=lambda r: r.score
    )
    for item_result in weak_items:
        item = items[item_result.item.id]
        source_key = f"item:{item.pk}"
        spread = ""
        if len(item_result.by_group) > 1:
            spread = (f" Organizations ranged from {scoring.truncate(min(item_result.by_group.values()))} "
                      f"to {scoring.truncate(max(item_result.by_group.values()))}.")
        reverse_note = " (reverse-scored: agreement lowers the score)" if item.reverse_scored else ""
        proposals.append(Proposal(
            source_key=source_key, kind="item", dimension=result.dimension(item_result.item.dimension),
            score=item_result.score, statement=item.statement,
            title=f"Follow up: {item.statement}"[:300],
            finding=f"Partners scored “{item.statement}” {scoring.truncate(item_result.score)}{reverse_note} "
                    f"in “{round.title}”.{spread}",
            accepted=accepted.get(source_key),
        ))
    return proposals


# --- Change over time -------------------------------------------------------------------------


@dataclass(frozen=True)
class ComparisonRow:
    key: str
    name: str
    scores: list[Fraction | None]  # one per round, in round order

    @property
    def change(self) -> Fraction | None:
        present = [s for s in self.scores if s is not None]
        if len(present) < 2 or self.scores[0] is None or self.scores[-1] is None:
            return None
        return self.scores[-1] - self.scores[0]


@dataclass(frozen=True)
class Comparison:
    rounds: list[AssessmentRound]
    rows: list[ComparisonRow]
    overall: list[Fraction | None]
    stages: list[scoring.StageResult]
    responses: list[int]


def round_comparison(*, workgroup: Workgroup, rounds: list[AssessmentRound]) -> Comparison:
    """Dimensions matched by their short name (key) across rounds, oldest round first."""
    rounds = sorted((r for r in rounds if r.workgroup_id == workgroup.pk), key=lambda r: (r.opened_at, r.pk))
    results = round_results(rounds=rounds)
    names: dict[str, str] = {}
    for result in reversed(results):  # the newest round's names and order win
        for spec in result.dimensions:
            names.setdefault(spec.key, spec.name)
    order = [spec.key for spec in results[-1].dimensions] if results else []
    order += [key for key in names if key not in order]
    rows = [
        ComparisonRow(key=key, name=names[key],
                      scores=[res.workgroup[key].score if key in res.workgroup else None for res in results])
        for key in order
    ]
    return Comparison(rounds=rounds, rows=rows, overall=[res.overall for res in results],
                      stages=[res.stage for res in results], responses=[res.responses for res in results])


# --- Action plan ------------------------------------------------------------------------------


def action_plan(*, workgroup: Workgroup, status: str | None = None, open_only: bool = False) -> QuerySet[ActionItem]:
    queryset = ActionItem.objects.for_workgroup(workgroup).select_related("owner_organization", "round")
    if status:
        queryset = queryset.filter(status=status)
    if open_only:
        queryset = queryset.exclude(status__in=[ActionStatus.DONE, ActionStatus.DROPPED])
    # What still needs doing first, soonest due first (undated last); finished and dropped items at the end.
    finished = Case(When(status__in=[ActionStatus.DONE, ActionStatus.DROPPED], then=1), default=0)
    return queryset.order_by(finished, F("due_date").asc(nulls_last=True), "pk")


def overdue_actions(*, workgroup: Workgroup, today: date | None = None) -> QuerySet[ActionItem]:
    today = today or timezone.localdate()
    return action_plan(workgroup=workgroup, open_only=True).filter(due_date__lt=today).order_by("due_date", "pk")


# --- Dashboard --------------------------------------------------------------------------------


def dashboard_card(*, workgroup: Workgroup, membership: Membership) -> Card:
    start_url = reverse("readiness:index", kwargs={"slug": workgroup.slug})
    rounds = list(round_list(workgroup=workgroup)[:5])
    overdue = list(overdue_actions(workgroup=workgroup)[:3])
    overdue_total = overdue_actions(workgroup=workgroup).count() if overdue else 0
    warnings = [
        f"{overdue_total} action item{'s' if overdue_total != 1 else ''} overdue"
        + (f", e.g. “{Truncator(overdue[0].title).chars(70)}” (due {overdue[0].due_date:%-d %b %Y})"
           if overdue else "")
    ] if overdue_total else []
    if not rounds:
        return Card(area="readiness", title="Readiness", status="No readiness round has been run.",
                    progress=Progress.NOT_STARTED, start_url=start_url,
                    start_label="Plan a readiness self-assessment", guidance_slug="key-partners-and-readiness",
                    warnings=warnings)
    facts = []
    latest_closed = next((r for r in rounds if r.status == RoundStatus.CLOSED), None)
    open_rounds = [r for r in rounds if r.is_open]
    for r in open_rounds[:2]:
        facts.append(f"“{r.title}” open: {r.submitted_count} of {r.respondent_count} answered, due {r.due_date:%-d %b}")
    if latest_closed is not None:
        result = round_result(round=latest_closed)
        stage = result.stage.stage
        facts.append(
            f"Latest results (“{latest_closed.title}”): overall {scoring.truncate(result.overall) or '—'}"
            + (f", stage {stage.number} — {stage.name}" if stage else "")
        )
        concerns = [d.name for d in result.dimensions if result.workgroup[d.key].band == "concern"]
        if concerns:
            facts.append("Concerns: " + ", ".join(concerns))
    open_actions = action_plan(workgroup=workgroup, open_only=True).count()
    facts.append(f"{open_actions} open action item{'s' if open_actions != 1 else ''}")
    return Card(
        area="readiness", title="Readiness",
        status=(f"{len(open_rounds)} round{'s' if len(open_rounds) != 1 else ''} open." if open_rounds
                else "No round open."),
        progress=Progress.ON_TRACK if latest_closed and not overdue_total else Progress.IN_PROGRESS,
        start_url=start_url, start_label="Open readiness", guidance_slug="key-partners-and-readiness",
        facts=facts, warnings=warnings,
    )
