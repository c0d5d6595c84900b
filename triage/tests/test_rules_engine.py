"""Entry points per line, and safety rules proven over every path (triage.engine): each rule kind on small trees
that break it, and properties of random valid trees checked against brute force."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage import engine
from triage.engine import (
    OUTCOME,
    QUESTION,
    RULE_OUTCOME_WHEN,
    RULE_ROUTE_ONLY_WHEN,
    RULE_ROUTE_RECORDS,
    NodeSpec,
    OptionSpec,
    RiskLevelSpec,
    RuleSpec,
    Tree,
)

LEVELS = (RiskLevelSpec("low", "Low"), RiskLevelSpec("higher", "Higher"))
CRITERIA = {"imminent": "Imminent danger to self", "others": "Danger to others", "consent": "Caller consents"}


def q(key: str, *options: OptionSpec, root: bool = False, line: str = "") -> NodeSpec:
    return NodeSpec(key=key, kind=QUESTION, text=f"{key}?", root=root, line=line, options=options)


def o(key: str, level: str = "low", route: str = "988_remote") -> NodeSpec:
    return NodeSpec(key=key, kind=OUTCOME, text=f"Outcome {key}", risk_level=level, route=route)


def a(label: str, next_key: str, **criteria: bool) -> OptionSpec:
    return OptionSpec(label=label, next=next_key, criteria=criteria)


def tree(*nodes: NodeSpec, rules: tuple[RuleSpec, ...] = ()) -> Tree:
    return Tree(nodes={n.key: n for n in nodes}, risk_levels=LEVELS, criteria=dict(CRITERIA),
                reassessment_guidance="Reassess.", rules=rules)


def errors(t: Tree) -> list[str]:
    return [p.message for p in engine.errors_of(engine.validate(t))]


def two_lines(**changes: NodeSpec) -> Tree:
    """A 911 start and a 988 start; imminent danger goes to 911 on both (a warm transfer from 988)."""
    nodes = {
        "911-start": q("911-start", a("Yes", "911-dispatch", imminent=True), a("No", "911-consent", imminent=False),
                       root=True, line="911"),
        "911-consent": q("911-consent", a("Agrees", "911-transfer", consent=True),
                         a("Declines", "911-stay", consent=False)),
        "911-dispatch": o("911-dispatch", "higher", "co_response"),
        "911-transfer": o("911-transfer", "low", "911_to_988"),
        "911-stay": o("911-stay", "low", "referral"),
        "988-start": q("988-start", a("Yes", "988-transfer", imminent=True), a("No", "988-support", imminent=False),
                       root=True, line="988"),
        "988-transfer": o("988-transfer", "higher", "988_to_911"),
        "988-support": o("988-support", "low", "988_remote"),
    }
    nodes.update(changes)
    return tree(*nodes.values())


# --- Entry points per line -------------------------------------------------------------------------------


def test_a_tree_with_a_first_question_for_each_line_is_valid_and_each_line_starts_at_its_own():
    t = two_lines()
    assert errors(t) == []
    assert engine.evaluate(t, {"911-start": "Yes"}, "911").outcome.key == "911-dispatch"
    assert engine.evaluate(t, {"988-start": "Yes"}, "988").outcome.key == "988-transfer"
    assert {p.line for p in engine.paths(t)} == {"911", "988"}


def test_without_a_line_a_two_entry_tree_cannot_be_evaluated():
    result = engine.evaluate(two_lines(), {"911-start": "Yes"})
    assert result.outcome is None and "say which line" in result.message


def test_a_911_call_told_to_transfer_to_911_is_an_error_naming_the_outcome():
    t = two_lines(**{"911-dispatch": o("911-dispatch", "higher", "988_to_911")})
    assert any("Calls that arrive on 911 can reach “Outcome 911-dispatch”" in m for m in errors(t))


def test_a_988_call_told_to_transfer_to_988_is_an_error():
    t = two_lines(**{"988-support": o("988-support", "low", "911_to_988")})
    assert any("Calls that arrive on 988" in m and "Outcome 988-support" in m for m in errors(t))


def test_two_first_questions_must_each_name_a_different_line():
    unnamed = two_lines(**{"988-start": replace(two_lines().nodes["988-start"], line="")})
    assert any("each must say which line" in m for m in errors(unnamed))
    same = two_lines(**{"988-start": replace(two_lines().nodes["988-start"], line="911")})
    assert any("are both the first question for calls on 911" in m for m in errors(same))


def test_an_out_of_scope_outcome_needs_no_risk_level_but_others_do():
    t = two_lines(**{"911-stay": o("911-stay", "", "out_of_scope")})
    assert errors(t) == []
    t = two_lines(**{"911-stay": o("911-stay", "", "referral")})
    assert "The outcome “Outcome 911-stay” needs a risk level." in errors(t)


# --- Each kind of rule on a small tree that breaks it ----------------------------------------------------

IMMINENT_TO_911 = RuleSpec("Imminent danger involves 911", RULE_OUTCOME_WHEN, when={"imminent": True},
                           levels=("higher",), routes=("988_to_911", "co_response", "ems"))
LE_ONLY_FOR_DANGER = RuleSpec("Law enforcement only for danger to others", RULE_ROUTE_ONLY_WHEN,
                              when={"others": True}, routes=("law_enforcement",))
TRANSFER_WITH_CONSENT = RuleSpec("911 → 988 only with consent", RULE_ROUTE_RECORDS, routes=("911_to_988",),
                                 criterion="consent", criterion_yes=True)
TRANSFER_RECORDS_CONSENT = replace(TRANSFER_WITH_CONSENT, name="Transfers record consent", criterion_yes=False)


def broken(t: Tree) -> list[tuple[str, str, str, str]]:
    return [(b.rule.name, b.evaluation.line, b.evaluation.answers_text, b.reason) for b in engine.breaches(t)]


def test_the_two_line_tree_keeps_all_three_kinds_of_rule():
    t = replace(two_lines(), rules=(IMMINENT_TO_911, LE_ONLY_FOR_DANGER, TRANSFER_WITH_CONSENT))
    assert broken(t) == []


def test_an_outcome_rule_reports_the_path_whose_risk_level_contradicts_its_answers():
    t = replace(two_lines(**{"988-transfer": o("988-transfer", "low", "988_to_911")}), rules=(IMMINENT_TO_911,))
    assert broken(t) == [("Imminent danger involves 911", "988", "988-start? Yes", "risk level not allowed")]


def test_an_outcome_rule_reports_a_remote_only_route_for_imminent_danger():
    t = replace(two_lines(**{"988-transfer": o("988-transfer", "higher", "988_remote")}), rules=(IMMINENT_TO_911,))
    assert broken(t) == [("Imminent danger involves 911", "988", "988-start? Yes", "route not allowed")]


def test_an_outcome_rule_for_one_line_leaves_the_other_alone():
    rule = replace(IMMINENT_TO_911, line="911")
    t = replace(two_lines(**{"988-transfer": o("988-transfer", "low", "988_remote")}), rules=(rule,))
    assert broken(t) == []


def test_an_outcome_rule_does_not_speak_to_paths_that_never_ask():
    t = replace(two_lines(**{"911-dispatch": o("911-dispatch", "low", "referral")}),
                rules=(replace(IMMINENT_TO_911, when={"others": True}),))
    assert broken(t) == []


def test_an_only_when_rule_reports_a_path_reaching_law_enforcement_without_danger():
    t = replace(two_lines(**{"911-stay": o("911-stay", "low", "law_enforcement")}), rules=(LE_ONLY_FOR_DANGER,))
    assert broken(t) == [("Law enforcement only for danger to others", "911", "911-start? No → 911-consent? Declines",
                          "reached although no condition holds")]


def test_an_only_when_rule_is_kept_when_one_of_its_conditions_holds():
    t = replace(two_lines(**{"911-dispatch": o("911-dispatch", "higher", "law_enforcement")}),
                rules=(replace(LE_ONLY_FOR_DANGER, when={"others": True, "imminent": True}),))
    assert broken(t) == []


def test_a_records_rule_reports_a_transfer_path_that_never_asks_for_consent():
    t = two_lines(**{"911-start": q("911-start", a("Yes", "911-dispatch", imminent=True),
                                    a("No", "911-transfer", imminent=False), root=True, line="911")})
    t = replace(t, nodes={k: v for k, v in t.nodes.items() if k not in ("911-consent", "911-stay")},
                rules=(TRANSFER_RECORDS_CONSENT,))
    assert broken(t) == [("Transfers record consent", "911", "911-start? No", "the path never asks")]


def test_a_records_rule_that_wants_yes_reports_a_transfer_after_the_caller_declined():
    t = replace(two_lines(**{"911-stay": o("911-stay", "low", "911_to_988")}), rules=(TRANSFER_WITH_CONSENT,))
    assert broken(t) == [("911 → 988 only with consent", "911", "911-start? No → 911-consent? Declines",
                          "the path records no")]


def test_a_rule_naming_what_the_version_does_not_define_is_a_validation_error():
    bad = RuleSpec("Bad", RULE_OUTCOME_WHEN, when={"nope": True}, levels=("missing",))
    t = replace(two_lines(), rules=(bad, RuleSpec("Empty", RULE_ROUTE_RECORDS)))
    messages = errors(t)
    assert "The safety rule “Bad” names a criterion “nope” this version does not define." in messages
    assert "The safety rule “Bad” names a risk level “missing” this version does not define." in messages
    assert "The safety rule “Empty” needs the routes it is about." in messages
    assert engine.breaches(t) == []  # unreadable rules are reported, not half-checked


def test_the_matrix_flags_the_row_whose_answers_and_risk_level_contradict_a_rule():
    t = replace(two_lines(**{"988-transfer": o("988-transfer", "low", "988_to_911")}), rules=(IMMINENT_TO_911,))
    rows, _ = engine.decision_matrix(t)
    flagged = [row for row in rows if row.broken_rules]
    assert [(row.line, row.values["imminent"], row.risk_level, row.broken_rules) for row in flagged] == [
        ("988", True, "low", ("Imminent danger involves 911",))]
    assert all(not row.broken_rules for row in rows if row not in flagged)


# --- Properties: random valid trees against brute force ------------------------------------------------

ROUTES = ["988_remote", "988_mobile_crisis", "co_response", "ems", "law_enforcement", "referral", "out_of_scope"]
KEYS = sorted(CRITERIA)


@st.composite
def rules(draw) -> RuleSpec:
    kind = draw(st.sampled_from(engine.RULE_KINDS))
    when = draw(st.dictionaries(st.sampled_from(KEYS), st.booleans(), min_size=1, max_size=2))
    routes = tuple(draw(st.lists(st.sampled_from(ROUTES), min_size=1, max_size=3, unique=True)))
    if kind == RULE_OUTCOME_WHEN:
        levels = tuple(draw(st.lists(st.sampled_from(["low", "higher"]), max_size=1, unique=True)))
        return RuleSpec("r", kind, when=when, line=draw(st.sampled_from(["", "911", "988"])), levels=levels,
                        routes=routes if not levels or draw(st.booleans()) else ())
    if kind == RULE_ROUTE_ONLY_WHEN:
        return RuleSpec("r", kind, when=when, routes=routes)
    return RuleSpec("r", kind, routes=routes, criterion=draw(st.sampled_from(KEYS)), criterion_yes=draw(st.booleans()))


@st.composite
def valid_trees(draw) -> Tree:
    """A random DAG with one or two first questions (two: one per line); questions point only to later nodes,
    every node is reachable, labels are distinct within a question."""
    n_questions = draw(st.integers(2, 5))
    n_outcomes = draw(st.integers(2, 2 * n_questions))
    two = draw(st.booleans())
    keys = [f"q{i}" for i in range(n_questions)] + [f"o{i}" for i in range(n_outcomes)]
    starts = [0, 1] if two else [0]
    targets: list[list[str]] = [[] for _ in range(n_questions)]
    for index in range(len(starts), len(keys)):
        parents = [i for i in range(min(index, n_questions)) if len(targets[i]) < 3]
        targets[draw(st.sampled_from(parents))].append(keys[index])
    nodes = []
    for i in range(n_questions):
        later = keys[max(i + 1, len(starts)):]
        extra = draw(st.lists(st.sampled_from(later), min_size=0 if targets[i] else 1, max_size=3 - len(targets[i])))
        options = tuple(
            OptionSpec(label=f"Answer {j}", next=target,
                       criteria=draw(st.dictionaries(st.sampled_from(KEYS), st.booleans(), max_size=2)))
            for j, target in enumerate(draw(st.permutations(targets[i] + extra)))
        )
        line = ("911", "988")[i] if two and i in starts else ""
        nodes.append(NodeSpec(key=keys[i], kind=QUESTION, text=f"Question {i}", root=i in starts, line=line,
                              options=options))
    for i in range(n_outcomes):
        route = draw(st.sampled_from(ROUTES))
        level = "" if route == "out_of_scope" else draw(st.sampled_from(["low", "higher"]))
        nodes.append(NodeSpec(key=f"o{i}", kind=OUTCOME, text=f"Outcome {i}", risk_level=level, route=route))
    order = draw(st.permutations(nodes))
    return Tree(nodes={n.key: n for n in order}, risk_levels=LEVELS, criteria=dict(CRITERIA),
                reassessment_guidance="Reassess.", rules=tuple(draw(st.lists(rules(), max_size=3))))


def reference_break(rule: RuleSpec, line: str, values: dict[str, bool], outcome: NodeSpec) -> bool:
    """The rules' meaning written out again, independently of engine.rule_break."""
    if rule.kind == RULE_OUTCOME_WHEN:
        if rule.line and line and rule.line != line:
            return False
        if not all(key in values and values[key] == wanted for key, wanted in rule.when.items()):
            return False
        return bool(rule.levels and outcome.risk_level not in rule.levels) or bool(
            rule.routes and outcome.route not in rule.routes)
    if rule.kind == RULE_ROUTE_ONLY_WHEN:
        return outcome.route in rule.routes and not any(values.get(k) == v for k, v in rule.when.items()
                                                        if k in values)
    return outcome.route in rule.routes and (
        rule.criterion not in values or (rule.criterion_yes and values[rule.criterion] is not True))


def brute_force(t: Tree) -> tuple[set, set]:
    """Every combination of an answer to every question, for every line: the distinct paths reached, and the
    (rule, path) pairs that break a rule by the reference meaning."""
    questions = [n for n in t.nodes.values() if n.kind == QUESTION]
    lines = [line for line, _ in t.entries]
    reached, breaks = set(), set()
    for line in lines:
        for labels in itertools.product(*[[opt.label for opt in n.options] for n in questions]):
            result = engine.evaluate(t, {n.key: label for n, label in zip(questions, labels, strict=True)}, line)
            assert result.outcome is not None, result.message
            signature = (line, tuple((s.node.key, s.answer.label) for s in result.steps), result.outcome.key)
            reached.add(signature)
            values: dict[str, bool] = {}
            for step in result.steps:
                values.update(step.answer.criteria)
            for index, rule in enumerate(t.rules):
                if reference_break(rule, line, values, result.outcome):
                    breaks.add((index, signature))
    return reached, breaks


def signature_of(evaluation: engine.Evaluation) -> tuple:
    return (evaluation.line, tuple((s.node.key, s.answer.label) for s in evaluation.steps), evaluation.outcome.key)


SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(valid_trees())
def test_path_enumeration_and_rule_checks_agree_with_brute_force_over_every_answer_combination(t):
    assert engine.errors_of(engine.validate(t)) == []
    found = engine.paths(t)
    signatures = [signature_of(e) for e in found]
    assert len(signatures) == len(set(signatures))  # no path twice
    reached, expected_breaks = brute_force(t)
    assert set(signatures) == reached
    assert {(b.rule_index, signature_of(b.evaluation)) for b in engine.breaches(t)} == expected_breaks


@SETTINGS
@given(valid_trees())
def test_every_matrix_row_flags_exactly_the_rules_its_path_breaks(t):
    rows, _ = engine.decision_matrix(t)
    found = engine.paths(t)
    assert len(rows) == len(found)
    by_path: dict[int, set[str]] = {}
    for breach in engine.breaches(t):
        by_path.setdefault(found.index(next(e for e in found if signature_of(e) == signature_of(breach.evaluation))),
                           set()).add(breach.rule.name)
    for index, row in enumerate(rows):
        assert set(row.broken_rules) == by_path.get(index, set())


@pytest.mark.parametrize("line", ["911", "988"])
def test_evaluate_names_the_line_it_followed(line):
    t = two_lines()
    assert engine.evaluate(t, {f"{line}-start": "Yes"}, line).line == line


def test_a_tree_with_more_paths_than_can_be_checked_says_so_instead_of_claiming_every_path():
    chain = {f"q{n}": q(f"q{n}", a("Yes", f"q{n + 1}" if n < 12 else "end"), a("No", f"q{n + 1}" if n < 12 else "end"),
                        root=n == 0) for n in range(13)}  # 2**13 paths, over MAX_PATHS
    t = tree(*chain.values(), o("end"))
    found = engine.paths(t)
    assert len(found) == engine.MAX_PATHS and engine.paths_truncated(t, found)
    assert not engine.paths_truncated(two_lines(), engine.paths(two_lines()))
