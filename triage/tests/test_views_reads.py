"""Reads never write: opening every triage URL changes no row (triage creates nothing on the way to a page)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Max
from django.urls import URLPattern, reverse

from partners.tests.factories import OrganizationFactory
from toolkit.models import AuditEvent
from triage import services, urls
from triage.defaults import EXAMPLE_SCENARIOS
from triage.models import (
    Approval,
    Criterion,
    InForcePeriod,
    Node,
    Option,
    Protocol,
    ProtocolVersion,
    RiskLevel,
    SafetyRule,
    Scenario,
    Signatory,
)

pytestmark = pytest.mark.django_db

MODELS = (Protocol, ProtocolVersion, RiskLevel, Criterion, Node, Option, Scenario, SafetyRule, Signatory, Approval,
          InForcePeriod)


def _state() -> dict:
    state = {"audit events": AuditEvent.objects.count()}
    for model in MODELS:
        state[model.__name__] = (model.objects.count(), model.objects.aggregate(m=Max("updated_at"))["m"],
                                 model.history.model.objects.count())
    return state


def _arguments(workgroup, coordinator) -> list[dict]:
    """URL arguments for an approved version in force and for a draft (the editing pages)."""
    v1 = services.protocol_create(actor=coordinator, workgroup=workgroup, name="County",
                                  scenarios=EXAMPLE_SCENARIOS).versions.get()
    partner = OrganizationFactory(workgroup=workgroup)
    services.signatory_add(actor=coordinator, version=v1, organization=partner)
    services.version_submit(actor=coordinator, version=v1)
    services.approval_record(actor=coordinator, version=v1, organization=partner, approved_on=date(2025, 3, 1),
                             approver_name="Dana Ortiz")
    services.version_approve(actor=coordinator, version=v1)
    services.version_put_in_force(actor=coordinator, version=v1)
    draft = services.version_new_draft(actor=coordinator, from_version=v1)
    arguments = []
    for version in (v1, draft):
        node = version.nodes.filter(kind="question").first()
        arguments.append({
            "protocol_id": version.protocol_id, "protocol_version_id": version.pk, "node_id": node.pk,
            "option_id": node.options.first().pk, "risk_level_id": version.risk_levels.first().pk,
            "scenario_id": version.scenarios.first().pk, "rule_id": version.rules.first().pk,
            "signatory_id": version.signatories.first().pk, "criterion_id": version.criteria.first().pk,
        })
    return arguments


def test_opening_every_triage_url_changes_no_row(client, workgroup, coordinator):
    arguments = _arguments(workgroup, coordinator)
    client.force_login(coordinator)
    before = _state()
    opened = 0

    for pattern in urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        for values in arguments:
            kwargs = {"slug": workgroup.slug} | {name: values[name] for name in pattern.pattern.converters}
            response = client.get(reverse(f"triage:{pattern.name}", kwargs=kwargs))
            assert response.status_code in (200, 302, 405), (pattern.name, response.status_code)
            opened += 1

    assert opened == 2 * len(urls.urlpatterns)
    assert _state() == before
