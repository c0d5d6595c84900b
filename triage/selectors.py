"""Reads for triage protocols; incidents will ask ``version_in_force_at`` which version applied when."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.urls import reverse

from toolkit.dashboard import Card, Progress
from toolkit.models import Membership, Workgroup
from toolkit.permissions import Action
from triage import engine
from triage.models import (
    Approval,
    Criterion,
    Decision,
    InForcePeriod,
    Node,
    Option,
    Protocol,
    ProtocolVersion,
    RiskLevel,
    Route,
    SafetyRule,
    Scenario,
    Signatory,
    VersionStatus,
)

# The protocol list shows each protocol's newest versions; the protocol's own page has them all, a page at a time.
RECENT_VERSIONS = 5
# The dashboard card names this many protocols and counts the rest.
CARD_PROTOCOLS = 5


def protocol_list(*, workgroup: Workgroup) -> QuerySet[Protocol]:
    """The workgroup's protocols by name (other apps offer them as choices)."""
    return Protocol.objects.for_workgroup(workgroup).order_by("name", "pk")


def protocol_summaries(*, membership: Membership) -> QuerySet[Protocol]:
    """The protocol list page: each protocol with ``version_count``, its ``recent_versions`` (newest first)
    and ``current_periods`` (the period in force, if any). Three queries per page, whatever the rows."""
    return (
        Protocol.objects.restrict(membership, Action.VIEW_WORKGROUP)
        .select_related("workgroup")
        .annotate(version_count=Count("versions"))
        .prefetch_related(
            Prefetch("versions", to_attr="recent_versions",
                     queryset=ProtocolVersion.objects.select_related("workgroup").order_by("-number")[:RECENT_VERSIONS]),
            Prefetch("in_force_periods", to_attr="current_periods",
                     queryset=InForcePeriod.objects.filter(ended_at__isnull=True).select_related("version")),
        )
        .order_by("name", "pk")
    )


def protocol_versions(*, protocol: Protocol) -> QuerySet[ProtocolVersion]:
    """A protocol's versions, newest first, each with ``approval_count`` (partners that approved; a refusal is no
    approval) and the periods it was in force."""
    periods = InForcePeriod.objects.select_related("started_by").order_by("-started_at")
    return (
        protocol.versions.select_related("workgroup")
        .annotate(approval_count=Count("approvals", filter=Q(approvals__decision=Decision.APPROVED)))
        .prefetch_related(Prefetch("in_force_periods", queryset=periods, to_attr="periods"))
        .order_by("-number")
    )


@dataclass(frozen=True)
class VersionContents:
    """A version's rows as the version page shows them, and the same rows as the engine's plain tree."""

    nodes: list[Node]  # first question first, then in tree order; options (with next_node) prefetched
    risk_levels: list[RiskLevel]
    criteria: dict[str, str]  # key → label
    tree: engine.Tree
    criterion_rows: list[Criterion] = field(default_factory=list)  # the same criteria as rows (edit links)


def version_contents(version: ProtocolVersion) -> VersionContents:
    """Five queries (nodes, options, risk levels, criteria, rules), whatever the size of the tree."""
    nodes = list(
        Node.objects.filter(version=version)
        .select_related("risk_level")
        .prefetch_related(Prefetch("options", queryset=Option.objects.select_related("next_node").order_by("order",
                                                                                                             "pk")))
        .order_by("order", "pk")
    )
    risk_levels = list(version.risk_levels.order_by("order", "name"))
    criterion_rows = list(version.criteria.order_by("order", "label"))
    criteria = {criterion.key: criterion.label for criterion in criterion_rows}
    specs = {}
    for node in nodes:
        specs[node.key] = engine.NodeSpec(
            key=node.key, kind=node.kind, text=node.text, guidance=node.guidance, root=node.is_root,
            options=tuple(
                engine.OptionSpec(label=o.label, next=o.next_node.key if o.next_node else "",
                                  criteria=dict(o.criteria))
                for o in node.options.all()
            ),
            risk_level=node.risk_level.key if node.risk_level else "", route=node.route, actions=node.actions,
            line=node.entry_line if node.is_root else "", codes=codes_of(node.codes),
        )
    levels = tuple(
        engine.RiskLevelSpec(key=level.key, name=level.name, description=level.description,
                             default_response=level.default_response, responder_types=level.responder_types,
                             colour=level.colour)
        for level in risk_levels
    )
    rules = tuple(rule_spec(rule) for rule in version.rules.order_by("order", "pk"))
    tree = engine.Tree(nodes=specs, risk_levels=levels, criteria=criteria,
                       reassessment_guidance=version.reassessment_guidance, rules=rules)
    # The page lists the first question first; the engine keeps the editing order.
    nodes.sort(key=lambda node: not node.is_root)
    return VersionContents(nodes=nodes, risk_levels=risk_levels, criteria=criteria, tree=tree,
                           criterion_rows=criterion_rows)


def codes_of(stored: object) -> tuple[tuple[str, str], ...]:
    """An outcome's stored codes as (system, code) pairs; anything malformed is left out."""
    if not isinstance(stored, list):
        return ()
    return tuple((item["system"], item["code"]) for item in stored if isinstance(item, dict)
                 and isinstance(item.get("system"), str) and isinstance(item.get("code"), str))


def rule_spec(rule: SafetyRule) -> engine.RuleSpec:
    return engine.RuleSpec(
        name=rule.name, kind=rule.kind,
        when={key: value for key, value in (rule.when or {}).items() if isinstance(value, bool)},
        line=rule.line, levels=tuple(rule.levels or ()), routes=tuple(rule.routes or ()),
        criterion=rule.criterion, criterion_yes=rule.criterion_yes,
    )


def tree_for_version(version: ProtocolVersion) -> engine.Tree:
    """The version's tree as plain data (five queries)."""
    return version_contents(version).tree


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    evaluation: engine.Evaluation
    passed: bool
    message: str


def scenario_result(*, scenario: Scenario, tree: engine.Tree) -> ScenarioResult:
    """Run one scenario through the tree (no query)."""
    evaluation = engine.evaluate(tree, scenario.answers, scenario.line)
    outcome = evaluation.outcome
    if outcome is None:
        return ScenarioResult(scenario, evaluation, False, evaluation.message)
    levels = {level.key: level.name for level in tree.risk_levels}
    routes = dict(Route.choices)
    wrong = []
    if outcome.risk_level != scenario.expected_risk_level:
        wrong.append(f"risk level {levels.get(outcome.risk_level, outcome.risk_level or '—')} instead of "
                     f"{levels.get(scenario.expected_risk_level, scenario.expected_risk_level)}")
    if outcome.route != scenario.expected_route:
        wrong.append(f"route {routes.get(outcome.route, outcome.route or '—')} instead of "
                     f"{routes.get(scenario.expected_route, scenario.expected_route)}")
    message = f"Ends at “{outcome.text}”" + (": " + "; ".join(wrong) if wrong else ".")
    return ScenarioResult(scenario, evaluation, not wrong, message)


def scenario_results(*, version: ProtocolVersion, tree: engine.Tree | None = None) -> list[ScenarioResult]:
    """Every scenario of the version, run through its tree (one query for the scenarios, four for a tree not given)."""
    tree = tree or tree_for_version(version)
    return [scenario_result(scenario=scenario, tree=tree) for scenario in version.scenarios.all()]


def submit_blockers(*, version: ProtocolVersion, tree: engine.Tree | None = None,
                    results: list[ScenarioResult] | None = None,
                    found: list[engine.Evaluation] | None = None) -> list[str]:
    """Why the draft cannot go to review yet, as sentences a coordinator can act on ([] when it can).
    The version page lists these beside a disabled button; ``services.version_submit`` refuses with them.
    ``found`` is ``engine.paths(tree)`` when the caller has it already (the paths are enumerated once)."""
    from triage import services

    tree = tree or tree_for_version(version)
    results = scenario_results(version=version, tree=tree) if results is None else results
    found = engine.paths(tree) if found is None else found
    blockers = []
    errors = engine.errors_of(engine.validate(tree))
    if errors:
        blockers.append(services.MSG_HAS_ERRORS.format(count=len(errors)))
    if engine.paths_truncated(tree, found):
        blockers.append(services.MSG_TOO_MANY_PATHS.format(limit=engine.MAX_PATHS))
    _, contradictions = engine.decision_matrix(tree, found)
    if contradictions:
        blockers.append(services.MSG_CONTRADICTIONS.format(count=len(contradictions)))
    broken = {id(breach.evaluation) for breach in engine.breaches(tree, found)}
    if broken:
        blockers.append(services.MSG_RULES_BROKEN.format(count=len(broken)))
    if not results:
        blockers.append(services.MSG_NO_SCENARIOS)
    failing = [r for r in results if not r.passed]
    if failing:
        blockers.append(services.MSG_SCENARIOS_FAIL.format(count=len(failing)))
    if not version.signatories.exists():
        blockers.append(services.MSG_NO_SIGNATORIES)
    return blockers


@dataclass(frozen=True)
class SignoffRow:
    signatory: Signatory
    decision: Approval | None  # None: the partner has not decided yet

    @property
    def state(self) -> str:
        """"waiting", "approved" or "declined"."""
        return self.decision.decision if self.decision is not None else "waiting"


@dataclass(frozen=True)
class SignoffStatus:
    rows: tuple[SignoffRow, ...]  # every listed partner, in their order
    missing: tuple[str, ...]  # names of the listed partners that have not decided
    declined: tuple[SignoffRow, ...]
    unlisted: tuple[Approval, ...]  # decisions of partners no longer listed (kept, shown, never counted)
    blockers: tuple[str, ...]  # why the version cannot be approved, as sentences ((): it can)

    @property
    def all_approved(self) -> bool:
        return not self.blockers


def _decided_by(approval: Approval) -> tuple[str, object]:
    # A partner since removed from the partner map keeps its name on both rows.
    return ("org", approval.organization_id) if approval.organization_id else ("name", approval.organization_name)


def signoff_status(*, version: ProtocolVersion) -> SignoffStatus:
    """Each listed partner with its decision, who is still missing, who declined, and whether the version can be
    approved. Two queries, however many partners; ``services.version_approve`` refuses with ``blockers``."""
    from triage import services

    signatories = list(Signatory.objects.filter(version=version).order_by("order", "organization_name", "pk"))
    decisions = {_decided_by(a): a for a in Approval.objects.filter(version=version).order_by("approved_on", "pk")}
    rows = []
    for signatory in signatories:
        key = (("org", signatory.organization_id) if signatory.organization_id
               else ("name", signatory.organization_name))
        rows.append(SignoffRow(signatory=signatory, decision=decisions.pop(key, None)))
    missing = tuple(row.signatory.organization_name for row in rows if row.decision is None)
    declined = tuple(row for row in rows if row.state == Decision.DECLINED)
    blockers = []
    if not rows:
        blockers.append(services.MSG_NO_APPROVALS)
    if missing:
        blockers.append(services.MSG_WAITING_FOR.format(names=", ".join(missing)))
    blockers += [services.MSG_DECLINED.format(name=row.signatory.organization_name,
                                              note=row.decision.note.strip().rstrip("."))
                 for row in declined]
    return SignoffStatus(rows=tuple(rows), missing=missing, declined=declined, unlisted=tuple(decisions.values()),
                         blockers=tuple(blockers))


def version_in_force(*, protocol: Protocol) -> ProtocolVersion | None:
    period = protocol.in_force_periods.filter(ended_at__isnull=True).select_related("version").first()
    return period.version if period else None


def version_in_force_at(*, workgroup: Workgroup, when: datetime) -> list[ProtocolVersion]:
    """The versions (one per protocol) that were in force at ``when``: what an incident report cites."""
    periods = InForcePeriod.objects.filter(workgroup=workgroup, started_at__lte=when).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=when)
    ).select_related("version", "version__protocol")
    return [period.version for period in periods]


def in_force_periods(*, workgroup: Workgroup) -> list[tuple[datetime, datetime | None, ProtocolVersion]]:
    """Every (started, ended or None, version) the workgroup has had in force: one query, for callers that ask
    ``version_in_force_at`` of thousands of moments (an import of past incidents) and compare in memory."""
    return [(period.started_at, period.ended_at, period.version) for period in
            InForcePeriod.objects.filter(workgroup=workgroup).select_related("version__protocol")]


def dashboard_card(*, workgroup: Workgroup, membership: Membership) -> Card:
    """Two queries: the counts, and the first few protocols with their version in force and newest draft."""
    start_url = reverse("triage:index", kwargs={"slug": workgroup.slug})
    protocols = Protocol.objects.restrict(membership, Action.VIEW_WORKGROUP)
    counts = protocols.aggregate(
        total=Count("pk", distinct=True),
        in_force=Count("in_force_periods", filter=Q(in_force_periods__ended_at__isnull=True), distinct=True),
    )
    total, in_force = counts["total"], counts["in_force"]
    if not total:
        return Card(area="triage", title="Triage protocols", status="No triage protocol in force.",
                    progress=Progress.NOT_STARTED, start_url=start_url, start_label="Build a triage protocol",
                    guidance_slug="policies-safety-and-triage")
    current = InForcePeriod.objects.filter(protocol=OuterRef("pk"), ended_at__isnull=True).values("version__number")
    named = protocols.annotate(
        in_force_number=Subquery(current[:1]),
        drafting_number=Max("versions__number",
                            filter=Q(versions__status__in=(VersionStatus.DRAFT, VersionStatus.IN_REVIEW))),
    ).order_by("name", "pk").values("name", "in_force_number", "drafting_number")[:CARD_PROTOCOLS]
    facts = []
    for protocol in named:
        number = protocol["in_force_number"]
        fact = f"{protocol['name']}: " + (f"v{number} in force" if number else "none in force")
        if protocol["drafting_number"]:
            fact += f"; v{protocol['drafting_number']} being drafted or reviewed"
        facts.append(fact)
    if total > CARD_PROTOCOLS:
        facts.append(f"and {total - CARD_PROTOCOLS} more on the protocol list")
    return Card(
        area="triage", title="Triage protocols",
        status=f"{in_force} of {total} protocol{'s' if total != 1 else ''} in force.",
        progress=Progress.ON_TRACK if in_force else Progress.IN_PROGRESS, start_url=start_url,
        start_label="Open triage protocols", guidance_slug="policies-safety-and-triage", facts=facts,
        warnings=[] if in_force else ["No approved protocol is in force yet."],
    )


# --- The protocol as an exhibit of an agreement (agreement packets print it; they never query our tables) ---


@dataclass(frozen=True)
class ExhibitLevel:
    key: str
    name: str
    description: str
    default_response: str
    responder_types: str
    colour: str


@dataclass(frozen=True)
class ExhibitMatrixRow:
    answers: tuple[str, ...]  # "Yes" / "No" / "—" per criterion, in the order of ``ProtocolExhibit.criteria``
    route: str  # the route's key (agreement packets name the parties that lead and support it)
    route_label: str
    risk_level: str
    outcome: str
    path: str  # the answers that lead there, for people to read
    line: str = ""  # "Calls arriving on 911", or "" for a tree with one start for either line
    codes: tuple[str, ...] = ()  # "Metro CAD disposition: BH-988", the partners' codes for the outcome


@dataclass(frozen=True)
class ProtocolExhibit:
    protocol_name: str
    version_number: int
    status_label: str
    approved_at: datetime | None
    # (organization, ISO date, approver's name, approver's title) of the partners that approved, in date order
    approvals: tuple[tuple[str, str, str, str], ...]
    in_force_since: datetime | None  # None when this version is not the one in force
    reassessment_guidance: str
    levels: tuple[ExhibitLevel, ...]
    criteria: tuple[str, ...]  # labels
    matrix: tuple[ExhibitMatrixRow, ...]
    contradictions: tuple[str, ...]
    tree: engine.Tree


def protocol_exhibit(*, version: ProtocolVersion) -> ProtocolExhibit:
    """A version's risk levels, decision-point matrix and approvals as plain text; seven queries."""
    from toolkit.text import xml_safe
    from triage.diagram import colour_or_default, route_label

    contents = version_contents(version)
    tree = contents.tree
    levels = {level.key: level.name for level in tree.risk_levels}
    rows, contradictions = engine.decision_matrix(tree)
    keys = list(tree.criteria)
    yes_no = {True: "Yes", False: "No", None: "—"}
    period = version.in_force_periods.filter(ended_at__isnull=True).first()
    approvals = tuple((xml_safe(name), on.isoformat(), xml_safe(approver), xml_safe(title))
                      for name, on, approver, title in
                      version.approvals.filter(decision=Decision.APPROVED).order_by("approved_on", "organization_name")
                      .values_list("organization_name", "approved_on", "approver_name", "approver_title"))
    return ProtocolExhibit(
        protocol_name=xml_safe(version.protocol.name),
        version_number=version.number,
        status_label=version.get_status_display(),
        approved_at=version.approved_at,
        approvals=approvals,
        in_force_since=period.started_at if period else None,
        reassessment_guidance=xml_safe(version.reassessment_guidance),
        levels=tuple(ExhibitLevel(level.key, xml_safe(level.name), xml_safe(level.description),
                                  xml_safe(level.default_response), xml_safe(level.responder_types),
                                  colour_or_default(level.colour))
                     for level in tree.risk_levels),
        criteria=tuple(xml_safe(tree.criteria[key]) for key in keys),
        matrix=tuple(
            ExhibitMatrixRow(
                answers=tuple(yes_no[row.values.get(key)] for key in keys),
                route=row.route, route_label=route_label(row.route) if row.route else "—",
                risk_level=xml_safe(levels.get(row.risk_level, row.risk_level or "—")),
                outcome=xml_safe(row.outcome), path=xml_safe(" → ".join(row.path)),
                line=engine.line_label(row.line) if row.line else "",
                codes=tuple(xml_safe(f"{system}: {code}") for system, code in row.codes),
            )
            for row in rows
        ),
        contradictions=tuple(xml_safe(c.message) for c in contradictions),
        tree=tree,
    )


def protocol_diagram_svg(*, exhibit: ProtocolExhibit) -> str:
    """The decision tree drawn by Graphviz; raises ``toolkit.pdf.ChartError`` when it cannot be drawn, so a
    document that needs it fails instead of printing an apology in its place."""
    from toolkit.pdf import ChartError
    from triage import diagram

    title = f"{exhibit.protocol_name} — version {exhibit.version_number}"
    try:
        return diagram.draw_tree_svg(exhibit.tree, title=title)
    except diagram.DiagramError as exc:
        raise ChartError(str(exc)) from exc


def risk_level_names(*, version: ProtocolVersion) -> list[str]:
    """A version's risk levels by name, in their order (incident reports pick the level assigned)."""
    return list(version.risk_levels.order_by("order", "name").values_list("name", flat=True))
