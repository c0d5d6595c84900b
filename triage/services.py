"""Writes for triage protocols. Drafts are edited; approved versions never change.

Every function checks the permission layer, refuses edits to a version that is not a draft,
validates, writes atomically and names the actor for the audit trail.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Model
from django.utils import timezone

from toolkit.history import save_validated as _save
from toolkit.permissions import Action, require
from toolkit.slugs import unique_slug
from triage import engine
from triage.defaults import EXAMPLE_SCENARIOS, default_tree
from triage.models import (
    Approval,
    Criterion,
    Decision,
    InForcePeriod,
    Node,
    NodeKind,
    Option,
    Protocol,
    ProtocolVersion,
    RiskLevel,
    SafetyRule,
    Scenario,
    Signatory,
    VersionStatus,
)

if TYPE_CHECKING:
    from partners.models import Organization
    from toolkit.models import User, Workgroup

MSG_NOT_DRAFT = "Version {number} is {status}: it cannot be changed. Start a new draft from it instead."
MSG_NAME_TAKEN = "There is already a protocol called “{name}”."
MSG_HAS_ERRORS = "The tree has {count} problem(s) to fix before it can go to review."
MSG_CONTRADICTIONS = "The decision-point matrix has {count} contradiction(s); resolve them before review."
MSG_RULES_BROKEN = "{count} answer path(s) break a safety rule; fix the tree (or the rule) before review."
MSG_TOO_MANY_PATHS = ("The tree has more answer paths than the toolkit can check ({limit}), so its safety rules "
                      "cannot be proven on every path; split it or simplify it before review.")
MSG_NO_SCENARIOS = "Write at least one scenario test before sending the version to review."
MSG_SCENARIOS_FAIL = "{count} scenario test(s) fail; every scenario must pass before review."
MSG_NO_SIGNATORIES = "List the partner organizations that must sign off on this version before review."
MSG_NOT_IN_REVIEW = "Only a version in review can be approved or sent back."
MSG_NO_APPROVALS = ("No partner is listed to sign this version: return it to draft and list the partners whose "
                    "sign-off it needs.")
MSG_ALREADY_SIGNATORY = "{name} is already listed to sign this version."
MSG_NOT_A_SIGNATORY = "{name} is not one of the partners that sign this version."
MSG_DECISION_RECORDED = "{name}'s decision is already recorded."
MSG_APPROVER_NAME = "Name the person who gave the organization's decision."
MSG_DECLINE_REASON = "Say why the partner declined: the coordinator revises the version from it."
MSG_DECISION_FUTURE = "The date of the decision cannot be in the future."
MSG_WAITING_FOR = "Still waiting for: {names}."
MSG_DECLINED = "{name} declined: {note}. Return the version to draft to revise it."
MSG_NOT_APPROVED = "Only an approved version can be put in force."
MSG_OTHER_WORKGROUP = "That choice does not belong to this workgroup."
MSG_ANSWER_LEADS_SOMEWHERE = ("The answer “{label}” already leads to a step; edit the answer to add a new step "
                              "after it instead.")


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
    version.rules.all().delete()
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
            is_root=spec.root, entry_line=spec.line if spec.root else "", risk_level=levels.get(spec.risk_level),
            route=spec.route, actions=spec.actions, order=order,
            codes=[{"system": system, "code": code} for system, code in spec.codes],
        )
    Option.objects.bulk_create(
        Option(workgroup=wg, node=nodes[spec.key], label=option.label, next_node=nodes.get(option.next),
               criteria=dict(option.criteria), order=order)
        for spec in tree.nodes.values()
        for order, option in enumerate(spec.options)
    )
    for order, rule in enumerate(tree.rules):
        SafetyRule.objects.create(
            workgroup=wg, version=version, name=rule.name, kind=rule.kind, when=dict(rule.when), line=rule.line,
            levels=list(rule.levels), routes=list(rule.routes), criterion=rule.criterion,
            criterion_yes=rule.criterion_yes, order=order,
        )
    version.reassessment_guidance = tree.reassessment_guidance
    version.save(update_fields=["reassessment_guidance", "updated_at"])
    if scenarios:
        version.scenarios.all().delete()
        for name, answers, level, route, *line in scenarios:
            Scenario.objects.create(workgroup=wg, version=version, name=name, answers=dict(answers),
                                    expected_risk_level=level, expected_route=route, line=line[0] if line else "")


# --- Protocols and versions ----------------------------------------------------------------


@transaction.atomic
def protocol_create(*, actor: User, workgroup: Workgroup, name: str, description: str = "",
                    tree: engine.Tree | None = None, scenarios: tuple = ()) -> Protocol:
    """A new protocol with version 1 as a draft, starting from the default tree, its safety rules and its example
    scenarios unless a tree is given (so it can go to review before anyone writes a scenario)."""
    require(actor, workgroup, Action.EDIT_TRIAGE)
    name = name.strip()
    if Protocol.objects.filter(workgroup=workgroup, name__iexact=name).exists():
        raise ValidationError({"name": MSG_NAME_TAKEN.format(name=name)})
    protocol = _save(Protocol(workgroup=workgroup, name=name, description=description), actor)
    version = _save(ProtocolVersion(workgroup=workgroup, protocol=protocol, number=1, created_by=actor,
                                    change_summary="First draft"), actor)
    if tree is None:
        tree, scenarios = default_tree(), scenarios or EXAMPLE_SCENARIOS
    write_tree(version=version, tree=tree, scenarios=scenarios)
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
    scenarios = tuple((s.name, s.answers, s.expected_risk_level, s.expected_route, s.line)
                      for s in from_version.scenarios.all())
    write_tree(version=draft, tree=tree_for_version(from_version), scenarios=scenarios)
    # The same partners sign the revision (their decisions do not carry over); those since removed from the
    # partner map are left out.
    for signatory in (from_version.signatories.filter(organization__isnull=False).select_related("organization")
                      .order_by("order", "organization_name")):
        _save(Signatory(workgroup=draft.workgroup, version=draft, organization=signatory.organization,
                        organization_name=signatory.organization.name, order=signatory.order), actor)
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


def _unmark_other_first_questions(node: Node) -> None:
    """One first question per line (or one for either line): marking this one unmarks the other for its line."""
    others = node.version.nodes.filter(is_root=True).exclude(pk=node.pk)
    others.filter(entry_line=node.entry_line).update(is_root=False)


@transaction.atomic
def node_create(*, actor: User, version: ProtocolVersion, kind: str, text: str, after_option: Option | None = None,
                **fields: Any) -> Node:
    """A new question or outcome. With ``after_option`` (an answer that leads nowhere yet), the answer leads to it
    and it is listed right after that answer's question, next to where it is used."""
    _editable(actor, version)
    _same_version(version, fields.get("risk_level"))
    if after_option is not None and after_option.node.version_id != version.pk:
        raise ValidationError(MSG_OTHER_WORKGROUP)
    if after_option is not None and after_option.next_node_id is not None:
        raise ValidationError(MSG_ANSWER_LEADS_SOMEWHERE.format(label=after_option.label))
    key = unique_slug(version.nodes.all(), text, field="key", fallback=kind, max_length=40)
    if after_option is not None:
        order = after_option.node.order + 1
        version.nodes.filter(order__gte=order).update(order=F("order") + 1)
    else:
        order = (version.nodes.aggregate(n=Max("order"))["n"] or 0) + 1
    node = Node(workgroup=version.workgroup, version=version, key=key, kind=kind, text=text.strip(), order=order,
                **fields)
    if kind == NodeKind.QUESTION:
        node.risk_level, node.route, node.actions, node.codes = None, "", "", []
    else:
        node.is_root, node.entry_line = False, ""  # a tree starts with a question
    if not node.is_root:
        node.entry_line = ""
    if node.is_root:
        _unmark_other_first_questions(node)
    node = _save(node, actor)
    if after_option is not None:
        after_option.next_node = node
        _save(after_option, actor)
    return node


@transaction.atomic
def node_update(*, actor: User, node: Node, **fields: Any) -> Node:
    _editable(actor, node.version)
    _same_version(node.version, fields.get("risk_level"))
    allowed = {"text", "guidance", "is_root", "entry_line", "risk_level", "route", "actions", "codes"}
    for name, value in fields.items():
        if name not in allowed:
            raise ValueError(f"Cannot update {name} here.")
        setattr(node, name, value)
    if node.kind != NodeKind.QUESTION:
        node.is_root = False  # a tree starts with a question
    else:
        node.codes = []
    if not node.is_root:
        node.entry_line = ""
    if node.is_root:
        _unmark_other_first_questions(node)
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
def criterion_save(*, actor: User, version: ProtocolVersion, criterion: Criterion | None = None,
                   label: str) -> Criterion:
    """Add (criterion=None) or rename a criterion of a draft: a yes/no fact answers settle and rules speak of.
    Its key is made once from the first label and never changes (answers and rules refer to it)."""
    _editable(actor, version)
    label = label.strip()
    if criterion is None:
        key = unique_slug(version.criteria.all(), label, field="key", fallback="criterion", max_length=40)
        order = (version.criteria.aggregate(n=Max("order"))["n"] or 0) + 1
        criterion = Criterion(workgroup=version.workgroup, version=version, key=key, order=order)
    _same_version(version, criterion)
    if version.criteria.filter(label__iexact=label).exclude(pk=criterion.pk).exists():
        raise ValidationError({"label": f"There is already a criterion called “{label}”."})
    criterion.label = label
    return _save(criterion, actor)


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
        if name not in {"name", "answers", "expected_risk_level", "expected_route", "line"}:
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
def signatory_add(*, actor: User, version: ProtocolVersion, organization: Organization) -> Signatory:
    """List a partner organization whose sign-off the draft needs before it can be approved."""
    _editable(actor, version)
    if organization.workgroup_id != version.workgroup_id:
        raise ValidationError(MSG_OTHER_WORKGROUP)
    if version.signatories.filter(organization=organization).exists():
        raise ValidationError({"organization": MSG_ALREADY_SIGNATORY.format(name=organization.name)})
    order = (version.signatories.aggregate(n=Max("order"))["n"] or 0) + 1
    return _save(Signatory(workgroup=version.workgroup, version=version, organization=organization,
                           organization_name=organization.name, order=order), actor)


@transaction.atomic
def signatory_remove(*, actor: User, signatory: Signatory) -> None:
    _editable(actor, signatory.version)
    signatory._history_user = actor
    signatory.delete()


@transaction.atomic
def version_submit(*, actor: User, version: ProtocolVersion) -> ProtocolVersion:
    """Draft → in review, only when nothing in ``selectors.submit_blockers`` stands in the way."""
    from triage.selectors import submit_blockers

    _editable(actor, version)
    blockers = submit_blockers(version=version)
    if blockers:
        raise ValidationError(blockers)
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
    """Changes requested: back to draft. Decisions given so far (approvals and refusals) were on the tree as
    it was, so they are withdrawn (the audit trail keeps them); the listed partners stay listed and decide on
    the revised tree afresh."""
    _in_review(actor, version)
    for approval in version.approvals.all():
        approval._history_user = actor
        approval.delete()
    version.status, version.submitted_at = VersionStatus.DRAFT, None
    return _save(version, actor)


@transaction.atomic
def approval_record(*, actor: User, version: ProtocolVersion, organization: Organization, approved_on: date,
                    decision: str = Decision.APPROVED, approver_name: str, approver_title: str = "",
                    note: str = "") -> Approval:
    """One listed partner's decision on the version in review: approved, or declined with the reason."""
    _in_review(actor, version)
    if organization.workgroup_id != version.workgroup_id:
        raise ValidationError(MSG_OTHER_WORKGROUP)
    if not version.signatories.filter(organization=organization).exists():
        raise ValidationError({"organization": MSG_NOT_A_SIGNATORY.format(name=organization.name)})
    if version.approvals.filter(organization=organization).exists():
        raise ValidationError({"organization": MSG_DECISION_RECORDED.format(name=organization.name)})
    approver_name, approver_title, note = approver_name.strip(), approver_title.strip(), note.strip()
    errors = {}
    if not approver_name:
        errors["approver_name"] = MSG_APPROVER_NAME
    if decision == Decision.DECLINED and not note:
        errors["note"] = MSG_DECLINE_REASON
    if approved_on > timezone.localdate():
        errors["approved_on"] = MSG_DECISION_FUTURE
    if errors:
        raise ValidationError(errors)
    return _save(Approval(workgroup=version.workgroup, version=version, organization=organization,
                          organization_name=organization.name, decision=decision, approver_name=approver_name,
                          approver_title=approver_title, note=note, approved_on=approved_on, recorded_by=actor),
                 actor)


@transaction.atomic
def version_approve(*, actor: User, version: ProtocolVersion) -> ProtocolVersion:
    """In review → approved, only when every listed partner has approved (``selectors.signoff_status``)."""
    from triage.selectors import signoff_status

    _in_review(actor, version)
    blockers = signoff_status(version=version).blockers
    if blockers:
        raise ValidationError(list(blockers))
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
