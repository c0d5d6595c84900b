"""Every triage page runs the same number of queries for 3 rows as for 30 (protocols, versions, nodes, rules…)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.tests.factories import OrganizationFactory
from toolkit.models import Membership
from triage import services
from triage.engine import (
    OUTCOME,
    QUESTION,
    RULE_ROUTE_RECORDS,
    NodeSpec,
    OptionSpec,
    RiskLevelSpec,
    RuleSpec,
    Tree,
)
from triage.models import Option, Protocol, ProtocolVersion
from triage.selectors import dashboard_card

pytestmark = pytest.mark.django_db

BASE = "/w/riverbend/triage"
LEVEL = RiskLevelSpec("low", "Low", "", "", "", "#009e73")


def _chain_tree(questions: int) -> Tree:
    """A valid tree: ``questions`` questions in a row, each with a "Yes" that ends the call and a "No" onwards,
    and as many safety rules (each kept on every path: a "Yes" records that the person accepts support)."""
    nodes = {}
    for i in range(questions):
        onwards = f"q{i + 1}" if i + 1 < questions else "end"
        nodes[f"q{i}"] = NodeSpec(key=f"q{i}", kind=QUESTION, text=f"Question {i}?", root=i == 0, options=(
            OptionSpec(label="Yes", next=f"o{i}", criteria={"accepts": True}), OptionSpec(label="No", next=onwards)))
        nodes[f"o{i}"] = NodeSpec(key=f"o{i}", kind=OUTCOME, text=f"Outcome {i}", risk_level="low",
                                  route="988_remote", actions="Support.")
    nodes["end"] = NodeSpec(key="end", kind=OUTCOME, text="Referral", risk_level="low", route="referral")
    rules = tuple(RuleSpec(f"Rule {i}", RULE_ROUTE_RECORDS, routes=("988_remote",), criterion="accepts",
                           criterion_yes=True) for i in range(questions))
    return Tree(nodes=nodes, risk_levels=(LEVEL,), criteria={"accepts": "Accepts support"},
                reassessment_guidance="Ask again.", rules=rules)


def _scenarios(count: int) -> tuple:
    return tuple((f"Scenario {i}", {f"q{j}": "No" for j in range(i % 3)} | {f"q{i % 3}": "Yes"}, "low",
                  "988_remote") for i in range(count))


def _version(workgroup, coordinator, *, questions: int, scenarios: int = 3, name: str = "Chain") -> ProtocolVersion:
    protocol = services.protocol_create(actor=coordinator, workgroup=workgroup, name=name,
                                        tree=_chain_tree(questions), scenarios=_scenarios(scenarios))
    return protocol.versions.get()


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def _version_pages(version: ProtocolVersion) -> list[str]:
    question = version.nodes.filter(kind=QUESTION).order_by("order").first()
    option = Option.objects.filter(node=question).first()
    scenario = version.scenarios.first()
    level = version.risk_levels.first()
    rule = version.rules.first()
    signatory = version.signatories.first()
    v = f"{BASE}/versions/{version.pk}"
    return [f"{v}/", f"{v}/scenarios/", f"{v}/matrix/", f"{v}/simulate/", f"{v}/simulate/?path=1.1",
            f"{v}/diagram.svg", f"{v}/export.json", f"{v}/edit/", f"{v}/nodes/new/", f"{v}/risk-levels/new/",
            f"{v}/scenarios/new/", f"{v}/new-draft/", f"{BASE}/nodes/{question.pk}/edit/",
            f"{BASE}/nodes/{question.pk}/delete/",
            f"{BASE}/nodes/{question.pk}/options/new/", f"{BASE}/options/{option.pk}/edit/",
            f"{BASE}/options/{option.pk}/delete/", f"{BASE}/risk-levels/{level.pk}/edit/",
            f"{BASE}/scenarios/{scenario.pk}/edit/", f"{BASE}/scenarios/{scenario.pk}/delete/",
            f"{v}/rules/", f"{v}/rules/new/", f"{BASE}/rules/{rule.pk}/edit/", f"{BASE}/rules/{rule.pk}/delete/",
            f"{v}/signatories/{signatory.pk}/remove/"]


def _list_signatories(version, coordinator, count: int) -> None:
    for i in range(count):
        organization = OrganizationFactory(workgroup=version.workgroup, name=f"Signatory {version.pk}-{i}")
        services.signatory_add(actor=coordinator, version=version, organization=organization)


def test_the_version_pages_cost_the_same_for_3_and_30_questions_scenarios_rules_and_signatories(
        client, workgroup, coordinator):
    client.force_login(coordinator)
    small = _version(workgroup, coordinator, questions=3, scenarios=3, name="Small")
    large = _version(workgroup, coordinator, questions=30, scenarios=30, name="Large")
    _list_signatories(small, coordinator, 3)
    _list_signatories(large, coordinator, 30)

    for few, many in zip(_version_pages(small), _version_pages(large), strict=True):
        assert _count(client, many) == _count(client, few), many


def _in_review(version, coordinator, organizations: int, undecided: int = 0):
    """Submit the version with ``organizations`` + ``undecided`` partners listed to sign (a new draft already lists
    its predecessor's), and record the approval of all but the ``undecided`` ones."""
    for i in range(version.signatories.count(), organizations + undecided):
        organization = OrganizationFactory(workgroup=version.workgroup, name=f"Partner {version.pk}-{i}")
        services.signatory_add(actor=coordinator, version=version, organization=organization)
    services.version_submit(actor=coordinator, version=version)
    for signatory in version.signatories.select_related("organization").order_by("order")[:organizations]:
        services.approval_record(actor=coordinator, version=version, organization=signatory.organization,
                                 approved_on=date(2025, 3, 1), approver_name=f"Approver {signatory.order}")


def test_the_approval_pages_cost_the_same_for_3_and_30_approvals(client, workgroup, coordinator):
    client.force_login(coordinator)
    small = _version(workgroup, coordinator, questions=3, name="Small")
    large = _version(workgroup, coordinator, questions=3, name="Large")
    _in_review(small, coordinator, 3, undecided=2)  # the form still offers the undecided partners
    _in_review(large, coordinator, 30, undecided=20)

    for page in ("", "approvals/new/"):
        few = _count(client, f"{BASE}/versions/{small.pk}/{page}")
        assert _count(client, f"{BASE}/versions/{large.pk}/{page}") == few, page


def _approve_and_put_in_force(version, coordinator) -> None:
    _in_review(version, coordinator, 1)
    services.version_approve(actor=coordinator, version=version)
    services.version_put_in_force(actor=coordinator, version=version)


def _with_versions(workgroup, coordinator, count: int, name: str) -> Protocol:
    """A protocol with ``count`` versions, each approved and put in force in turn (so as many in-force periods)."""
    version = _version(workgroup, coordinator, questions=3, name=name)
    _approve_and_put_in_force(version, coordinator)
    for _ in range(count - 1):
        version = services.version_new_draft(actor=coordinator, from_version=version)
        _approve_and_put_in_force(version, coordinator)
    return version.protocol


def test_the_protocol_page_costs_the_same_for_3_and_30_versions(client, workgroup, coordinator):
    client.force_login(coordinator)
    small = _with_versions(workgroup, coordinator, 3, "Small")
    large = _with_versions(workgroup, coordinator, 30, "Large")

    few = _count(client, f"{BASE}/protocols/{small.pk}/")
    assert _count(client, f"{BASE}/protocols/{large.pk}/") == few


def _protocols(workgroup, coordinator, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        version = _version(workgroup, coordinator, questions=1, scenarios=1, name=f"Protocol {i:03}")
        if i % 2:
            _approve_and_put_in_force(version, coordinator)
            services.version_new_draft(actor=coordinator, from_version=version)


def test_the_protocol_list_and_the_dashboard_card_cost_the_same_for_3_and_30_protocols(
        client, workgroup, coordinator):
    client.force_login(coordinator)
    membership = Membership.objects.get(user=coordinator, workgroup=workgroup)

    def card_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            dashboard_card(workgroup=workgroup, membership=membership)
        return len(captured)

    _protocols(workgroup, coordinator, 3)
    few = _count(client, f"{BASE}/"), _count(client, f"/w/{workgroup.slug}/"), card_queries()
    _protocols(workgroup, coordinator, 27, start=3)
    assert (_count(client, f"{BASE}/"), _count(client, f"/w/{workgroup.slug}/"), card_queries()) == few


def test_the_protocol_list_is_paginated_and_names_only_the_newest_versions(client, workgroup, coordinator):
    _protocols(workgroup, coordinator, 27)
    many = _with_versions(workgroup, coordinator, 7, "Protocol 000 with versions")  # sorts first
    client.force_login(coordinator)

    first = client.get(f"{BASE}/").content.decode()
    second = client.get(f"{BASE}/?page=2").content.decode()

    assert first.count('data-testid="protocol-card"') == 25 and second.count('data-testid="protocol-card"') == 3
    assert 'data-testid="pagination"' in first
    assert "and 2 earlier versions" in first and f"/protocols/{many.pk}/" in first
    shown = [n for n in range(1, 8) if many.versions.get(number=n).get_absolute_url() in first]
    assert shown == [3, 4, 5, 6, 7]


def test_the_protocol_page_lists_versions_a_page_at_a_time_with_their_periods_in_force(
        client, workgroup, coordinator):
    protocol = _with_versions(workgroup, coordinator, 27, "Long-lived")
    client.force_login(coordinator)

    first = client.get(f"{BASE}/protocols/{protocol.pk}/").content.decode()
    second = client.get(f"{BASE}/protocols/{protocol.pk}/?page=2").content.decode()

    assert first.count(">Version ") == 25 and second.count(">Version ") == 2
    assert "still in force" in first and "still in force" not in second  # the newest version is in force
    assert 'data-testid="pagination"' in first


def test_the_dashboard_card_counts_every_protocol_and_names_the_first_few(workgroup, coordinator):
    membership = Membership.objects.get(user=coordinator, workgroup=workgroup)
    assert dashboard_card(workgroup=workgroup, membership=membership).status == "No triage protocol in force."
    _protocols(workgroup, coordinator, 8)

    card = dashboard_card(workgroup=workgroup, membership=membership)

    assert card.status == "4 of 8 protocols in force."
    drafting, in_force = "none in force; v1 being drafted or reviewed", "v1 in force; v2 being drafted or reviewed"
    assert card.facts == [f"Protocol 000: {drafting}", f"Protocol 001: {in_force}", f"Protocol 002: {drafting}",
                          f"Protocol 003: {in_force}", f"Protocol 004: {drafting}", "and 3 more on the protocol list"]
    assert card.warnings == []
