"""Writes for triage protocols. Drafts are edited; approved versions never change.

Every function checks the permission layer, refuses edits to a version that is not a draft,
validates, writes atomically and names the actor for the audit trail.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Model
from django.utils import timezone

from toolkit.history import save_validated as _save
from toolkit.permissions import Action, require
from toolkit.slugs import unique_slug
from triage import engine
from triage.defaults import default_tree
from triage.models import (
    Approval,
    Criterion,
    InForcePeriod,
    Node,
    NodeKind,
    Option,
    Protocol,
    ProtocolVersion,
    RiskLevel,
    Scenario,
    VersionStatus,
)

if TYPE_CHECKING:
    from partners.models import Organization
    from toolkit.models import User, Workgroup

MSG_NOT_DRAFT = "Version {number} is {status}: it cannot be changed. Start a new draft from it instead."
MSG_NAME_TAKEN = "There is already a protocol called “{name}”."
MSG_HAS_ERRORS = "The tree has {count} problem(s) to fix before it can go to review."
MSG_CONTRADICTIONS = "The decision-point matrix has {count} contradiction(s); resolve them before review."
MSG_NO_SCENARIOS = "Write at least one scenario test before sending the version to review."
MSG_SCENARIOS_FAIL = "{count} scenario test(s) fail; every scenario must pass before review."
MSG_NOT_IN_REVIEW = "Only a version in review can be approved or sent back."
MSG_NO_APPROVALS = "Record at least one partner organization's approval first."
MSG_NOT_APPROVED = "Only an approved version can be put in force."
MSG_OTHER_WORKGROUP = "That choice does not belong to this workgroup."


def _require_draft(version: ProtocolVersion) -> None:
    if not version.is_editable:
        raise ValidationError(MSG_NOT_DRAFT.format(number=version.number, status=version.get_status_display().lower()))


def _editable(actor: User, version: ProtocolVersion) -> None:
    require(actor, version.workgroup, Action.EDIT_TRIAGE)
    # Lock the version row: a submit and an edit must not interleave.
    ProtocolVersion.objects.select_for_update().filter(pk=version.pk).first()
    version.refresh_from_db(fields=["status"])
    _require_draft(version)


# --- Trees in and out of the database ------------------------------------------------------


def write_tree(*, version: ProtocolVersion, tree: engine.Tree, scenarios: tuple = ()) -> None:
    """Replace a draft's levels, criteria, nodes, options (and scenarios, if given) with ``tree``."""
    _require_draft(version)
    wg = version.workgroup
    version.nodes.all().delete()
    version.risk_levels.all().delete()
    version.criteria.all().delete()
    levels = {}
    for order, spec in enumerate(tree.risk_levels):
        levels[spec.key] = RiskLevel.objects.create(
            workgroup=wg, version=version, key=spec.key, name=spec.name, description=spec.description,
            default_response=spec.default_response, responder_types=spec.responder_types, colour=spec.colour,
            order=order,
        )
    for order, (key, label) in enumerate(tree.criteria.items()):
        Criterion.objects.create(workgroup=wg, version=version, key=key, label=label, order=order)
    nodes = {}
    for order, spec in enumerate(tree.nodes.values()):
        nodes[spec.key] = Node.objects.create(
            workgroup=wg, version=version, key=spec.key, kind=spec.kind, text=spec.text, guidance=spec.guidance,
            is_root=spec.root, risk_level=levels.get(spec.risk_level), route=spec.route, actions=spec.actions,
            order=order,
        )
    Option.objects.bulk_create(
        Option(workgroup=wg, node=nodes[spec.key], label=option.label, next_node=nodes.get(option.next),
               criteria=dict(option.criteria), order=order)
        for spec in tree.nodes.values()
        for order, option in enumerate(spec.options)
    )
    version.reassessment_guidance = tree.reassessment_guidance
    version.save(update_fields=["reassessment_guidance", "updated_at"])
    if scenarios:
        version.scenarios.all().delete()
        for name, answers, level, route in scenarios:
            Scenario.objects.create(workgroup=wg, version=version, name=name, answers=dict(answers),
                                    expected_risk_level=level, expected_route=route)


# --- Protocols and versions ----------------------------------------------------------------


@transaction.atomic
def protocol_create(*, actor: User, workgroup: Workgroup, name: str, description: str = "",
                    tree: engine.Tree | None = None, scenarios: tuple = ()) -> Protocol:
    """A new protocol with version 1 as a draft, starting from the default tree unless one is given."""
    require(actor, workgroup, Action.EDIT_TRIAGE)
    name = name.strip()
    if Protocol.objects.filter(workgroup=workgroup, name__iexact=name).exists():
        raise ValidationError({"name": MSG_NAME_TAKEN.format(name=name)})
    protocol = _save(Protocol(workgroup=workgroup, name=name, description=description), actor)
    version = _save(ProtocolVersion(workgroup=workgroup, protocol=protocol, number=1, created_by=actor,
                                    change_summary="First draft"), actor)
    write_tree(version=version, tree=tree or default_tree(), scenarios=scenarios)
    return protocol


@transaction.atomic
def version_new_draft(*, actor: User, from_version: ProtocolVersion, change_summary: str = "") -> ProtocolVersion:
    """Editing an approved (or any) version starts here: a new draft with a copy of its tree and scenarios."""
    from triage.selectors import tree_for_version  # selectors import models only; no cycle at import time

    require(actor, from_version.workgroup, Action.EDIT_TRIAGE)
    protocol = Protocol.objects.select_for_update().get(pk=from_version.protocol_id)
    number = (protocol.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = _save(ProtocolVersion(workgroup=protocol.workgroup, protocol=protocol, number=number, created_by=actor,
                                  based_on=from_version,
                                  change_summary=change_summary or f"Draft based on version {from_version.number}"),
                  actor)
    scenarios = tuple((s.name, s.answers, s.expected_risk_level, s.expected_route)
                      for s in from_version.scenarios.all())
    write_tree(version=draft, tree=tree_for_version(from_version), scenarios=scenarios)
    return draft


@transaction.atomic
def version_update(*, actor: User, version: ProtocolVersion, **fields: Any) -> ProtocolVersion:
    _editable(actor, version)
    for name in set(fields) - {"change_summary", "reassessment_guidance"}:
        raise ValueError(f"Cannot update {name} here.")
    for name, value in fields.items():
        setattr(version, name, value)
    return _save(version, actor)


# --- Tree editing (drafts only) ------------------------------------------------------------


def _same_version(version: ProtocolVersion, *objs: Model | None) -> None:
    for obj in objs:
        if obj is not None and getattr(obj, "version_id", None) != version.pk:
            raise ValidationError(MSG_OTHER_WORKGROUP)


@transaction.atomic
def node_create(*, actor: User, version: ProtocolVersion, kind: str, text: str, **fields: Any) -> Node:
    _editable(actor, version)
    _same_version(version, fields.get("risk_level"))
    key = unique_slug(version.nodes.all(), text, field="key", fallback=kind, max_length=40)
    order = (version.nodes.aggregate(n=Max("order"))["n"] or 0) + 1
    node = Node(workgroup=version.workgroup, version=version, key=key, kind=kind, text=text.strip(), order=order,
                **fields)
    if kind == NodeKind.QUESTION:
        node.risk_level, node.route, node.actions = None, "", ""
    else:
        node.is_root = False  # a tree starts with a question
    if node.is_root:
        version.nodes.filter(is_root=True).update(is_root=False)
    return _save(node, actor)


@transaction.atomic
def node_update(*, actor: User, node: Node, **fields: Any) -> Node:
    _editable(actor, node.version)
    _same_version(node.version, fields.get("risk_level"))
    allowed = {"text", "guidance", "is_root", "risk_level", "route", "actions"}
    for name, value in fields.items():
        if name not in allowed:
            raise ValueError(f"Cannot update {name} here.")
        setattr(node, name, value)
    if node.kind != NodeKind.QUESTION:
        node.is_root = False  # a tree starts with a question
    if node.is_root:
        node.version.nodes.filter(is_root=True).exclude(pk=node.pk).update(is_root=False)
    return _save(node, actor)


@transaction.atomic
def node_delete(*, actor: User, node: Node) -> None:
    """Answers that led here are left pointing nowhere; validation then lists them to fix."""
    _editable(actor, node.version)
    node.delete()


@transaction.atomic
def option_create(*, actor: User, node: Node, label: str, next_node: Node | None = None,
                  criteria: dict[str, bool] | None = None) -> Option:
    _editable(actor, node.version)
    if node.kind != NodeKind.QUESTION:
        raise ValidationError("Only questions have answers.")
    _same_version(node.version, next_node)
    order = (node.options.aggregate(n=Max("order"))["n"] or 0) + 1
    return _save(Option(workgroup=node.workgroup, node=node, label=label.strip(), next_node=next_node,
                        criteria=criteria or {}, order=order), actor)


@transaction.atomic
def option_update(*, actor: User, option: Option, **fields: Any) -> Option:
    _editable(actor, option.node.version)
    _same_version(option.node.version, fields.get("next_node"))
    for name, value in fields.items():
        if name not in {"label", "next_node", "criteria"}:
            raise ValueError(f"Cannot update {name} here.")
        setattr(option, name, value)
    return _save(option, actor)


@transaction.atomic
def option_delete(*, actor: User, option: Option) -> None:
    _editable(actor, option.node.version)
    option.delete()


@transaction.atomic
def option_move(*, actor: User, option: Option, offset: int) -> None:
    """Move an answer up (-1) or down (+1) among its question's answers."""
    _editable(actor, option.node.version)
    siblings = list(option.node.options.order_by("order", "pk"))
    index = siblings.index(option)
    target = max(0, min(len(siblings) - 1, index + offset))
    siblings.insert(target, siblings.pop(index))
    for order, sibling in enumerate(siblings):
        if sibling.order != order:
            Option.objects.filter(pk=sibling.pk).update(order=order)


@transaction.atomic
def risk_level_save(*, actor: User, version: ProtocolVersion, level: RiskLevel | None = None,
                    **fields: Any) -> RiskLevel:
    """Create (level=None) or rename/edit a risk level of a draft."""
    _editable(actor, version)
    if level is None:
        key = unique_slug(version.risk_levels.all(), fields.get("name", ""), field="key", fallback="level",
                          max_length=30)
        order = (version.risk_levels.aggregate(n=Max("order"))["n"] or 0) + 1
        level = RiskLevel(workgroup=version.workgroup, version=version, key=key, order=order)
    _same_version(version, level)
    for name, value in fields.items():
        if name not in {"name", "description", "default_response", "responder_types", "colour"}:
            raise ValueError(f"Cannot update {name} here.")
        setattr(level, name, value)
    clash = version.risk_levels.filter(name__iexact=level.name.strip()).exclude(pk=level.pk)
    if clash.exists():
        raise ValidationError({"name": f"There is already a risk level called “{level.name.strip()}”."})
    return _save(level, actor)


@transaction.atomic
def scenario_save(*, actor: User, version: ProtocolVersion, scenario: Scenario | None = None,
                  **fields: Any) -> Scenario:
    _editable(actor, version)
    scenario = scenario or Scenario(workgroup=version.workgroup, version=version)
    _same_version(version, scenario)
    for name, value in fields.items():
        if name not in {"name", "answers", "expected_risk_level", "expected_route"}:
            raise ValueError(f"Cannot update {name} here.")
        setattr(scenario, name, value)
    clash = version.scenarios.filter(name__iexact=scenario.name.strip()).exclude(pk=scenario.pk)
    if clash.exists():
        raise ValidationError({"name": f"There is already a scenario called “{scenario.name.strip()}”."})
    return _save(scenario, actor)


@transaction.atomic
def scenario_delete(*, actor: User, scenario: Scenario) -> None:
    _editable(actor, scenario.version)
    scenario.delete()


# --- Workflow ------------------------------------------------------------------------------


@transaction.atomic
def version_submit(*, actor: User, version: ProtocolVersion) -> ProtocolVersion:
    """Draft → in review, only when the tree is valid and every scenario passes."""
    from triage.selectors import scenario_results, tree_for_version

    _editable(actor, version)
    tree = tree_for_version(version)
    errors = engine.errors_of(engine.validate(tree))
    if errors:
        raise ValidationError(MSG_HAS_ERRORS.format(count=len(errors)))
    _, contradictions = engine.decision_matrix(tree)
    if contradictions:
        raise ValidationError(MSG_CONTRADICTIONS.format(count=len(contradictions)))
    results = scenario_results(version=version)
    if not results:
        raise ValidationError(MSG_NO_SCENARIOS)
    failing = [r for r in results if not r.passed]
    if failing:
        raise ValidationError(MSG_SCENARIOS_FAIL.format(count=len(failing)))
    version.status, version.submitted_at = VersionStatus.IN_REVIEW, timezone.now()
    return _save(version, actor)


def _in_review(actor: User, version: ProtocolVersion) -> None:
    require(actor, version.workgroup, Action.APPROVE_TRIAGE)
    ProtocolVersion.objects.select_for_update().filter(pk=version.pk).first()
    version.refresh_from_db(fields=["status"])
    if version.status != VersionStatus.IN_REVIEW:
        raise ValidationError(MSG_NOT_IN_REVIEW)


@transaction.atomic
def version_return_to_draft(*, actor: User, version: ProtocolVersion) -> ProtocolVersion:
    """Changes requested: back to draft. Approvals given so far were for the tree as it was, so they
    are withdrawn (the audit trail keeps them); partners approve the revised tree afresh."""
    _in_review(actor, version)
    for approval in version.approvals.all():
        approval._history_user = actor
        approval.delete()
    version.status, version.submitted_at = VersionStatus.DRAFT, None
    return _save(version, actor)


@transaction.atomic
def approval_record(*, actor: User, version: ProtocolVersion, organization: Organization,
                    approved_on: date) -> Approval:
    _in_review(actor, version)
    if organization.workgroup_id != version.workgroup_id:
        raise ValidationError(MSG_OTHER_WORKGROUP)
    if version.approvals.filter(organization=organization).exists():
        raise ValidationError(f"{organization.name}'s approval is already recorded.")
    return _save(Approval(workgroup=version.workgroup, version=version, organization=organization,
                          organization_name=organization.name, approved_on=approved_on, recorded_by=actor), actor)


@transaction.atomic
def version_approve(*, actor: User, version: ProtocolVersion) -> ProtocolVersion:
    _in_review(actor, version)
    if not version.approvals.exists():
        raise ValidationError(MSG_NO_APPROVALS)
    version.status, version.approved_at = VersionStatus.APPROVED, timezone.now()
    return _save(version, actor)


@transaction.atomic
def version_put_in_force(*, actor: User, version: ProtocolVersion) -> InForcePeriod:
    """Make an approved version the one in force; the previous period ends at the same moment."""
    require(actor, version.workgroup, Action.APPROVE_TRIAGE)
    protocol = Protocol.objects.select_for_update().get(pk=version.protocol_id)
    version.refresh_from_db(fields=["status"])
    if version.status != VersionStatus.APPROVED:
        raise ValidationError(MSG_NOT_APPROVED)
    now = timezone.now()
    current = InForcePeriod.objects.filter(protocol=protocol, ended_at__isnull=True).first()
    if current is not None:
        if current.version_id == version.pk:
            return current
        current.ended_at = now
        _save(current, actor)
    return _save(InForcePeriod(workgroup=version.workgroup, protocol=protocol, version=version, started_at=now,
                               started_by=actor), actor)


@transaction.atomic
def version_retire(*, actor: User, version: ProtocolVersion) -> ProtocolVersion:
    require(actor, version.workgroup, Action.APPROVE_TRIAGE)
    Protocol.objects.select_for_update().filter(pk=version.protocol_id).first()
    version.refresh_from_db(fields=["status"])
    if version.status != VersionStatus.APPROVED:
        raise ValidationError("Only an approved version can be retired.")
    now = timezone.now()
    for period in InForcePeriod.objects.filter(version=version, ended_at__isnull=True):
        period.ended_at = now
        _save(period, actor)
    version.status, version.retired_at = VersionStatus.RETIRED, now
    return _save(version, actor)
