"""The pure decision-tree engine (triage.engine): validation rules, evaluation, paths, matrix, properties."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage import engine
from triage.defaults import EXAMPLE_SCENARIOS, default_tree
from triage.engine import OUTCOME, QUESTION, NodeSpec, OptionSpec, RiskLevelSpec, Tree

LEVELS = (RiskLevelSpec("low", "Low"), RiskLevelSpec("high", "High"))


def q(key: str, *options: OptionSpec, root: bool = False) -> NodeSpec:
    return NodeSpec(key=key, kind=QUESTION, text=f"Question {key}?", root=root, options=options)


def o(key: str, level: str = "low", route: str = "referral", options: tuple = ()) -> NodeSpec:
    return NodeSpec(key=key, kind=OUTCOME, text=f"Outcome {key}", risk_level=level, route=route, options=options)


def a(label: str, next_key: str, **criteria: bool) -> OptionSpec:
    return OptionSpec(label=label, next=next_key, criteria=criteria)


def tree(*nodes: NodeSpec, levels=LEVELS, criteria=None, guidance="Reassess when anything changes.") -> Tree:
    return Tree(nodes={n.key: n for n in nodes}, risk_levels=levels, criteria=criteria or {"weapon": "Weapon"},
                reassessment_guidance=guidance)


def small(**changes) -> Tree:
    """A valid two-outcome tree; tests break one thing in it."""
    nodes = {
        "start": q("start", a("Yes", "high", weapon=True), a("No", "low", weapon=False), root=True),
        "high": o("high", "high", "ems_le_with_bh"),
        "low": o("low"),
    }
    nodes.update(changes)
    return tree(*(n for n in nodes.values() if n is not None))


def errors(t: Tree) -> list[engine.Problem]:
    return engine.errors_of(engine.validate(t))


def only_error(t: Tree) -> engine.Problem:
    found = errors(t)
    assert len(found) == 1, found
    return found[0]


# --- Validation: one broken tree per rule ---------------------------------------------------------


def test_the_small_tree_is_valid_without_warnings():
    assert engine.validate(small()) == []


def test_a_tree_without_a_root_is_refused():
    problem = only_error(small(start=replace(small().nodes["start"], root=False)))
    assert "no first question" in problem.message


def test_a_tree_with_two_roots_names_both():
    t = small(low=q("low", a("Fine", "high"), root=True))
    assert {p.node for p in errors(t) if "first question" in p.message} == {"start", "low"}


def test_a_cycle_is_refused_and_names_its_steps():
    t = small(start=q("start", a("Yes", "again"), a("No", "low"), root=True),
              again=q("again", a("Back", "start"), a("On", "high")))
    problem = only_error(t)
    assert "loops back" in problem.message and "Question start?" in problem.message


def test_an_answer_leading_nowhere_is_refused():
    problem = only_error(small(start=q("start", a("Yes", "high"), a("No", "low"), a("Maybe", ""), root=True)))
    assert problem.message == "The answer “Maybe” to “Question start?” leads nowhere." and problem.node == "start"


def test_an_answer_leading_to_a_missing_step_is_refused():
    problem = only_error(small(start=q("start", a("Yes", "high"), a("No", "low"), a("Maybe", "ghost"), root=True)))
    assert "does not exist" in problem.message and problem.node == "start"


def test_a_question_without_answers_is_refused():
    t = small(start=q("start", a("Yes", "high"), a("No", "low"), a("Unsure", "stuck"), root=True), stuck=q("stuck"))
    problem = only_error(t)
    assert "has no answers" in problem.message and problem.node == "stuck"


def test_two_answers_with_the_same_wording_are_refused_ignoring_case_and_spaces():
    problem = only_error(small(start=q("start", a("Yes", "high"), a(" yes ", "low"), root=True)))
    assert "same wording" in problem.message


def test_an_unreachable_step_is_refused():
    problem = only_error(small(orphan=o("orphan")))
    assert "cannot be reached" in problem.message and problem.node == "orphan"


def test_an_outcome_without_a_risk_level_is_refused():
    assert "needs a risk level" in only_error(small(low=o("low", level=""))).message


def test_an_outcome_with_an_unknown_risk_level_is_refused():
    assert "needs a risk level" in only_error(small(low=o("low", level="extreme"))).message


def test_an_outcome_without_a_route_is_refused():
    assert "needs a route" in only_error(small(low=o("low", route=""))).message


def test_an_outcome_with_answers_is_refused():
    problem = only_error(small(low=o("low", options=(a("More", "high"),))))
    assert "has answers" in problem.message and problem.node == "low"


def test_an_answer_setting_an_unknown_criterion_is_refused():
    problem = only_error(small(start=q("start", a("Yes", "high", knife=True), a("No", "low"), root=True)))
    assert "unknown criterion “knife”" in problem.message


def test_a_step_of_unknown_kind_is_refused():
    odd = NodeSpec(key="low", kind="note", text="A note")
    assert "neither a question nor an outcome" in only_error(small(low=odd)).message


def test_missing_reassessment_guidance_is_refused():
    t = replace(small(), reassessment_guidance="   ")
    assert "reassessment guidance" in only_error(t).message


def test_a_tree_without_risk_levels_is_refused():
    t = replace(small(), risk_levels=())
    assert "Define at least one risk level." in [p.message for p in errors(t)]


def test_an_unreachable_risk_level_is_only_a_warning():
    t = replace(small(), risk_levels=(*LEVELS, RiskLevelSpec("unused", "Unused")))
    problems = engine.validate(t)
    assert errors(t) == []
    assert [(p.severity, p.message) for p in problems] == [
        ("warning", "No answer path leads to the risk level “Unused”.")]


def test_the_default_tree_is_valid():
    assert errors(default_tree()) == []


# --- Evaluation ---------------------------------------------------------------------------------------


def test_evaluate_follows_the_answers_to_an_outcome():
    result = engine.evaluate(small(), {"start": "Yes"})
    assert result.outcome.key == "high" and [s.answer.label for s in result.steps] == ["Yes"]


def test_evaluate_stops_at_a_question_without_an_answer():
    result = engine.evaluate(small(), {})
    assert result.outcome is None and result.stopped_at.key == "start" and "No answer given" in result.message


def test_evaluate_matches_labels_ignoring_case_and_spaces():
    assert engine.evaluate(small(), {"start": "  nO "}).outcome.key == "low"


def test_evaluate_refuses_a_tree_without_a_single_root():
    result = engine.evaluate(small(low=q("low", a("x", "high"), root=True)), {"start": "Yes"})
    assert result.outcome is None and "no single first question" in result.message


@pytest.mark.parametrize(("name", "answers", "level", "route", "line"), EXAMPLE_SCENARIOS,
                         ids=[s[0] for s in EXAMPLE_SCENARIOS])
def test_every_example_scenario_passes_on_the_default_tree(name, answers, level, route, line):
    outcome = engine.evaluate(default_tree(), answers, line).outcome
    assert (outcome.risk_level, outcome.route) == (level, route)


# --- Decision-point matrix ----------------------------------------------------------------------------


def test_the_default_tree_matrix_has_one_row_per_path_and_no_contradictions():
    t = default_tree()
    rows, contradictions = engine.decision_matrix(t)
    assert contradictions == []
    assert len(rows) == len(engine.paths(t)) > 10
    assert {row.line for row in rows} == {"911", "988"}
    medical = [row for row in rows if row.values["medical_emergency"] is True]
    assert {(row.line, row.route) for row in medical} == {("911", "ems"), ("988", "988_to_911")}


def test_two_paths_settling_every_criterion_alike_but_routing_differently_are_flagged():
    t = tree(q("start", a("Yes", "one", weapon=True), a("Also yes", "two", weapon=True), root=True),
             o("one", "high", "ems_le_with_bh"), o("two", "low", "referral"))
    rows, contradictions = engine.decision_matrix(t)
    assert len(rows) == 2
    assert [c.rows for c in contradictions] == [(0, 1)]


def test_a_path_settling_a_criterion_both_ways_is_flagged():
    t = tree(q("start", a("Yes", "again", weapon=True), root=True), q("again", a("No", "end", weapon=False)),
             o("end"), levels=(LEVELS[0],))
    rows, contradictions = engine.decision_matrix(t)
    assert len(contradictions) == 1 and "both yes and no" in contradictions[0].message
    assert contradictions[0].rows == (0,)


# --- Properties: random valid trees ---------------------------------------------------------------------

ROUTES = ["988_remote", "988_mobile_crisis", "911_to_988", "988_to_911", "ems_le_with_bh", "referral"]
CRITERIA = {"c1": "One", "c2": "Two"}


@st.composite
def valid_trees(draw) -> Tree:
    """A random DAG: questions only point to later nodes; a spanning tree makes every node reachable."""
    n_questions = draw(st.integers(1, 6))  # at most 4**6 paths: below engine.MAX_PATHS
    n_outcomes = draw(st.integers(1, 3 * n_questions + 1))  # room for every node within 4 answers a question
    levels = tuple(RiskLevelSpec(f"level-{i}", f"Level {i}") for i in range(draw(st.integers(1, 3))))
    keys = [f"q{i}" for i in range(n_questions)] + [f"o{i}" for i in range(n_outcomes)]
    targets: list[list[str]] = [[] for _ in range(n_questions)]
    for index in range(1, len(keys)):
        parents = [i for i in range(min(index, n_questions)) if len(targets[i]) < 4]
        targets[draw(st.sampled_from(parents))].append(keys[index])
    nodes = []
    for i in range(n_questions):
        later = keys[i + 1:]
        room = 4 - len(targets[i])
        extra = draw(st.lists(st.sampled_from(later), min_size=0 if targets[i] else 1, max_size=room))
        chosen = draw(st.permutations(targets[i] + extra))
        options = tuple(
            OptionSpec(label=f"Answer {j}", next=target,
                       criteria=draw(st.dictionaries(st.sampled_from(sorted(CRITERIA)), st.booleans(), max_size=2)))
            for j, target in enumerate(chosen)
        )
        nodes.append(NodeSpec(key=keys[i], kind=QUESTION, text=f"Question {i}", root=i == 0, options=options))
    for i in range(n_outcomes):
        nodes.append(NodeSpec(key=f"o{i}", kind=OUTCOME, text=f"Outcome {i}",
                              risk_level=draw(st.sampled_from(levels)).key, route=draw(st.sampled_from(ROUTES))))
    order = draw(st.permutations(nodes))  # the engine must not depend on the order nodes are listed in
    return Tree(nodes={n.key: n for n in order}, risk_levels=levels, criteria=dict(CRITERIA),
                reassessment_guidance="Reassess.")


def all_choices(t: Tree) -> list[tuple[dict[str, str], NodeSpec]]:
    """Walk every branch independently of engine.paths: (answers, the node the walk ends at)."""
    root = t.roots[0]
    found, stack = [], [(root, {})]
    while stack:
        node, answers = stack.pop()
        if node.kind != QUESTION:
            found.append((answers, node))
            continue
        for option in node.options:
            stack.append((t.nodes[option.next], {**answers, node.key: option.label}))
    return found


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(valid_trees())
def test_random_valid_trees_pass_validation(t):
    assert engine.errors_of(engine.validate(t)) == []


@SETTINGS
@given(valid_trees())
def test_every_answer_path_of_a_random_valid_tree_evaluates_to_its_outcome(t):
    found = engine.paths(t)
    assert found
    for path in found:
        answers = {step.node.key: step.answer.label for step in path.steps}
        result = engine.evaluate(t, answers)
        assert result.outcome is not None, result.message
        assert result.outcome == path.outcome


@SETTINGS
@given(valid_trees())
def test_every_combination_of_choices_in_a_random_valid_tree_reaches_an_outcome(t):
    walks = all_choices(t)
    assert all(end.kind == OUTCOME for _, end in walks)
    for answers, end in walks:
        assert engine.evaluate(t, answers).outcome == end
        # Labels are matched ignoring case, as call-takers type them.
        assert engine.evaluate(t, {k: v.upper() for k, v in answers.items()}).outcome == end
    assert len(engine.paths(t)) == len(walks)
    assert len(engine.decision_matrix(t)[0]) == len(walks)


def test_a_tree_that_starts_with_an_outcome_is_an_error():
    from triage.engine import OUTCOME, NodeSpec, RiskLevelSpec, Tree, errors_of, validate

    tree = Tree(
        nodes={"end": NodeSpec("end", OUTCOME, "Refer", root=True, risk_level="low", route="referral")},
        risk_levels=(RiskLevelSpec("low", "Low"),),
        reassessment_guidance="Reassess often.",
    )

    assert any("must start with a question" in p.message for p in errors_of(validate(tree)))


def test_path_enumeration_is_bounded_even_when_every_path_dead_ends():
    from triage.engine import MAX_STEPS, QUESTION, NodeSpec, OptionSpec, Tree, paths

    chain = {}
    for n in range(40):  # 2**40 dead-end paths if nothing bounded the walk
        nxt = f"q{n + 1}" if n < 39 else ""
        chain[f"q{n}"] = NodeSpec(f"q{n}", QUESTION, f"Question {n}", root=n == 0,
                                  options=(OptionSpec("Yes", nxt), OptionSpec("No", nxt)))

    assert paths(Tree(nodes=chain)) == []
    assert MAX_STEPS <= 1_000_000
