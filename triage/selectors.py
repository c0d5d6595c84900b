"""Reads for triage protocols; incidents will ask ``version_in_force_at`` which version applied when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse

from toolkit.dashboard import Card, Progress
from toolkit.models import Membership, Workgroup
from triage import engine
from triage.models import InForcePeriod, Node, Option, Protocol, ProtocolVersion, Route, Scenario, VersionStatus


def protocol_list(*, workgroup: Workgroup) -> QuerySet[Protocol]:
    return Protocol.objects.filter(workgroup=workgroup).prefetch_related(
        Prefetch("versions", queryset=ProtocolVersion.objects.order_by("-number")),
        Prefetch(
            "in_force_periods",
            queryset=InForcePeriod.objects.filter(ended_at__isnull=True).select_related("version"),
            to_attr="current_periods",
        ),
    )


def tree_for_version(version: ProtocolVersion) -> engine.Tree:
    """The version's tree as plain data (three queries)."""
    nodes = list(
        Node.objects.filter(version=version)
        .select_related("risk_level")
        .prefetch_related(Prefetch("options", queryset=Option.objects.select_related("next_node").order_by("order",
                                                                                                             "pk")))
        .order_by("order", "pk")
    )
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
        )
    levels = tuple(
        engine.RiskLevelSpec(key=l.key, name=l.name, description=l.description, default_response=l.default_response,
                             responder_types=l.responder_types, colour=l.colour)
        for l in version.risk_levels.order_by("order", "name")  # noqa: E741
    )
    criteria = dict(version.criteria.order_by("order", "label").values_list("key", "label"))
    return engine.Tree(nodes=specs, risk_levels=levels, criteria=criteria,
                       reassessment_guidance=version.reassessment_guidance)


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    evaluation: engine.Evaluation
    passed: bool
    message: str


def scenario_results(*, version: ProtocolVersion, tree: engine.Tree | None = None) -> list[ScenarioResult]:
    tree = tree or tree_for_version(version)
    levels = {level.key: level.name for level in tree.risk_levels}
    routes = dict(Route.choices)
    results = []
    for scenario in version.scenarios.all():
        evaluation = engine.evaluate(tree, scenario.answers)
        outcome = evaluation.outcome
        if outcome is None:
            results.append(ScenarioResult(scenario, evaluation, False, evaluation.message))
            continue
        wrong = []
        if outcome.risk_level != scenario.expected_risk_level:
            wrong.append(f"risk level {levels.get(outcome.risk_level, outcome.risk_level or '—')} instead of "
                         f"{levels.get(scenario.expected_risk_level, scenario.expected_risk_level)}")
        if outcome.route != scenario.expected_route:
            wrong.append(f"route {routes.get(outcome.route, outcome.route or '—')} instead of "
                         f"{routes.get(scenario.expected_route, scenario.expected_route)}")
        message = f"Ends at “{outcome.text}”" + (": " + "; ".join(wrong) if wrong else ".")
        results.append(ScenarioResult(scenario, evaluation, not wrong, message))
    return results


def version_in_force(*, protocol: Protocol) -> ProtocolVersion | None:
    period = protocol.in_force_periods.filter(ended_at__isnull=True).select_related("version").first()
    return period.version if period else None


def version_in_force_at(*, workgroup: Workgroup, when: datetime) -> list[ProtocolVersion]:
    """The versions (one per protocol) that were in force at ``when``: what an incident report cites."""
    periods = InForcePeriod.objects.filter(workgroup=workgroup, started_at__lte=when).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=when)
    ).select_related("version", "version__protocol")
    return [period.version for period in periods]


def dashboard_card(*, workgroup: Workgroup, membership: Membership) -> Card:
    start_url = reverse("triage:index", kwargs={"slug": workgroup.slug})
    protocols = list(protocol_list(workgroup=workgroup))
    if not protocols:
        return Card(area="triage", title="Triage protocols", status="No triage protocol in force.",
                    progress=Progress.NOT_STARTED, start_url=start_url, start_label="Build a triage protocol",
                    guidance_slug="policies-safety-and-triage")
    in_force = [p for p in protocols if p.current_periods]
    facts = []
    for protocol in protocols:
        current = protocol.current_periods[0].version.number if protocol.current_periods else None
        drafts = [v.number for v in protocol.versions.all() if v.status in (VersionStatus.DRAFT,
                                                                              VersionStatus.IN_REVIEW)]
        fact = f"{protocol.name}: " + (f"v{current} in force" if current else "none in force")
        if drafts:
            fact += f"; v{max(drafts)} being drafted or reviewed"
        facts.append(fact)
    return Card(
        area="triage", title="Triage protocols",
        status=f"{len(in_force)} of {len(protocols)} protocol{'s' if len(protocols) != 1 else ''} in force.",
        progress=Progress.ON_TRACK if in_force else Progress.IN_PROGRESS, start_url=start_url,
        start_label="Open triage protocols", guidance_slug="policies-safety-and-triage", facts=facts,
        warnings=[] if in_force else ["No approved protocol is in force yet."],
    )
