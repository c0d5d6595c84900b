"""Safety rules: promises a workgroup writes about every path of its tree, declared as data, never code.

``triage.engine`` proves them (``breaches`` walks every answer path); this module saves and deletes them
in a draft (writes, through the permission layer like every triage service) and says what each one
promises in words (reads). A rule that names something the version does not define is reported by
``engine.validate`` and blocks review like any other error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from toolkit.history import save_validated as _save
from triage import engine
from triage.models import Route, RuleKind, SafetyRule
from triage.services import _editable, _same_version

if TYPE_CHECKING:
    from toolkit.models import User
    from triage.models import ProtocolVersion

MSG_RULE_NAME_TAKEN = "There is already a safety rule called “{name}”."
MSG_RULE_PROBLEM = "This rule {problem}"
# The rules page lists this many breaking paths per rule and counts the rest.
PATHS_SHOWN = 10


def _words(items: list[str]) -> str:
    """"A or B", and for longer lists "one of: A; B; C" (route names may hold commas themselves)."""
    if len(items) <= 2:
        return " or ".join(items)
    return "one of: " + "; ".join(items)


def _route_label(value: str) -> str:
    return Route(value).label if value in Route.values else value


def describe(rule: engine.RuleSpec, tree: engine.Tree) -> str:
    """What the rule promises, as a sentence partners can read and sign."""
    criteria, levels = tree.criteria, {level.key: level.name for level in tree.risk_levels}
    conditions = [f"“{criteria.get(key, key)}” is {'yes' if value else 'no'}" for key, value in rule.when.items()]
    routes = [_route_label(route) for route in rule.routes]
    if rule.kind == engine.RULE_OUTCOME_WHEN:
        scope = f"For calls arriving on {rule.line}, if " if rule.line else "If "
        then = []
        if rule.levels:
            then.append("the risk level is " + _words([levels.get(key, key) for key in rule.levels]))
        if rule.routes:
            then.append("the route is " + _words(routes))
        return scope + " and ".join(conditions) + ", then " + " and ".join(then) + "."
    if rule.kind == engine.RULE_ROUTE_ONLY_WHEN:
        return f"No path reaches {_words(routes)} unless " + " or ".join(conditions) + "."
    if rule.kind == engine.RULE_ROUTE_RECORDS:
        label = criteria.get(rule.criterion, rule.criterion)
        wanted = f"answers yes to “{label}”" if rule.criterion_yes else f"records an answer to “{label}”"
        return f"Every path that ends in {_words(routes)} {wanted}."
    return rule.name


@dataclass(frozen=True)
class BrokenPath:
    line: str
    steps: tuple[tuple[str, str], ...]  # (question, answer given) in order
    outcome: str
    reason: str
    simulator_path: str  # "0.1.1": the answers as the simulator's querystring


@dataclass(frozen=True)
class RuleReport:
    index: int
    spec: engine.RuleSpec
    sentence: str
    problems: tuple[str, ...]  # why it cannot be checked as written
    broken: tuple[BrokenPath, ...]  # the first PATHS_SHOWN paths that break it
    broken_count: int
    applies: bool = True  # False: no path gives the answers (or reaches the routes) it is about


def _simulator_path(evaluation: engine.Evaluation) -> str:
    return ".".join(str(step.node.options.index(step.answer)) for step in evaluation.steps)


def reports(tree: engine.Tree) -> tuple[list[RuleReport], list[engine.Evaluation]]:
    """Each rule of the tree with the paths that break it (a few shown, all counted), and the paths checked
    (``engine.paths_truncated`` says whether they are all of them)."""
    found = engine.paths(tree)
    by_rule: dict[int, list[engine.Breach]] = {}
    for breach in engine.breaches(tree, found):
        by_rule.setdefault(breach.rule_index, []).append(breach)
    result = []
    for index, spec in enumerate(tree.rules):
        broken = by_rule.get(index, [])
        result.append(RuleReport(
            index=index, spec=spec, sentence=describe(spec, tree),
            problems=tuple(engine.rule_problems(spec, tree)),
            broken=tuple(BrokenPath(line=b.evaluation.line,
                                    steps=tuple((step.node.text, step.answer.label) for step in b.evaluation.steps),
                                    outcome=b.evaluation.outcome.text, reason=b.reason,
                                    simulator_path=_simulator_path(b.evaluation))
                         for b in broken[:PATHS_SHOWN]),
            broken_count=len(broken),
            applies=any(engine.rule_applies(spec, evaluation) for evaluation in found),
        ))
    return result, found



# --- Writes (drafts only) --------------------------------------------------------------------


RULE_FIELDS = ("name", "kind", "when", "line", "levels", "routes", "criterion", "criterion_yes")


def _check(rule: SafetyRule, version: ProtocolVersion) -> None:
    criteria = dict(version.criteria.values_list("key", "label"))
    levels = tuple(engine.RiskLevelSpec(key=key, name=name)
                   for key, name in version.risk_levels.values_list("key", "name"))
    tree = engine.Tree(nodes={}, risk_levels=levels, criteria=criteria)
    spec = engine.RuleSpec(name=rule.name, kind=rule.kind, when=dict(rule.when), line=rule.line,
                           levels=tuple(rule.levels), routes=tuple(rule.routes), criterion=rule.criterion,
                           criterion_yes=rule.criterion_yes)
    problems = engine.rule_problems(spec, tree)
    unknown_routes = [route for route in rule.routes if route not in Route.values]
    if unknown_routes:
        problems.append(f"names a route “{unknown_routes[0]}” that does not exist.")
    if problems:
        raise ValidationError([MSG_RULE_PROBLEM.format(problem=problem) for problem in problems])


def _canonical(rule: SafetyRule) -> None:
    """Keep only what the rule's kind reads, so a rule never carries settings that do nothing."""
    if rule.kind != RuleKind.OUTCOME_WHEN:
        rule.line, rule.levels = "", []
    if rule.kind == RuleKind.ROUTE_RECORDS:
        rule.when = {}
    else:
        rule.criterion, rule.criterion_yes = "", False


@transaction.atomic
def rule_save(*, actor: User, version: ProtocolVersion, rule: SafetyRule | None = None, **fields) -> SafetyRule:
    """Create (rule=None) or change a safety rule of a draft."""
    _editable(actor, version)
    if rule is None:
        order = (version.rules.aggregate(n=Max("order"))["n"] or 0) + 1
        rule = SafetyRule(workgroup=version.workgroup, version=version, order=order)
    _same_version(version, rule)
    for name, value in fields.items():
        if name not in RULE_FIELDS:
            raise ValueError(f"Cannot update {name} here.")
        setattr(rule, name, value)
    rule.name = rule.name.strip()
    _canonical(rule)
    if version.rules.filter(name__iexact=rule.name).exclude(pk=rule.pk).exists():
        raise ValidationError({"name": MSG_RULE_NAME_TAKEN.format(name=rule.name)})
    _check(rule, version)
    return _save(rule, actor)


@transaction.atomic
def rule_delete(*, actor: User, rule: SafetyRule) -> None:
    _editable(actor, rule.version)
    rule._history_user = actor
    rule.delete()
