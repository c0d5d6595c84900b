"""The default protocol (triage.defaults): each behaviour a 988/911 domain review asked for, as a scenario and as a
property of every answer path, plus the declared safety rules and what breaks them. No database needed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from triage import engine
from triage.defaults import (
    CRITERIA,
    DEFAULT_RULES,
    EXAMPLE_SCENARIOS,
    IMMINENT_NO_WEAPON,
    IMMINENT_WEAPON,
    RISK_LEVELS,
    WEAPON_ACCESS,
    WEAPON_NONE,
    WEAPON_THREAT,
    default_tree,
)
from triage.models import Route

TREE = default_tree()
PATHS = engine.paths(TREE)
EMERGENCY_ROUTES = {"988_to_911", "ems", "co_response", "law_enforcement", "ems_le_with_bh"}
TEAM_ROUTES = {"988_mobile_crisis", "tribal_local", "co_response", "law_enforcement", "ems", "ems_le_with_bh"}
POLICE_ROUTES = {"law_enforcement", "ems_le_with_bh"}

CRISIS_911 = {"911-start": "Yes: someone is in crisis", "911-medical": "No", "911-weapon": WEAPON_NONE,
              "911-others": "No", "911-suicide": "No"}
CRISIS_988 = {"988-start": "Someone in distress or crisis (the caller, or a person they are worried about)",
              "988-medical": "No", "988-weapon": WEAPON_NONE, "988-others": "No", "988-suicide": "No"}


def outcome(answers: dict[str, str], line: str) -> engine.NodeSpec:
    evaluation = engine.evaluate(TREE, answers, line)
    assert evaluation.outcome is not None, evaluation.message
    assert evaluation.line == line
    return evaluation.outcome


def paths_where(line: str = "", **wanted: bool) -> list[engine.Evaluation]:
    """The paths (on ``line``, or both) settling each criterion as given; never empty, so no test passes vacuously."""
    found = [path for path in PATHS if (not line or path.line == line)
             and all(path.values.get(key) is value for key, value in wanted.items())]
    assert found, f"no path on {line or 'either line'} with {wanted}"
    return found


def mutated(key: str, **changes) -> engine.Tree:
    nodes = dict(TREE.nodes)
    nodes[key] = replace(nodes[key], **changes)
    return replace(TREE, nodes=nodes)


def rerouted(question: str, label: str, next_key: str) -> engine.Tree:
    node = TREE.nodes[question]
    options = tuple(replace(option, next=next_key) if option.label == label else option for option in node.options)
    return mutated(question, options=options)


# --- The tree as a whole --------------------------------------------------------------------------------------


def test_the_default_tree_is_valid_with_one_first_question_per_line():
    assert engine.validate(TREE) == []
    assert [(line, root.key) for line, root in TREE.entries] == [("911", "911-start"), ("988", "988-start")]
    assert {level.key for level in RISK_LEVELS} == {"low", "mild", "moderate", "higher"}


def test_the_decision_matrix_has_no_contradictions_and_every_risk_level_is_reached():
    rows, contradictions = engine.decision_matrix(TREE)
    assert contradictions == []
    assert not any(row.broken_rules for row in rows)
    for line in ("911", "988"):
        assert {row.risk_level for row in rows if row.line == line} == {"", "low", "mild", "moderate", "higher"}


def test_every_criterion_is_settled_both_ways_somewhere():
    for key in CRITERIA:
        assert {path.values.get(key) for path in PATHS} >= {True, False}, key


def test_every_default_safety_rule_holds_on_every_path():
    assert [engine.rule_problems(rule, TREE) for rule in DEFAULT_RULES] == [[]] * len(DEFAULT_RULES)
    assert engine.breaches(TREE) == []


def test_every_path_ends_in_a_route_right_for_the_line_the_call_is_on():
    routes = {value for value, _ in Route.choices}
    for path in PATHS:
        assert path.outcome.route in routes
        if path.line == "911":
            assert path.outcome.route not in {"988_to_911", "988_remote"}, path.answers_text
        else:
            assert path.line == "988"
            # 988 does not dispatch EMS or police itself: emergencies go through 911.
            assert path.outcome.route in {"988_to_911", "988_remote", "988_mobile_crisis", "tribal_local",
                                          "referral", "out_of_scope"}, path.answers_text
    for key, node in TREE.nodes.items():
        if node.kind == engine.OUTCOME:
            assert key.startswith(("911-", "988-")), key


@pytest.mark.parametrize(("name", "answers", "level", "route", "line"), EXAMPLE_SCENARIOS,
                         ids=[scenario[0] for scenario in EXAMPLE_SCENARIOS])
def test_every_example_scenario_passes(name, answers, level, route, line):
    result = outcome(answers, line)
    assert (result.risk_level, result.route) == (level, route)


def test_the_example_scenarios_cover_both_lines_every_level_and_every_route():
    assert len({scenario[0] for scenario in EXAMPLE_SCENARIOS}) == len(EXAMPLE_SCENARIOS)
    for line in ("911", "988"):
        assert {scenario[2] for scenario in EXAMPLE_SCENARIOS if scenario[4] == line} == {
            "", "low", "mild", "moderate", "higher"}
    used = {scenario[3] for scenario in EXAMPLE_SCENARIOS}
    assert used == {value for value, _ in Route.choices}


# --- The behaviours the review asked for ----------------------------------------------------------------------


def test_a_firearm_at_home_without_a_threat_gets_lethal_means_counseling_not_law_enforcement():
    answers = {**CRISIS_988, "988-weapon": WEAPON_ACCESS, "988-means": "Yes, agreed", "988-needs": "No",
               "988-phone": "Yes"}
    evaluation = engine.evaluate(TREE, answers, "988")
    assert "988-means" in [step.node.key for step in evaluation.steps]
    assert (evaluation.outcome.route, evaluation.outcome.risk_level) == ("988_remote", "mild")
    for path in paths_where(lethal_means=True, weapon_with_intent=False, danger_to_others=False):
        assert path.outcome.route not in POLICE_ROUTES, path.answers_text
    for path in paths_where("988", lethal_means=True):
        assert "988-means" in [step.node.key for step in path.steps]


def test_a_weapon_with_a_threat_gets_an_emergency_response_with_co_response_where_there_is_one():
    threat_911 = {**CRISIS_911, "911-weapon": WEAPON_THREAT}
    assert outcome({**threat_911, "911-weapon-team": "Yes"}, "911").route == "co_response"
    assert outcome({**threat_911, "911-weapon-team": "No"}, "911").route == "ems_le_with_bh"
    assert outcome({**CRISIS_988, "988-weapon": WEAPON_THREAT}, "988").route == "988_to_911"
    for path in paths_where(weapon_with_intent=True):
        assert path.outcome.risk_level == "higher" and path.outcome.route in EMERGENCY_ROUTES
    for path in paths_where("911", weapon_with_intent=True, co_response_available=True):
        assert path.outcome.route == "co_response"


def test_imminent_danger_to_self_on_988_with_the_location_unknown_is_a_warm_transfer_to_911_at_higher():
    answers = {**CRISIS_988, "988-suicide": "Yes", "988-imminent": IMMINENT_NO_WEAPON, "988-safety": "No",
               "988-location": "No"}
    result = outcome(answers, "988")
    assert (result.route, result.risk_level) == ("988_to_911", "higher")
    assert "stay on the line" in result.actions and "callback number" in result.actions
    for path in paths_where("988", imminent_danger_self=True):
        assert path.outcome.risk_level == "higher"
        # 911 is brought in unless the person works on safety with the counselor and a team can come now.
        if path.values.get("working_on_safety") is True and path.values.get("mobile_team_available") is True:
            assert path.outcome.route == "988_mobile_crisis", path.answers_text
        else:
            assert path.outcome.route == "988_to_911", path.answers_text


def test_imminent_danger_to_self_on_988_tries_the_least_invasive_response_first():
    working = {**CRISIS_988, "988-suicide": "Yes", "988-imminent": IMMINENT_NO_WEAPON, "988-safety": "Yes"}
    visit = outcome({**working, "988-imminent-team": "Yes"}, "988")
    assert (visit.route, visit.risk_level) == ("988_mobile_crisis", "higher")
    assert "bring 911 in at once" in visit.actions
    assert outcome({**working, "988-imminent-team": "No", "988-location": "Yes"}, "988").route == "988_to_911"
    # With a firearm or other weapon within reach, 911 is brought in without waiting for safety work.
    armed = {**CRISIS_988, "988-suicide": "Yes", "988-imminent": IMMINENT_WEAPON, "988-location": "Yes"}
    assert outcome(armed, "988").route == "988_to_911"


def test_imminent_danger_to_self_on_911_is_dispatched_by_911_never_handled_remotely():
    imminent = {**CRISIS_911, "911-suicide": "Yes", "911-imminent": IMMINENT_NO_WEAPON}
    assert outcome({**imminent, "911-imminent-team": "No"}, "911").route == "ems"
    assert outcome({**imminent, "911-imminent-team": "Yes"}, "911").route == "co_response"
    for path in paths_where("911", imminent_danger_self=True):
        assert path.outcome.risk_level == "higher"
        assert path.outcome.route in EMERGENCY_ROUTES, path.answers_text
        if path.values.get("weapon_with_intent") is False:
            assert path.outcome.route not in POLICE_ROUTES, path.answers_text


def test_imminent_danger_to_self_with_a_weapon_within_reach_never_sends_ems_alone():
    armed = {**CRISIS_911, "911-suicide": "Yes", "911-imminent": IMMINENT_WEAPON}
    assert outcome({**armed, "911-imminent-weapon-team": "No"}, "911").route == "ems_le_with_bh"
    assert outcome({**armed, "911-imminent-weapon-team": "Yes"}, "911").route == "co_response"
    for path in paths_where("911", imminent_danger_self=True, weapon_with_intent=True):
        assert path.outcome.route in {"co_response", "ems_le_with_bh"}, path.answers_text


def test_a_911_call_is_never_told_to_transfer_to_911_nor_a_988_call_to_988():
    assert not [path for path in PATHS if engine.TRANSFER_AWAY_FROM.get(path.outcome.route) == path.line]
    broken = rerouted("911-medical", "Yes", "988-out-medical")
    assert any("already on" in problem.message for problem in engine.errors_of(engine.validate(broken)))


def test_a_fire_reported_to_911_is_out_of_scope_with_no_risk_level():
    result = outcome({"911-start": "No: mainly a crime, a fire, a crash or another emergency"}, "911")
    assert (result.route, result.risk_level) == ("out_of_scope", "")
    for path in PATHS:
        assert (path.outcome.route == "out_of_scope") == (path.outcome.risk_level == "")
        if path.outcome.route == "out_of_scope":
            assert path.values == {}, "a call outside the protocol is recognised before any risk question"


def test_an_overdose_gets_ems_on_911_and_a_warm_transfer_to_911_on_988():
    assert outcome({"911-start": "Yes: someone is in crisis", "911-medical": "Yes"}, "911").route == "ems"
    assert outcome({"988-start": CRISIS_988["988-start"], "988-medical": "Yes"}, "988").route == "988_to_911"
    for path in paths_where("911", medical_emergency=True):
        assert (path.outcome.route, path.outcome.risk_level) == ("ems", "higher")
    for path in paths_where("988", medical_emergency=True):
        assert (path.outcome.route, path.outcome.risk_level) == ("988_to_911", "higher")


def test_a_distressed_911_caller_is_transferred_to_988_only_with_consent():
    asked = {**CRISIS_911, "911-needs": "No"}
    result = outcome({**asked, "911-offer-988": "Yes"}, "911")
    assert (result.route, result.risk_level) == ("911_to_988", "mild")
    assert "stay on the line" in result.actions
    for path in PATHS:
        if path.outcome.route == "911_to_988":
            assert path.values.get("caller_consents") is True, path.answers_text


def test_a_caller_who_declines_is_not_sent_a_team():
    assert outcome({**CRISIS_911, "911-needs": "No", "911-offer-988": "No"}, "911").route == "referral"
    assert outcome({**CRISIS_911, "911-needs": "Yes", "911-visit": "No"}, "911").route == "referral"
    assert outcome({**CRISIS_988, "988-needs": "No", "988-phone": "No", "988-visit": "No"}, "988").route == (
        "988_remote")
    for path in paths_where(caller_consents=False):
        assert path.outcome.route not in TEAM_ROUTES | {"911_to_988", "988_to_911"}, path.answers_text
    for path in PATHS:
        if path.outcome.route in {"988_mobile_crisis", "tribal_local"}:
            assert path.values.get("caller_consents") is True, path.answers_text


def test_a_worried_parent_who_agrees_to_a_visit_gets_a_mobile_crisis_team():
    answers = {**CRISIS_988, "988-needs": "Yes", "988-visit": "Yes", "988-local": "No", "988-mobile": "Yes"}
    result = outcome(answers, "988")
    assert (result.route, result.risk_level) == ("988_mobile_crisis", "moderate")
    for path in paths_where(mobile_team_available=True):
        assert path.outcome.route == "988_mobile_crisis"


def test_when_no_team_is_free_the_fallback_is_not_law_enforcement():
    visit = {"911-needs": "Yes", "911-visit": "Yes", "911-local": "No", "911-mobile": "No"}
    assert outcome({**CRISIS_911, **visit}, "911").route == "911_to_988"
    no_team_988 = {**CRISIS_988, "988-needs": "Yes", "988-visit": "Yes", "988-local": "No", "988-mobile": "No"}
    assert outcome(no_team_988, "988").route == "988_remote"
    for path in paths_where(mobile_team_available=False, imminent_danger_self=False):
        assert path.outcome.route not in POLICE_ROUTES | {"co_response"}, path.answers_text
        assert path.outcome.risk_level == "moderate"


def test_a_tribal_or_other_local_team_responds_where_it_covers_the_location():
    assert outcome({**CRISIS_911, "911-needs": "Yes", "911-visit": "Yes", "911-local": "Yes"}, "911").route == (
        "tribal_local")
    assert outcome({**CRISIS_988, "988-needs": "Yes", "988-visit": "Yes", "988-local": "Yes"}, "988").route == (
        "tribal_local")
    for path in paths_where(local_team_covers=True):
        assert path.outcome.route == "tribal_local"


def test_someone_looking_for_information_gets_a_referral_at_low():
    for line, answers in (("911", {"911-start": "Someone wants mental health information or services; no emergency"}),
                          ("988", {"988-start": "Information or services, with no crisis now"})):
        result = outcome(answers, line)
        assert (result.route, result.risk_level) == ("referral", "low")


def test_law_enforcement_is_reached_only_for_danger_to_others_or_a_weapon_with_a_threat():
    police = [path for path in PATHS if path.outcome.route in POLICE_ROUTES]
    assert police
    for path in police:
        assert path.values.get("danger_to_others") or path.values.get("weapon_with_intent"), path.answers_text
    assert outcome({**CRISIS_911, "911-weapon": WEAPON_NONE, "911-others": "Yes", "911-others-team": "No"},
                   "911").route == "law_enforcement"


# --- Each declared rule bites ---------------------------------------------------------------------------------

RULE_NAMES = [rule.name for rule in DEFAULT_RULES]

MUTATIONS = {
    # The review's finding: imminent danger with the location unknown was Moderate, handled remotely.
    "Imminent danger to self is Higher":
        (lambda: mutated("988-out-imminent-locate", risk_level="moderate"), "988-out-imminent-locate",
         "risk level not allowed"),
    "On 911, imminent danger to self gets an emergency response":
        (lambda: mutated("911-out-imminent", route="911_to_988"), "911-out-imminent", "route not allowed"),
    "On 988, imminent danger to self goes to 911 unless the person works on safety with a team coming":
        (lambda: mutated("988-out-imminent-locate", route="988_remote"), "988-out-imminent-locate",
         "route not allowed"),
    "On 988, imminent danger without safety work is a warm transfer to 911":
        (lambda: rerouted("988-safety", "No", "988-out-imminent-visit"), "988-out-imminent-visit",
         "route not allowed"),
    "An imminent-risk visit only when the person works on safety":
        (lambda: rerouted("988-imminent", IMMINENT_WEAPON, "988-out-imminent-visit"), "988-out-imminent-visit",
         "reached although no condition holds"),
    "Danger to others gets an emergency response at Higher":
        (lambda: mutated("911-out-others", risk_level="moderate"), "911-out-others", "risk level not allowed"),
    "A weapon with a threat gets an emergency response at Higher":
        (lambda: mutated("988-out-weapon", route="988_remote"), "988-out-weapon", "route not allowed"),
    "Medical emergencies get EMS":
        (lambda: mutated("911-out-ems", route="referral"), "911-out-ems", "route not allowed"),
    "Law enforcement only for danger to others or a weapon with intent":
        (lambda: mutated("911-out-imminent", route="law_enforcement"), "911-out-imminent",
         "reached although no condition holds"),
    "988 → 911 transfers only for an emergency":
        (lambda: mutated("988-out-no-team", route="988_to_911"), "988-out-no-team",
         "reached although no condition holds"),
    "911 → 988 transfers only with consent":
        (lambda: mutated("911-out-declined", route="911_to_988"), "911-out-declined", "the path records no"),
    # The review's finding: declining phone help sent a team without asking.
    "Mobile crisis and local responder visits record consent":
        (lambda: rerouted("988-phone", "No", "988-local"), "988-out-mobile", "the path never asks"),
}


def test_every_default_rule_has_a_mutation_that_breaks_it():
    assert sorted(MUTATIONS) == sorted(RULE_NAMES)


@pytest.mark.parametrize("name", RULE_NAMES)
def test_each_default_rule_reports_the_path_that_breaks_it(name):
    build, outcome_key, reason = MUTATIONS[name]
    found = [breach for breach in engine.breaches(build()) if breach.rule.name == name]
    assert found, f"“{name}” did not notice the change"
    assert any(breach.evaluation.outcome.key == outcome_key and breach.reason == reason for breach in found), [
        (breach.evaluation.outcome.key, breach.reason) for breach in found]
    assert all(breach.evaluation.steps for breach in found)


@pytest.mark.parametrize("scenario", EXAMPLE_SCENARIOS, ids=[s[0] for s in EXAMPLE_SCENARIOS])
def test_each_example_scenario_answers_exactly_the_questions_on_its_path(scenario):
    """The scenario form shows an answer per question: one for a question the call never reaches would mislead."""
    name, answers, _level, _route, line = scenario
    evaluation = engine.evaluate(default_tree(), answers, line)
    assert {step.node.key for step in evaluation.steps} == set(answers), name
