"""The demo county's triage protocol: v1 approved by named partners and in force, v2 a draft."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from toolkit.models import Workgroup
from triage import engine
from triage.defaults import DEFAULT_RULES, EXAMPLE_SCENARIOS
from triage.models import Approval, Protocol, VersionStatus
from triage.selectors import scenario_results, tree_for_version, version_in_force_at


def test_seed_demo_has_an_approved_protocol_in_force_and_a_draft_and_is_idempotent(db):
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())

    county = Workgroup.objects.get(slug="riverbend-county")
    protocol = Protocol.objects.get(workgroup=county)
    v1, v2 = protocol.versions.order_by("number")
    assert (v1.status, v2.status) == (VersionStatus.APPROVED, VersionStatus.DRAFT)
    assert version_in_force_at(workgroup=county, when=timezone.now()) == [v1]
    assert Approval.objects.filter(version=v1).count() == 4
    tree = tree_for_version(v1)
    assert sum(1 for n in tree.nodes.values() if n.kind == engine.QUESTION) >= 12
    assert [level.name for level in tree.risk_levels] == ["Low", "Mild", "Moderate", "Higher"]
    results = scenario_results(version=v1)
    assert len(results) == len(EXAMPLE_SCENARIOS) and all(r.passed for r in results)
    assert engine.errors_of(engine.validate(tree)) == []
    assert {line for line, _ in tree.entries} == {"911", "988"}
    assert len(tree.rules) == len(DEFAULT_RULES) and engine.breaches(tree) == []
    # Every partner listed to sign v1 approved it, by name; v2 keeps the same list.
    assert set(v1.signatories.values_list("organization_name", flat=True)) == set(
        Approval.objects.filter(version=v1, decision="approved").exclude(approver_name="")
        .values_list("organization_name", flat=True))
    assert v2.signatories.count() == v1.signatories.count() == 4
