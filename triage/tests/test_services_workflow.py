"""The version workflow: approved versions never change, submit/approve gates, and the in-force history.

Sign-off by several partners (who is missing, refusals) has its own file, test_signoff.py."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from partners.tests.factories import OrganizationFactory
from triage import engine, services
from triage.defaults import EXAMPLE_SCENARIOS
from triage.models import InForcePeriod, Node, Option, ProtocolVersion, Scenario, Signatory, VersionStatus
from triage.selectors import scenario_results, tree_for_version, version_in_force, version_in_force_at


@pytest.fixture
def partner(workgroup):
    return OrganizationFactory(workgroup=workgroup, name="Riverbend 988 Center")


@pytest.fixture
def draft(workgroup, coordinator, partner) -> ProtocolVersion:
    protocol = services.protocol_create(actor=coordinator, workgroup=workgroup, name="County",
                                        scenarios=EXAMPLE_SCENARIOS)
    version = protocol.versions.get()
    services.signatory_add(actor=coordinator, version=version, organization=partner)
    return version


def _approve(version: ProtocolVersion, coordinator, workgroup) -> ProtocolVersion:
    """Submit the version and approve it with every listed partner's approval (a new draft keeps its partners)."""
    services.version_submit(actor=coordinator, version=version)
    for signatory in version.signatories.select_related("organization"):
        services.approval_record(actor=coordinator, version=version, organization=signatory.organization,
                                 approved_on=date.today(), approver_name="Dana Ortiz", approver_title="Director")
    return services.version_approve(actor=coordinator, version=version)


@pytest.fixture
def approved(draft, coordinator, workgroup) -> ProtocolVersion:
    return _approve(draft, coordinator, workgroup)


def _snapshot(version: ProtocolVersion):
    version.refresh_from_db()
    scenarios = sorted(Scenario.objects.filter(version=version).values_list("name", "answers", "expected_route"))
    signatories = sorted(Signatory.objects.filter(version=version).values_list("organization", "organization_name"))
    return tree_for_version(version), scenarios, version.change_summary, version.reassessment_guidance, signatories


def _edits(actor, version: ProtocolVersion):
    node = version.nodes.filter(kind="question").first()
    option = Option.objects.filter(node=node).first()
    level = version.risk_levels.first()
    scenario = version.scenarios.first()
    signatory = version.signatories.first()
    another = OrganizationFactory(workgroup=version.workgroup)
    return {
        "version_update": lambda: services.version_update(actor=actor, version=version, change_summary="Sneaky"),
        "node_create": lambda: services.node_create(actor=actor, version=version, kind="question", text="New?"),
        "node_update": lambda: services.node_update(actor=actor, node=node, text="Changed"),
        "node_delete": lambda: services.node_delete(actor=actor, node=node),
        "option_create": lambda: services.option_create(actor=actor, node=node, label="Maybe"),
        "option_update": lambda: services.option_update(actor=actor, option=option, label="Changed"),
        "option_delete": lambda: services.option_delete(actor=actor, option=option),
        "option_move": lambda: services.option_move(actor=actor, option=option, offset=1),
        "risk_level_save": lambda: services.risk_level_save(actor=actor, version=version, level=level, name="X"),
        "scenario_create": lambda: services.scenario_save(actor=actor, version=version, name="New",
                                                          answers={"medical": "Yes"}, expected_risk_level="higher",
                                                          expected_route="ems_le_with_bh"),
        "scenario_update": lambda: services.scenario_save(actor=actor, version=version, scenario=scenario,
                                                          name="Renamed"),
        "scenario_delete": lambda: services.scenario_delete(actor=actor, scenario=scenario),
        "version_submit": lambda: services.version_submit(actor=actor, version=version),
        "signatory_add": lambda: services.signatory_add(actor=actor, version=version, organization=another),
        "signatory_remove": lambda: services.signatory_remove(actor=actor, signatory=signatory),
    }


EDITS = ["version_update", "node_create", "node_update", "node_delete", "option_create", "option_update",
         "option_delete", "option_move", "risk_level_save", "scenario_create", "scenario_update", "scenario_delete",
         "version_submit", "signatory_add", "signatory_remove"]


@pytest.mark.parametrize("edit", EDITS)
def test_every_editing_service_refuses_an_approved_version_and_nothing_changes(approved, coordinator, edit):
    before = _snapshot(approved)
    edits = _edits(coordinator, approved)
    assert sorted(edits) == sorted(EDITS)

    with pytest.raises(ValidationError, match="cannot be changed"):
        edits[edit]()

    assert _snapshot(approved) == before
    assert approved.status == VersionStatus.APPROVED


def test_submit_moves_a_valid_draft_with_passing_scenarios_to_review(draft, coordinator):
    services.version_submit(actor=coordinator, version=draft)

    draft.refresh_from_db()
    assert draft.status == VersionStatus.IN_REVIEW
    assert draft.submitted_at is not None


def test_submit_is_refused_while_a_scenario_fails(draft, coordinator):
    scenario = draft.scenarios.get(name="911: overdose reported by a friend")
    services.scenario_save(actor=coordinator, version=draft, scenario=scenario, expected_route="referral")

    with pytest.raises(ValidationError, match="1 scenario test"):
        services.version_submit(actor=coordinator, version=draft)

    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_submit_is_refused_without_any_scenario(draft, coordinator):
    for scenario in draft.scenarios.all():
        services.scenario_delete(actor=coordinator, scenario=scenario)

    with pytest.raises(ValidationError, match=services.MSG_NO_SCENARIOS):
        services.version_submit(actor=coordinator, version=draft)

    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_submit_is_refused_when_the_tree_has_errors(draft, coordinator):
    option = Option.objects.filter(node__version=draft, node__key="911-medical", label="No").get()
    services.option_update(actor=coordinator, option=option, next_node=None)

    with pytest.raises(ValidationError, match="problem"):
        services.version_submit(actor=coordinator, version=draft)

    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_submit_is_refused_until_a_partner_is_listed_to_sign(draft, coordinator):
    services.signatory_remove(actor=coordinator, signatory=draft.signatories.get())

    with pytest.raises(ValidationError, match=services.MSG_NO_SIGNATORIES):
        services.version_submit(actor=coordinator, version=draft)

    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_approve_waits_for_the_listed_partners_decision(draft, coordinator):
    services.version_submit(actor=coordinator, version=draft)

    with pytest.raises(ValidationError, match="Still waiting for: Riverbend 988 Center."):
        services.version_approve(actor=coordinator, version=draft)

    draft.refresh_from_db()
    assert draft.status == VersionStatus.IN_REVIEW


def test_an_organization_of_another_workgroup_cannot_approve(draft, coordinator, other_workgroup):
    services.version_submit(actor=coordinator, version=draft)
    foreign = OrganizationFactory(workgroup=other_workgroup)

    with pytest.raises(ValidationError, match=services.MSG_OTHER_WORKGROUP):
        services.approval_record(actor=coordinator, version=draft, organization=foreign, approved_on=date.today(),
                                 approver_name="Oscar Outsider")

    assert not draft.approvals.exists()


def test_putting_a_version_in_force_closes_the_previous_period(approved, coordinator, workgroup):
    first = services.version_put_in_force(actor=coordinator, version=approved)
    second_version = _approve(services.version_new_draft(actor=coordinator, from_version=approved), coordinator,
                              workgroup)

    second = services.version_put_in_force(actor=coordinator, version=second_version)

    first.refresh_from_db()
    assert first.ended_at == second.started_at
    assert second.ended_at is None
    history = list(InForcePeriod.objects.filter(protocol=approved.protocol).order_by("started_at"))
    assert [(p.version, p.ended_at is None) for p in history] == [(approved, False), (second_version, True)]
    assert version_in_force(protocol=approved.protocol) == second_version


def test_version_in_force_at_answers_for_the_past_and_now(approved, coordinator, workgroup):
    first = services.version_put_in_force(actor=coordinator, version=approved)
    second_version = _approve(services.version_new_draft(actor=coordinator, from_version=approved), coordinator,
                              workgroup)
    second = services.version_put_in_force(actor=coordinator, version=second_version)

    assert version_in_force_at(workgroup=workgroup, when=first.started_at - timedelta(seconds=1)) == []
    assert version_in_force_at(workgroup=workgroup, when=first.started_at) == [approved]
    assert version_in_force_at(workgroup=workgroup, when=second.started_at) == [second_version]
    assert version_in_force_at(workgroup=workgroup, when=second.started_at + timedelta(days=1)) == [second_version]


def test_a_draft_cannot_be_put_in_force(draft, coordinator):
    with pytest.raises(ValidationError, match=services.MSG_NOT_APPROVED):
        services.version_put_in_force(actor=coordinator, version=draft)

    assert not InForcePeriod.objects.exists()


def test_retiring_the_version_in_force_ends_its_period(approved, coordinator, workgroup):
    period = services.version_put_in_force(actor=coordinator, version=approved)

    services.version_retire(actor=coordinator, version=approved)

    period.refresh_from_db()
    approved.refresh_from_db()
    assert approved.status == VersionStatus.RETIRED
    assert period.ended_at == approved.retired_at
    assert version_in_force(protocol=approved.protocol) is None
    assert version_in_force_at(workgroup=workgroup, when=period.started_at) == [approved]


def test_a_new_draft_copies_tree_and_scenarios_and_leaves_the_approved_version_alone(approved, coordinator):
    before = _snapshot(approved)

    new = services.version_new_draft(actor=coordinator, from_version=approved, change_summary="Add a question")
    services.node_update(actor=coordinator, node=new.nodes.get(key="911-medical"), text="Anyone hurt?")

    assert (new.number, new.status, new.based_on, new.change_summary) == (2, VersionStatus.DRAFT, approved,
                                                                          "Add a question")
    assert tree_for_version(new).nodes.keys() == before[0].nodes.keys()
    assert sorted(new.scenarios.values_list("name", flat=True)) == [s[0] for s in before[1]]
    assert all(result.passed for result in scenario_results(version=new))
    assert _snapshot(approved) == before
    assert Node.objects.get(version=approved, key="911-medical").text != "Anyone hurt?"
    assert list(new.rules.values_list("name", flat=True)) == list(approved.rules.values_list("name", flat=True))
    assert engine.errors_of(engine.validate(tree_for_version(new))) == []


def test_approvals_given_before_changes_were_requested_do_not_approve_the_revised_tree(workgroup, coordinator):
    from datetime import date

    from partners.tests.factories import OrganizationFactory
    from triage import services as triage_services
    from triage.defaults import EXAMPLE_SCENARIOS
    from triage.models import Approval

    protocol = triage_services.protocol_create(actor=coordinator, workgroup=workgroup, name="Revised",
                                               scenarios=EXAMPLE_SCENARIOS)
    version = protocol.versions.get()
    partner = OrganizationFactory(workgroup=workgroup)
    triage_services.signatory_add(actor=coordinator, version=version, organization=partner)
    triage_services.version_submit(actor=coordinator, version=version)
    triage_services.approval_record(actor=coordinator, version=version, organization=partner,
                                    approved_on=date(2026, 1, 5), approver_name="Dana Ortiz")
    triage_services.version_return_to_draft(actor=coordinator, version=version)
    triage_services.version_submit(actor=coordinator, version=version)

    with pytest.raises(ValidationError):
        triage_services.version_approve(actor=coordinator, version=version)
    assert not Approval.objects.filter(version=version).exists()
    assert Approval.history.filter(history_type="-").count() == 1  # the withdrawn approval stays on record
    triage_services.approval_record(actor=coordinator, version=version, organization=partner,
                                    approved_on=date(2026, 2, 1), approver_name="Dana Ortiz")  # it decides again


def test_review_is_refused_while_the_matrix_has_a_contradiction(workgroup, coordinator):
    from triage import engine
    from triage import services as triage_services
    from triage.engine import OUTCOME, QUESTION, NodeSpec, OptionSpec, RiskLevelSpec

    tree = engine.Tree(
        nodes={
            "q": NodeSpec("q", QUESTION, "Weapon?", root=True, options=(
                OptionSpec("Yes, a knife", "a", {"weapon": True}), OptionSpec("Yes, a gun", "b", {"weapon": True}))),
            "a": NodeSpec("a", OUTCOME, "Remote", risk_level="low", route="988_remote"),
            "b": NodeSpec("b", OUTCOME, "Police", risk_level="low", route="ems_le_with_bh"),
        },
        risk_levels=(RiskLevelSpec("low", "Low"),), criteria={"weapon": "Weapon present"},
        reassessment_guidance="Reassess.",
    )
    protocol = triage_services.protocol_create(actor=coordinator, workgroup=workgroup, name="Contradictory",
                                               tree=tree, scenarios=(("Knife", {"q": "Yes, a knife"}, "low",
                                                                      "988_remote"),))

    with pytest.raises(ValidationError, match="contradiction"):
        triage_services.version_submit(actor=coordinator, version=protocol.versions.get())


def test_risk_level_names_are_unique_within_a_version_and_a_new_outcome_never_unsets_the_root(
    workgroup, coordinator
):
    from triage import services as triage_services
    from triage.models import Node

    version = triage_services.protocol_create(actor=coordinator, workgroup=workgroup, name="Levels").versions.get()

    with pytest.raises(ValidationError, match="already a risk level"):
        triage_services.risk_level_save(actor=coordinator, version=version, name="low")
    triage_services.node_create(actor=coordinator, version=version, kind="outcome", text="Ends", is_root=True)
    assert sorted(Node.objects.filter(version=version, is_root=True).values_list("key", flat=True)) == [
        "911-start", "988-start"]
