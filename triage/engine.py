"""The decision tree as plain data, and what can be computed from it without a database.

Validation, scenario evaluation, path enumeration, safety rules proven over every path, the
decision-point matrix, the simulator, the diagram and JSON import/export all work on a ``Tree``.
A tree has one first question per line a call can arrive on (911, 988), or one for either line.
``triage.selectors.tree_for_version`` builds one from the database; ``triage.jsonio`` builds one from a shared file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

QUESTION = "question"
OUTCOME = "outcome"
# The lines a call can arrive on. A first question names the line whose calls start there; a tree with
# one first question and no line serves calls on either line (protocols written before entry points).
LINE_911 = "911"
LINE_988 = "988"
LINES = (LINE_911, LINE_988)
# A 988 → 911 transfer cannot end a call that is already on 911, nor a 911 → 988 transfer one on 988.
TRANSFER_AWAY_FROM = {"988_to_911": LINE_911, "911_to_988": LINE_988}
# A call this protocol does not cover (a fire, a crime) is handled as its usual call type: no risk level.
OUT_OF_SCOPE = "out_of_scope"
MAX_PATHS = 5000  # a protocol with more distinct answer paths than this is not a call-taking protocol
MAX_STEPS = 100_000  # work bound for path enumeration, counting dead ends and loops as well


@dataclass(frozen=True)
class OptionSpec:
    label: str
    next: str  # key of the next node; "" when not set
    criteria: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class NodeSpec:
    key: str
    kind: str  # QUESTION or OUTCOME
    text: str
    guidance: str = ""
    root: bool = False
    options: tuple[OptionSpec, ...] = ()
    risk_level: str = ""  # outcome only: a risk level key
    route: str = ""  # outcome only: a Route value
    actions: str = ""
    line: str = ""  # first questions only: the line (LINES) whose calls start here; "" = either line
    codes: tuple[tuple[str, str], ...] = ()  # outcome only: (partner system, that system's code)


@dataclass(frozen=True)
class RiskLevelSpec:
    key: str
    name: str
    description: str = ""
    default_response: str = ""
    responder_types: str = ""
    colour: str = "#6c757d"


# Safety rules: promises about every path, declared as data (``triage.rules`` edits and describes them).
RULE_OUTCOME_WHEN = "outcome_when"  # when every condition holds, the risk level / route is one of those listed
RULE_ROUTE_ONLY_WHEN = "route_only_when"  # these routes are reached only when at least one condition holds
RULE_ROUTE_RECORDS = "route_records"  # paths to these routes ask (or answer yes to) one criterion
RULE_KINDS = (RULE_OUTCOME_WHEN, RULE_ROUTE_ONLY_WHEN, RULE_ROUTE_RECORDS)


@dataclass(frozen=True)
class RuleSpec:
    name: str
    kind: str
    when: dict[str, bool] = field(default_factory=dict)  # criterion key -> the answer the condition needs
    line: str = ""  # outcome_when: only calls arriving on this line ("" = every call)
    levels: tuple[str, ...] = ()  # outcome_when: the risk levels allowed (empty: any)
    routes: tuple[str, ...] = ()  # outcome_when: the routes allowed (empty: any); others: the routes concerned
    criterion: str = ""  # route_records: the criterion the path must settle
    criterion_yes: bool = False  # route_records: …and settle as yes


@dataclass(frozen=True)
class Tree:
    nodes: dict[str, NodeSpec]
    risk_levels: tuple[RiskLevelSpec, ...] = ()
    criteria: dict[str, str] = field(default_factory=dict)  # key -> label
    reassessment_guidance: str = ""
    rules: tuple[RuleSpec, ...] = ()

    @property
    def roots(self) -> list[NodeSpec]:
        return [node for node in self.nodes.values() if node.root]

    def entry(self, line: str = "") -> NodeSpec | None:
        """Where a call on ``line`` starts: that line's first question, else the one first question that
        serves either line; None when the tree has no such start (or ``line`` is "" and it has several)."""
        roots = self.roots
        named = [node for node in roots if node.line == line] if line else []
        if len(named) == 1:
            return named[0]
        unnamed = [node for node in roots if not node.line]
        if len(roots) == 1 and len(unnamed) == 1:
            return unnamed[0]
        return None

    @property
    def entries(self) -> list[tuple[str, NodeSpec]]:
        """(line, first question) for each start of a valid tree, 911 before 988; ("", root) for one unnamed root."""
        roots = self.roots
        if len(roots) == 1 and not roots[0].line:
            return [("", roots[0])]
        if any(not node.line for node in roots) or len({node.line for node in roots}) != len(roots):
            return []
        return sorted(((node.line, node) for node in roots), key=lambda pair: LINES.index(pair[0])
                      if pair[0] in LINES else len(LINES))


@dataclass(frozen=True)
class Problem:
    severity: str  # "error" or "warning"
    message: str
    node: str = ""  # the node key to link to, when there is one


def _error(message: str, node: str = "") -> Problem:
    return Problem("error", message, node)


def _warning(message: str, node: str = "") -> Problem:
    return Problem("warning", message, node)


# --- Validation ----------------------------------------------------------------------------


def validate(tree: Tree) -> list[Problem]:
    """Everything that must hold before a version goes to review. Errors block; warnings inform."""
    problems: list[Problem] = []
    roots = tree.roots
    problems.extend(_entry_problems(tree, roots))
    level_keys = {level.key for level in tree.risk_levels}
    for node in tree.nodes.values():
        problems.extend(_node_problems(node, tree, level_keys))
    entries = tree.entries
    if entries:
        reachable: set[str] = set()
        for line, root in entries:
            from_here = _reachable(tree, root.key)
            reachable |= from_here
            problems.extend(_transfer_problems(tree, line, from_here))
        for node in tree.nodes.values():
            if node.key not in reachable:
                problems.append(_error(f"“{node.text}” cannot be reached from a first question.", node.key))
        cycles = {tuple(sorted(cycle)): cycle for _, root in entries if (cycle := _find_cycle(tree, root.key))}
        for cycle in cycles.values():
            names = " → ".join(tree.nodes[key].text for key in cycle)
            problems.append(_error(f"The tree loops back on itself: {names}.", cycle[0]))
        used_levels = {tree.nodes[key].risk_level for key in reachable if tree.nodes[key].kind == OUTCOME}
        for level in tree.risk_levels:
            if level.key not in used_levels:
                problems.append(_warning(f"No answer path leads to the risk level “{level.name}”."))
    if not tree.reassessment_guidance.strip():
        problems.append(_error("Add reassessment guidance: when and how risk is checked again during the call."))
    if not tree.risk_levels:
        problems.append(_error("Define at least one risk level."))
    for rule in tree.rules:
        problems.extend(_error(f"The safety rule “{rule.name}” {message}") for message in rule_problems(rule, tree))
    return problems


def _entry_problems(tree: Tree, roots: list[NodeSpec]) -> list[Problem]:
    problems = []
    if not roots:
        problems.append(_error("There is no first question: mark one question as the start of the tree."))
    for node in roots:
        if node.kind != QUESTION:
            problems.append(_error(f"“{node.text}” is an outcome; the tree must start with a question.", node.key))
        if node.line and node.line not in LINES:
            problems.append(_error(f"“{node.text}” starts calls on an unknown line “{node.line}”.", node.key))
    if len(roots) > 1:
        for node in roots:
            if not node.line:
                problems.append(_error(
                    f"“{node.text}” is marked as a first question, and so is another: with more than one, each must "
                    "say which line's calls (911 or 988) start there.", node.key))
        for line in LINES:
            same = [node for node in roots if node.line == line]
            for node in same[1:]:
                problems.append(_error(f"“{node.text}” and “{same[0].text}” are both the first question for calls "
                                       f"on {line}.", node.key))
    return problems


def _transfer_problems(tree: Tree, line: str, reachable: set[str]) -> list[Problem]:
    """A call that arrived on 911 cannot be told to transfer to 911 (nor a 988 call to 988)."""
    problems = []
    for key in reachable:
        node = tree.nodes[key]
        if node.kind == OUTCOME and line and TRANSFER_AWAY_FROM.get(node.route) == line:
            problems.append(_error(f"Calls that arrive on {line} can reach “{node.text}”, a transfer to the line "
                                   f"they are already on. Give that path an outcome for {line}.", key))
    return problems


def _node_problems(node: NodeSpec, tree: Tree, level_keys: set[str]) -> list[Problem]:
    problems = []
    if node.kind == QUESTION:
        if not node.options:
            problems.append(_error(f"“{node.text}” has no answers: a call would stop here.", node.key))
        labels = [option.label.strip().casefold() for option in node.options]
        if len(set(labels)) != len(labels):
            problems.append(_error(f"“{node.text}” has two answers with the same wording.", node.key))
        for option in node.options:
            if not option.next:
                problems.append(_error(f"The answer “{option.label}” to “{node.text}” leads nowhere.", node.key))
            elif option.next not in tree.nodes:
                problems.append(_error(f"The answer “{option.label}” leads to a step that does not exist.", node.key))
            for criterion in option.criteria:
                if criterion not in tree.criteria:
                    problems.append(_error(f"The answer “{option.label}” sets an unknown criterion “{criterion}”.",
                                           node.key))
    elif node.kind == OUTCOME:
        if node.options:
            problems.append(_error(f"The outcome “{node.text}” has answers; outcomes end the call path.", node.key))
        if node.risk_level not in level_keys and not (node.route == OUT_OF_SCOPE and not node.risk_level):
            problems.append(_error(f"The outcome “{node.text}” needs a risk level.", node.key))
        if not node.route:
            problems.append(_error(f"The outcome “{node.text}” needs a route (who takes the call).", node.key))
    else:
        problems.append(_error(f"“{node.text}” is neither a question nor an outcome.", node.key))
    return problems


def lines_reaching(tree: Tree) -> dict[str, tuple[str, ...]]:
    """For each node key, the lines whose calls can reach it (("911",), ("988",), both, ("",) for a tree with one
    start for either line, or () when no first question reaches it): the version page groups its steps by this."""
    reach: dict[str, list[str]] = {key: [] for key in tree.nodes}
    for line, root in tree.entries:
        for key in _reachable(tree, root.key):
            reach[key].append(line)
    return {key: tuple(lines) for key, lines in reach.items()}


def _reachable(tree: Tree, start: str) -> set[str]:
    seen, stack = set(), [start]
    while stack:
        key = stack.pop()
        if key in seen or key not in tree.nodes:
            continue
        seen.add(key)
        stack.extend(option.next for option in tree.nodes[key].options if option.next)
    return seen


def _find_cycle(tree: Tree, start: str) -> list[str]:
    """The keys of one cycle reachable from start, or [] (iterative DFS: no recursion limit)."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []
    stack: list[tuple[str, int]] = [(start, 0)]
    while stack:
        key, index = stack.pop()
        if index == 0:
            if state.get(key) == 1:
                return path[path.index(key):]
            if state.get(key) == 2 or key not in tree.nodes:
                continue
            state[key] = 1
            path.append(key)
        options = tree.nodes[key].options
        if index < len(options):
            stack.append((key, index + 1))
            nxt = options[index].next
            if nxt and state.get(nxt) != 2:
                if state.get(nxt) == 1:
                    return path[path.index(nxt):]
                stack.append((nxt, 0))
        else:
            state[key] = 2
            path.pop()
    return []


def errors_of(problems: list[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.severity == "error"]


# --- Evaluation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    node: NodeSpec
    answer: OptionSpec


@dataclass(frozen=True)
class Evaluation:
    steps: tuple[Step, ...]
    outcome: NodeSpec | None
    stopped_at: NodeSpec | None = None  # the question the answers did not cover
    message: str = ""
    line: str = ""  # the line the call arrived on ("" when the tree serves either line from one start)

    @cached_property
    def values(self) -> dict[str, bool]:
        """The criteria this path settles (a later answer overrides an earlier one; the matrix flags both)."""
        settled: dict[str, bool] = {}
        for step in self.steps:
            settled.update(step.answer.criteria)
        return settled

    @property
    def answers_text(self) -> str:
        return " → ".join(f"{step.node.text} {step.answer.label}" for step in self.steps)


def line_label(line: str) -> str:
    return f"Calls arriving on {line}" if line else "Calls on either line"


def evaluate(tree: Tree, answers: dict[str, str], line: str = "") -> Evaluation:
    """Follow the answers ({question key: option label}) from where calls on ``line`` start to an outcome."""
    node = tree.entry(line)
    if node is None:
        if line:
            return Evaluation((), None, message=f"The tree has no first question for calls on {line}.", line=line)
        return Evaluation((), None, message="The tree has no single first question: say which line the call "
                                            "arrived on.")
    line = node.line
    steps, seen = [], set()
    while node.kind == QUESTION:
        if node.key in seen:
            return Evaluation(tuple(steps), None, node, "The answers go round in a loop.", line)
        seen.add(node.key)
        wanted = answers.get(node.key, "").strip().casefold()
        option = next((o for o in node.options if o.label.strip().casefold() == wanted), None)
        if option is None:
            return Evaluation(tuple(steps), None, node, f"No answer given for “{node.text}”.", line)
        steps.append(Step(node, option))
        node = tree.nodes.get(option.next)
        if node is None:
            return Evaluation(tuple(steps), None, None, f"The answer “{option.label}” leads nowhere.", line)
    return Evaluation(tuple(steps), node, line=line)


class PathList(list):
    """``paths``' result: the paths found, and whether they are all of them (``complete``)."""

    complete: bool = True


def paths(tree: Tree) -> PathList:
    """Every answer path from each first question to an outcome (for valid, acyclic trees), 911's first.

    Work is bounded (``MAX_PATHS`` in all, ``MAX_STEPS`` per line); when a bound stops the walk the result's
    ``complete`` is False, and nothing may claim that a rule holds on every path (``submit_blockers`` refuses)."""
    found = PathList()
    for line, root in tree.entries:
        budget = MAX_STEPS
        stack: list[tuple[str, tuple[Step, ...]]] = [(root.key, ())]
        while stack and len(found) < MAX_PATHS and budget > 0:
            budget -= 1
            key, steps = stack.pop()
            node = tree.nodes.get(key)
            if node is None or any(step.node.key == key for step in steps):
                continue
            if node.kind == OUTCOME:
                found.append(Evaluation(steps, node, line=line))
                continue
            for option in reversed(node.options):
                stack.append((option.next, (*steps, Step(node, option))))
        if stack:
            found.complete = False
    return found


def paths_truncated(tree: Tree, found: list[Evaluation]) -> bool:
    return not getattr(found, "complete", True)


# --- Safety rules --------------------------------------------------------------------------


def rule_problems(rule: RuleSpec, tree: Tree) -> list[str]:
    """Why a rule cannot be checked as written (names a criterion, level or route the tree does not have)."""
    problems = []
    if rule.kind not in RULE_KINDS:
        return [f"is of an unknown kind “{rule.kind}”."]
    for key in rule.when:
        if key not in tree.criteria:
            problems.append(f"names a criterion “{key}” this version does not define.")
    level_keys = {level.key for level in tree.risk_levels}
    for key in rule.levels:
        if key not in level_keys:
            problems.append(f"names a risk level “{key}” this version does not define.")
    if rule.kind == RULE_OUTCOME_WHEN:
        if not rule.when:
            problems.append("needs at least one condition.")
        if not rule.levels and not rule.routes:
            problems.append("must allow some risk levels or some routes.")
    elif rule.kind == RULE_ROUTE_ONLY_WHEN:
        if not rule.routes or not rule.when:
            problems.append("needs the routes it is about and at least one condition.")
    elif rule.kind == RULE_ROUTE_RECORDS:
        if not rule.routes:
            problems.append("needs the routes it is about.")
        if rule.criterion not in tree.criteria:
            problems.append("needs a criterion this version defines.")
    return problems


def rule_applies_to_line(rule: RuleSpec, line: str) -> bool:
    # A start that serves either line ("") takes calls from both, so a rule for one line applies to it.
    return not rule.line or not line or rule.line == line


def rule_applies(rule: RuleSpec, evaluation: Evaluation) -> bool:
    """Whether the path is one the rule speaks about: its conditions hold (``outcome_when``) or it ends in one of
    the rule's routes (the other kinds). A rule that applies to no path proves nothing yet."""
    outcome = evaluation.outcome
    if outcome is None:
        return False
    if rule.kind == RULE_OUTCOME_WHEN:
        values = evaluation.values
        return bool(rule.when) and rule_applies_to_line(rule, evaluation.line) and all(
            values.get(key) is wanted for key, wanted in rule.when.items())
    return outcome.route in rule.routes


def rule_break(rule: RuleSpec, evaluation: Evaluation) -> str:
    """Why this path breaks the rule, in words; "" when it keeps it or the rule does not speak to it."""
    if not rule_applies(rule, evaluation):
        return ""
    outcome, values = evaluation.outcome, evaluation.values
    if rule.kind == RULE_OUTCOME_WHEN:
        wrong = []
        if rule.levels and outcome.risk_level not in rule.levels:
            wrong.append("risk level")
        if rule.routes and outcome.route not in rule.routes:
            wrong.append("route")
        return " and ".join(wrong) + " not allowed" if wrong else ""
    if rule.kind == RULE_ROUTE_ONLY_WHEN:
        if not rule.when or any(values.get(key) is wanted for key, wanted in rule.when.items()):
            return ""
        return "reached although no condition holds"
    if rule.kind == RULE_ROUTE_RECORDS:
        settled = values.get(rule.criterion)
        if settled is None:
            return "the path never asks"
        if rule.criterion_yes and settled is not True:
            return "the path records no"
    return ""


@dataclass(frozen=True)
class Breach:
    rule_index: int
    rule: RuleSpec
    evaluation: Evaluation
    reason: str


def breaches(tree: Tree, found: list[Evaluation] | None = None) -> list[Breach]:
    """Every (rule, path) where the path breaks the rule; rules that cannot be checked as written are skipped
    (``validate`` reports them). ``found`` is ``paths(tree)`` when the caller has it already."""
    checkable = [(index, rule) for index, rule in enumerate(tree.rules) if not rule_problems(rule, tree)]
    if not checkable:
        return []
    result = []
    for evaluation in paths(tree) if found is None else found:
        for index, rule in checkable:
            reason = rule_break(rule, evaluation)
            if reason:
                result.append(Breach(index, rule, evaluation, reason))
    return result


# --- Decision-point matrix -----------------------------------------------------------------


@dataclass(frozen=True)
class MatrixRow:
    values: dict[str, bool | None]  # criterion key -> True/False, None when the path never asks
    route: str
    risk_level: str
    outcome: str
    path: tuple[str, ...]  # the answers, for people to read
    line: str = ""  # the line the call arrived on
    codes: tuple[tuple[str, str], ...] = ()  # the outcome's codes in partners' systems
    broken_rules: tuple[str, ...] = ()  # names of the safety rules this row breaks


@dataclass(frozen=True)
class Contradiction:
    message: str
    rows: tuple[int, ...]


def decision_matrix(tree: Tree, found: list[Evaluation] | None = None) -> tuple[list[MatrixRow], list[Contradiction]]:
    """One row per answer path: which criteria it settles, and the route it ends in.

    Contradictions: a path that settles a criterion both ways, and two paths that settle *every*
    criterion the same way yet end in different routes (the agreed criteria cannot tell them apart).
    Paths that leave some criteria unasked may differ by answers the matrix does not show; the
    page groups them instead of calling them contradictions. A row whose answers and outcome break a
    safety rule (imminent danger to self: yes, yet risk level Moderate) names the rules it breaks.
    """
    rows: list[MatrixRow] = []
    contradictions: list[Contradiction] = []
    found = paths(tree) if found is None else found
    broken: dict[int, list[str]] = {}
    path_index = {id(evaluation): index for index, evaluation in enumerate(found)}
    for breach in breaches(tree, found):
        names = broken.setdefault(path_index[id(breach.evaluation)], [])
        if breach.rule.name not in names:
            names.append(breach.rule.name)
    for evaluation in found:
        values: dict[str, bool | None] = {key: None for key in tree.criteria}
        for step in evaluation.steps:
            for key, value in step.answer.criteria.items():
                if values.get(key) is not None and values[key] != value:
                    contradictions.append(Contradiction(
                        f"The path {' / '.join(s.answer.label for s in evaluation.steps)} says both yes and no "
                        f"to “{tree.criteria.get(key, key)}”.", (len(rows),)))
                values[key] = value
        rows.append(MatrixRow(values, evaluation.outcome.route, evaluation.outcome.risk_level,
                              evaluation.outcome.text, tuple(step.answer.label for step in evaluation.steps),
                              line=evaluation.line, codes=evaluation.outcome.codes,
                              broken_rules=tuple(broken.get(len(rows), ()))))
    seen: dict[tuple, int] = {}
    for index, row in enumerate(rows):
        if not row.values or any(value is None for value in row.values.values()):
            continue  # only fully settled combinations can contradict each other
        signature = (row.line, *sorted(row.values.items()))
        if signature in seen and rows[seen[signature]].route != row.route:
            contradictions.append(Contradiction(
                "Two answer paths settle the criteria the same way but end in different routes.",
                (seen[signature], index)))
        seen.setdefault(signature, index)
    return rows, contradictions
