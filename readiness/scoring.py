"""Readiness scoring as plain data: answers in, scores out. No database, exact arithmetic.

The rules, in the order they apply:

* An agreement answer scores its value (1–5); yes / partly / no score 5 / 3 / 1. A
  reverse-scored statement scores ``6 − value``. "Don't know" and blanks are *missing*:
  excluded from the score and counted. Numbers and free text are recorded, not scored.
* A respondent group (an organization) scores a dimension as the weighted mean of every
  scored answer its respondents gave in it (Σ weight × score / Σ weight).
* The workgroup scores a dimension as the plain mean of the organizations' scores, so a
  partner that sent five people counts as much as one that sent one.
* The overall score is the weighted mean of the dimension scores (dimension weights).
* Bands: strength at 4 or more, borderline from 3 to under 4, concern under 3.
* A stage is reached only when the overall score meets its threshold — never rounded up
  (3.96 is "under 4") — and, for the top stages, when no dimension is a concern or unscored.

Fractions keep every mean exact, so hand-computed cases compare equal and no threshold is
met by a rounding accident. ``truncate`` turns a score into what the screens show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

AGREEMENT_CHOICES = ("1", "2", "3", "4", "5")
YES_PARTLY_NO_SCORES = {"yes": 5, "partly": 3, "no": 1}
UNSURE = "unsure"
SCORED = ("agreement", "yes_partly_no")

STRENGTH_AT = Fraction(4)
BORDERLINE_AT = Fraction(3)


@dataclass(frozen=True)
class DimensionSpec:
    key: str
    name: str
    weight: Fraction = Fraction(1)


@dataclass(frozen=True)
class ItemSpec:
    id: int
    dimension: str  # DimensionSpec.key
    answer_type: str
    weight: Fraction = Fraction(1)
    reverse: bool = False

    @property
    def is_scored(self) -> bool:
        return self.answer_type in SCORED


@dataclass(frozen=True)
class Response:
    """A submitted response: who (group) and the choice given per item id."""

    respondent: int
    group: str  # organization name, or a label for people without one
    choices: Mapping[int, str]


def item_score(item: ItemSpec, choice: str | None) -> int | None:
    """1–5 after reverse scoring, or None when the answer is missing or not scored."""
    if not item.is_scored or not choice or choice == UNSURE:
        return None
    if item.answer_type == "agreement":
        if choice not in AGREEMENT_CHOICES:
            return None
        value = int(choice)
    else:
        value = YES_PARTLY_NO_SCORES.get(choice)
        if value is None:
            return None
    return 6 - value if item.reverse else value


@dataclass
class DimensionScore:
    score: Fraction | None
    answered: int = 0  # scored answers counted
    missing: int = 0  # scored statements left blank or answered "don't know"

    @property
    def band(self) -> str | None:
        return band(self.score)


def band(score: Fraction | None) -> str | None:
    if score is None:
        return None
    if score >= STRENGTH_AT:
        return "strength"
    if score >= BORDERLINE_AT:
        return "borderline"
    return "concern"


BAND_LABELS = {"strength": "Strength", "borderline": "Borderline", "concern": "Concern"}


def weighted_mean(pairs: Iterable[tuple[Fraction, Fraction | int]]) -> Fraction | None:
    """Σ w·x / Σ w over (weight, value) pairs; None when there is nothing to average."""
    total_weight = Fraction(0)
    total = Fraction(0)
    for weight, value in pairs:
        total_weight += weight
        total += weight * value
    return total / total_weight if total_weight else None


def score_group(
    dimensions: Sequence[DimensionSpec], items: Sequence[ItemSpec], responses: Sequence[Response]
) -> dict[str, DimensionScore]:
    """Pool a group's responses: per dimension, the weighted mean of every scored answer."""
    result: dict[str, DimensionScore] = {}
    for dimension in dimensions:
        pairs: list[tuple[Fraction, int]] = []
        missing = 0
        for item in items:
            if item.dimension != dimension.key or not item.is_scored:
                continue
            for response in responses:
                value = item_score(item, response.choices.get(item.id))
                if value is None:
                    missing += 1
                else:
                    pairs.append((item.weight, value))
        result[dimension.key] = DimensionScore(score=weighted_mean(pairs), answered=len(pairs), missing=missing)
    return result


def overall(dimensions: Sequence[DimensionSpec], scores: Mapping[str, DimensionScore]) -> Fraction | None:
    return weighted_mean(
        (d.weight, scores[d.key].score) for d in dimensions if d.key in scores and scores[d.key].score is not None
    )


@dataclass(frozen=True)
class Spread:
    """How far apart the organizations are on one dimension (before anything is averaged)."""

    dimension: str
    by_group: dict[str, Fraction]  # group -> score, groups with a score only

    @property
    def low(self) -> Fraction | None:
        return min(self.by_group.values()) if self.by_group else None

    @property
    def high(self) -> Fraction | None:
        return max(self.by_group.values()) if self.by_group else None

    @property
    def range(self) -> Fraction | None:
        return self.high - self.low if self.by_group else None


@dataclass(frozen=True)
class ItemResult:
    item: ItemSpec
    score: Fraction | None  # mean of the groups' means, like dimensions
    answered: int
    missing: int
    by_group: dict[str, Fraction]

    @property
    def range(self) -> Fraction | None:
        values = list(self.by_group.values())
        return max(values) - min(values) if values else None


@dataclass(frozen=True)
class Stage:
    number: int
    name: str
    threshold: Fraction
    meaning: str
    next_steps: tuple[str, ...]
    needs_no_concerns: bool = False


@dataclass(frozen=True)
class StageResult:
    stage: Stage | None
    held_back_by: tuple[str, ...] = ()  # dimension keys (concern or unscored) keeping a higher stage out of reach
    held_back_from: Stage | None = None


def stage_for(
    stages: Sequence[Stage], overall_score: Fraction | None, dimension_scores: Mapping[str, Fraction | None]
) -> StageResult:
    """The highest stage whose threshold the overall score meets (exactly, no rounding)."""
    if overall_score is None:
        return StageResult(stage=None)
    # A dimension nobody could score ("don't know" throughout) cannot vouch for readiness either.
    concerns = tuple(key for key, score in dimension_scores.items() if score is None or band(score) == "concern")
    reached: Stage | None = None
    held_back_from: Stage | None = None
    for stage in sorted(stages, key=lambda s: s.threshold):
        if overall_score < stage.threshold:
            break
        if stage.needs_no_concerns and concerns:
            held_back_from = stage
            break
        reached = stage
    return StageResult(stage=reached, held_back_by=concerns if held_back_from else (), held_back_from=held_back_from)


@dataclass
class RoundResult:
    dimensions: list[DimensionSpec]
    groups: dict[str, dict[str, DimensionScore]]  # group -> dimension key -> score
    group_overall: dict[str, Fraction | None]
    respondents_by_group: dict[str, int]
    workgroup: dict[str, DimensionScore]  # dimension key -> mean of group scores
    overall: Fraction | None
    spreads: list[Spread]  # largest disagreement first
    items: list[ItemResult]
    responses: int
    stage: StageResult = field(default_factory=lambda: StageResult(stage=None))

    def dimension(self, key: str) -> DimensionSpec:
        return next(d for d in self.dimensions if d.key == key)


def score_round(
    dimensions: Sequence[DimensionSpec],
    items: Sequence[ItemSpec],
    responses: Sequence[Response],
    stages: Sequence[Stage] = (),
) -> RoundResult:
    by_group: dict[str, list[Response]] = {}
    for response in responses:
        by_group.setdefault(response.group, []).append(response)
    groups = {name: score_group(dimensions, items, group) for name, group in sorted(by_group.items())}
    workgroup: dict[str, DimensionScore] = {}
    spreads: list[Spread] = []
    for dimension in dimensions:
        values = {g: scores[dimension.key].score for g, scores in groups.items()
                  if scores[dimension.key].score is not None}
        workgroup[dimension.key] = DimensionScore(
            score=sum(values.values(), Fraction(0)) / len(values) if values else None,
            answered=sum(scores[dimension.key].answered for scores in groups.values()),
            missing=sum(scores[dimension.key].missing for scores in groups.values()),
        )
        spreads.append(Spread(dimension=dimension.key, by_group=values))
    spreads.sort(key=lambda s: (-(s.range if s.range is not None else Fraction(-1)), s.dimension))
    item_results = []
    for item in items:
        if not item.is_scored:
            continue
        item_by_group: dict[str, Fraction] = {}
        answered = missing = 0
        for name, group in by_group.items():
            values = [item_score(item, r.choices.get(item.id)) for r in group]
            present = [v for v in values if v is not None]
            answered += len(present)
            missing += len(values) - len(present)
            if present:
                item_by_group[name] = Fraction(sum(present), len(present))
        mean = sum(item_by_group.values(), Fraction(0)) / len(item_by_group) if item_by_group else None
        item_results.append(ItemResult(item=item, score=mean, answered=answered, missing=missing,
                                       by_group=dict(sorted(item_by_group.items()))))
    overall_score = overall(dimensions, workgroup)
    return RoundResult(
        dimensions=list(dimensions),
        groups=groups,
        group_overall={name: overall(dimensions, scores) for name, scores in groups.items()},
        respondents_by_group={name: len(group) for name, group in sorted(by_group.items())},
        workgroup=workgroup,
        overall=overall_score,
        spreads=spreads,
        items=item_results,
        responses=len(responses),
        stage=stage_for(stages, overall_score, {k: v.score for k, v in workgroup.items()}),
    )


def truncate(score: Fraction | None, places: int = 1) -> Decimal | None:
    """What the screens show: cut, never rounded up, so 3.96 reads 3.9 and stays "under 4"."""
    if score is None:
        return None
    # Integer floor division: exact for any fraction, unlike dividing Decimals first.
    scaled = (score.numerator * 10**places) // score.denominator
    return Decimal(scaled).scaleb(-places)
