"""The decision tree as plain data, and what can be computed from it without a database.

Validation, scenario evaluation, path enumeration, the decision-point matrix, the simulator,
the diagram and JSON import/export all work on a ``Tree``. ``triage.selectors.tree_for_version``
builds one from the database; ``triage.jsonio`` builds one from a shared file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

QUESTION = "question"
OUTCOME = "outcome"
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


@dataclass(frozen=True)
class RiskLevelSpec:
    key: str
    name: str
    description: str = ""
    default_response: str = ""
    responder_types: str = ""
    colour: str = "#6c757d"


@dataclass(frozen=True)
class Tree:
    nodes: dict[str, NodeSpec]
    risk_levels: tuple[RiskLevelSpec, ...] = ()
    criteria: dict[str, str] = field(default_factory=dict)  # key -> label
    reassessment_guidance: str = ""

    @property
    def roots(self) -> list[NodeSpec]:
        return [node for node in self.nodes.values() if node.root]


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
    if not roots:
        problems.append(_error("There is no first question: mark one question as the start of the tree."))
    elif len(roots) > 1:
        for node in roots:
            problems.append(_error(f"“{node.text}” is marked as the first question, and so is another.", node.key))
    for node in roots:
        if node.kind != QUESTION:
            problems.append(_error(f"“{node.text}” is an outcome; the tree must start with a question.", node.key))
    level_keys = {level.key for level in tree.risk_levels}
    for node in tree.nodes.values():
        problems.extend(_node_problems(node, tree, level_keys))
    if len(roots) == 1:
        reachable = _reachable(tree, roots[0].key)
        for node in tree.nodes.values():
            if node.key not in reachable:
                problems.append(_error(f"“{node.text}” cannot be reached from the first question.", node.key))
        cycle = _find_cycle(tree, roots[0].key)
        if cycle:
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
        if node.risk_level not in level_keys:
            problems.append(_error(f"The outcome “{node.text}” needs a risk level.", node.key))
        if not node.route:
            problems.append(_error(f"The outcome “{node.text}” needs a route (who takes the call).", node.key))
    else:
        problems.append(_error(f"“{node.text}” is neither a question nor an outcome.", node.key))
    return problems


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


def evaluate(tree: Tree, answers: dict[str, str]) -> Evaluation:
    """Follow the answers ({question key: option label}) from the first question to an outcome."""
    if len(tree.roots) != 1:
        return Evaluation((), None, message="The tree has no single first question.")
    node, steps, seen = tree.roots[0], [], set()
    while node.kind == QUESTION:
        if node.key in seen:
            return Evaluation(tuple(steps), None, node, "The answers go round in a loop.")
        seen.add(node.key)
        wanted = answers.get(node.key, "").strip().casefold()
        option = next((o for o in node.options if o.label.strip().casefold() == wanted), None)
        if option is None:
            return Evaluation(tuple(steps), None, node, f"No answer given for “{node.text}”.")
        steps.append(Step(node, option))
        node = tree.nodes.get(option.next)
        if node is None:
            return Evaluation(tuple(steps), None, None, f"The answer “{option.label}” leads nowhere.")
    return Evaluation(tuple(steps), node)


def paths(tree: Tree) -> list[Evaluation]:
    """Every answer path from the first question to an outcome (for valid, acyclic trees)."""
    if len(tree.roots) != 1:
        return []
    found: list[Evaluation] = []
    stack: list[tuple[str, tuple[Step, ...]]] = [(tree.roots[0].key, ())]
    budget = MAX_STEPS
    while stack and len(found) < MAX_PATHS and budget > 0:
        budget -= 1
        key, steps = stack.pop()
        node = tree.nodes.get(key)
        if node is None or any(step.node.key == key for step in steps):
            continue
        if node.kind == OUTCOME:
            found.append(Evaluation(steps, node))
            continue
        for option in reversed(node.options):
            stack.append((option.next, (*steps, Step(node, option))))
    return found


# --- Decision-point matrix -----------------------------------------------------------------


@dataclass(frozen=True)
class MatrixRow:
    values: dict[str, bool | None]  # criterion key -> True/False, None when the path never asks
    route: str
    risk_level: str
    outcome: str
    path: tuple[str, ...]  # the answers, for people to read


@dataclass(frozen=True)
class Contradiction:
    message: str
    rows: tuple[int, ...]


def decision_matrix(tree: Tree) -> tuple[list[MatrixRow], list[Contradiction]]:
    """One row per answer path: which criteria it settles, and the route it ends in.

    Contradictions: a path that settles a criterion both ways, and two paths that settle *every*
    criterion the same way yet end in different routes (the agreed criteria cannot tell them apart).
    Paths that leave some criteria unasked may differ by answers the matrix does not show; the
    page groups them instead of calling them contradictions.
    """
    rows: list[MatrixRow] = []
    contradictions: list[Contradiction] = []
    for evaluation in paths(tree):
        values: dict[str, bool | None] = {key: None for key in tree.criteria}
        for step in evaluation.steps:
            for key, value in step.answer.criteria.items():
                if values.get(key) is not None and values[key] != value:
                    contradictions.append(Contradiction(
                        f"The path {' / '.join(s.answer.label for s in evaluation.steps)} says both yes and no "
                        f"to “{tree.criteria.get(key, key)}”.", (len(rows),)))
                values[key] = value
        rows.append(MatrixRow(values, evaluation.outcome.route, evaluation.outcome.risk_level,
                              evaluation.outcome.text, tuple(step.answer.label for step in evaluation.steps)))
    seen: dict[tuple, int] = {}
    for index, row in enumerate(rows):
        if not row.values or any(value is None for value in row.values.values()):
            continue  # only fully settled combinations can contradict each other
        signature = tuple(sorted(row.values.items()))
        if signature in seen and rows[seen[signature]].route != row.route:
            contradictions.append(Contradiction(
                "Two answer paths settle the criteria the same way but end in different routes.",
                (seen[signature], index)))
        seen.setdefault(signature, index)
    return rows, contradictions
