"""Scoring on hand-computed cases: weights, reverse scoring, missing answers, groups, bands and stages."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readiness import defaults
from readiness.scoring import (
    DimensionSpec,
    ItemSpec,
    Response,
    band,
    item_score,
    score_group,
    score_round,
    stage_for,
    truncate,
)

LEAD = DimensionSpec("lead", "Leadership")
DATA = DimensionSpec("data", "Data sharing", weight=F(2))
L1 = ItemSpec(1, "lead", "agreement")
L2 = ItemSpec(2, "lead", "agreement", weight=F(2))
L3 = ItemSpec(3, "lead", "agreement", reverse=True)
L4 = ItemSpec(4, "lead", "text")
D1 = ItemSpec(5, "data", "yes_partly_no")
D2 = ItemSpec(6, "data", "agreement")
D3 = ItemSpec(7, "data", "number")
DIMENSIONS = [LEAD, DATA]
ITEMS = [L1, L2, L3, L4, D1, D2, D3]

# Two people from the 988 center, one from the PSAP.
A = Response(1, "988 center", {1: "4", 2: "5", 3: "2", 4: "We need funding", 5: "yes", 6: "unsure", 7: "12"})
B = Response(2, "988 center", {1: "2", 2: "3", 3: "5", 5: "partly", 6: "2"})
C = Response(3, "PSAP", {1: "1", 2: "unsure", 5: "no", 6: "1"})


def test_item_scores_agreement_yes_partly_no_and_reverse():
    assert [item_score(L1, c) for c in "12345"] == [1, 2, 3, 4, 5]
    assert [item_score(L3, c) for c in "12345"] == [5, 4, 3, 2, 1]
    assert [item_score(D1, c) for c in ("yes", "partly", "no")] == [5, 3, 1]


@pytest.mark.parametrize("choice", ["", None, "unsure", "6", "0", "maybe", "YES"])
def test_missing_or_unknown_answers_score_nothing(choice):
    assert item_score(L1, choice) is None
    assert item_score(D1, choice) is None


def test_numbers_and_free_text_are_not_scored():
    assert item_score(L4, "anything") is None
    assert item_score(D3, "12") is None


def test_one_respondent_weighted_with_reverse_item_and_a_dont_know():
    scores = score_group(DIMENSIONS, ITEMS, [A])
    # lead: (1·4 + 2·5 + 1·(6−2)) / (1+2+1) = 18/4
    assert scores["lead"].score == F(9, 2)
    assert (scores["lead"].answered, scores["lead"].missing) == (3, 0)
    # data: yes = 5; "don't know" is excluded and counted
    assert scores["data"].score == F(5)
    assert (scores["data"].answered, scores["data"].missing) == (1, 1)


def test_a_group_pools_its_respondents_answers():
    scores = score_group(DIMENSIONS, ITEMS, [A, B])
    # lead: A 4, 5(w2), 4 and B 2, 3(w2), 1 → (4 + 10 + 4 + 2 + 6 + 1) / 8
    assert scores["lead"].score == F(27, 8)
    # data: A 5; B 3, 2 → 10/3, A's "don't know" missing
    assert scores["data"].score == F(10, 3)
    assert scores["data"].missing == 1


def test_round_averages_organizations_equally_and_weights_dimensions():
    result = score_round(DIMENSIONS, ITEMS, [A, B, C], defaults.STAGES)
    # PSAP: lead only L1 = 1 (L2 don't know, L3 blank → 2 missing); data 1 and 1.
    assert result.groups["PSAP"]["lead"].score == F(1)
    assert result.groups["PSAP"]["lead"].missing == 2
    # The 988 center sent two people, the PSAP one: each organization counts once.
    assert result.workgroup["lead"].score == (F(27, 8) + 1) / 2 == F(35, 16)
    assert result.workgroup["data"].score == (F(10, 3) + 1) / 2 == F(13, 6)
    assert result.workgroup["lead"].missing == 2
    assert result.workgroup["data"].missing == 1
    # Overall: lead weight 1, data weight 2.
    assert result.overall == (F(35, 16) + 2 * F(13, 6)) / 3 == F(313, 144)
    assert result.responses == 3
    assert result.respondents_by_group == {"988 center": 2, "PSAP": 1}


def test_spread_lists_the_largest_disagreement_first():
    result = score_round(DIMENSIONS, ITEMS, [A, B, C])
    assert [s.dimension for s in result.spreads] == ["lead", "data"]
    assert result.spreads[0].range == F(27, 8) - 1
    assert result.spreads[1].low == 1 and result.spreads[1].high == F(10, 3)


def test_item_results_are_means_of_organization_means():
    result = score_round(DIMENSIONS, ITEMS, [A, B, C])
    by_id = {r.item.id: r for r in result.items}
    assert by_id[1].by_group == {"988 center": F(3), "PSAP": F(1)}
    assert by_id[1].score == F(2)
    assert by_id[1].range == F(2)
    # L3 is reversed: 988 center (4 + 1) / 2; the PSAP left it blank.
    assert by_id[3].by_group == {"988 center": F(5, 2)}
    assert (by_id[3].answered, by_id[3].missing) == (2, 1)
    assert 4 not in by_id and 7 not in by_id  # text and number: not scored


def test_no_responses_give_no_scores_rather_than_zero():
    result = score_round(DIMENSIONS, ITEMS, [], defaults.STAGES)
    assert result.overall is None
    assert result.workgroup["lead"].score is None
    assert result.stage.stage is None


@pytest.mark.parametrize(
    ("score", "expected"),
    [(F(5), "strength"), (F(4), "strength"), (F(399, 100), "borderline"), (F(3), "borderline"),
     (F(299, 100), "concern"), (F(1), "concern"), (None, None)],
)
def test_bands(score, expected):
    assert band(score) == expected


def test_truncate_never_rounds_up():
    assert truncate(F(396, 100)) == Decimal("3.9")
    assert truncate(F(4)) == Decimal("4.0")
    assert truncate(F(2, 3), 2) == Decimal("0.66")
    assert truncate(None) is None


@pytest.mark.parametrize(
    ("overall", "expected"),
    [(F(1), 1), (F(199, 100), 1), (F(2), 2), (F(299, 100), 2), (F(3), 3), (F(396, 100), 3),
     (F(4), 4), (F(449, 100), 4), (F(9, 2), 5), (F(5), 5)],
)
def test_stage_is_reached_only_at_its_threshold(overall, expected):
    result = stage_for(defaults.STAGES, overall, {"lead": overall})
    assert result.stage.number == expected


def test_a_concern_dimension_holds_back_the_top_stages():
    result = stage_for(defaults.STAGES, F(42, 10), {"lead": F(5), "data": F(29, 10)})
    assert result.stage.number == 3
    assert result.held_back_from.number == 4
    assert result.held_back_by == ("data",)


def test_without_concerns_nothing_is_held_back():
    result = stage_for(defaults.STAGES, F(3), {"lead": F(3)})
    assert result.stage.number == 3
    assert result.held_back_from is None and result.held_back_by == ()


choices = st.sampled_from(["1", "2", "3", "4", "5", "unsure", ""])


@given(st.lists(st.tuples(st.sampled_from(["X", "Y", "Z"]), choices, choices, choices), min_size=1, max_size=12))
def test_scores_stay_on_the_scale_and_missing_plus_answered_is_everything(rows):
    responses = [Response(n, group, {1: a, 2: b, 3: c}) for n, (group, a, b, c) in enumerate(rows)]
    result = score_round([LEAD], [L1, L2, L3], responses, defaults.STAGES)
    score = result.workgroup["lead"]
    assert score.answered + score.missing == 3 * len(rows)
    # No scored answer at all: no score and no stage; otherwise both on the scale, the stage never above it.
    assert (score.score is None) == (score.answered == 0) == (result.stage.stage is None)
    assert score.score is None or (1 <= score.score <= 5 and result.stage.stage.threshold <= result.overall)
    for group_scores in result.groups.values():
        value = group_scores["lead"].score
        assert value is None or 1 <= value <= 5


def test_a_dimension_nobody_could_score_holds_back_the_top_stages_too():
    result = stage_for(defaults.STAGES, F(46, 10), {"lead": F(46, 10), "data": None})
    assert result.stage.number == 3
    assert result.held_back_by == ("data",)
