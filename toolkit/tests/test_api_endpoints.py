"""What the API's endpoints take and answer, through a write key of the workgroup."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents.models import Incident, SubmittedVia
from partners.tests.factories import OrganizationFactory
from toolkit.tests.api_helpers import call, make_key
from triage.models import NodeKind, Transfer, TransferSource
from triage.tests.transfer_factories import TransferFactory, approved_version

pytestmark = pytest.mark.django_db

TRANSFERS = "/api/v1/transfers/"


@pytest.fixture
def key(workgroup, coordinator):
    return make_key(workgroup, coordinator)[1]


@pytest.fixture
def pair(workgroup):
    return (OrganizationFactory(workgroup=workgroup, name="Riverbend PSAP"),
            OrganizationFactory(workgroup=workgroup, name="Riverbend 988 Center"))


def _body(pair, **extra) -> dict:
    start = timezone.now() - timedelta(hours=1)
    return {"direction": "911_to_988", "sending_organization": pair[0].pk, "receiving_organization": pair[1].pk,
            "partner_call_id": "CAD-2026-0001", "initiated_at": start.isoformat(),
            "accepted_at": (start + timedelta(seconds=40)).isoformat(), "result": "accepted"} | extra


def test_a_transfer_is_recorded_with_the_reason_filled_in(workgroup, coordinator, key, pair):
    version = approved_version(workgroup=workgroup, actor=coordinator)
    outcome = version.nodes.filter(kind=NodeKind.OUTCOME, risk_level__isnull=False).first()
    response = call("POST", TRANSFERS, key, _body(pair, outcome=outcome.pk))
    assert response.status_code == 201, response.json()
    data = response.json()
    transfer = Transfer.objects.get(pk=data["id"])
    assert transfer.source == TransferSource.API and transfer.created_by is None
    assert data["protocol_version"] == version.pk and data["route"] == outcome.route
    assert data["risk_level"] == outcome.risk_level_id and data["follow_up_due_at"]
    assert data["source"] == "api"


def test_the_same_partner_call_id_again_returns_the_first_record_unchanged(key, pair):
    first = call("POST", TRANSFERS, key, _body(pair))
    again = call("POST", TRANSFERS, key, _body(pair, result="dropped", accepted_at=None))
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and again.json()["result"] == "accepted"
    assert Transfer.objects.count() == 1
    # Another partner's call with the same number is another transfer.
    other = call("POST", TRANSFERS, key, _body((pair[1], pair[0])))
    assert other.status_code == 201 and Transfer.objects.count() == 2


def test_validation_errors_are_structured_per_field(key, pair):
    response = call("POST", TRANSFERS, key, _body(pair, direction="sideways", initiated_at="2026-03-01T14:05:00",
                                                  receiving_organization=pair[0].pk, result=None))
    assert response.status_code == 400
    data = response.json()
    assert data["detail"] == "The request has problems: see errors."
    assert set(data["errors"]) == {"direction", "initiated_at", "result"}
    assert "UTC offset" in data["errors"]["initiated_at"][0]
    assert all(isinstance(messages, list) for messages in data["errors"].values())


def test_the_services_own_checks_come_back_per_field(key, pair):
    response = call("POST", TRANSFERS, key, _body(pair, receiving_organization=pair[0].pk))
    assert response.status_code == 400
    assert "different receiving organization" in response.json()["errors"]["receiving_organization"][0]


def test_an_empty_or_non_object_body_is_a_400_not_a_crash(key):
    assert call("POST", TRANSFERS, key, {}).status_code == 400
    from django.test import Client
    response = Client().post(TRANSFERS, "[1, 2]", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 400 and response.json()["errors"]
    broken = Client().post(TRANSFERS, "{nope", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert broken.status_code == 400 and "JSON parse error" in broken.json()["detail"]


def test_the_list_is_cursor_paginated_newest_first_in_a_fixed_number_of_queries(workgroup, key):
    now = timezone.now()
    for hours in range(3):
        TransferFactory(workgroup=workgroup, initiated_at=now - timedelta(hours=hours + 1))
    page = call("GET", TRANSFERS, key, page_size=2).json()
    assert [t["initiated_at"] for t in page["results"]] == sorted((t["initiated_at"] for t in page["results"]),
                                                                   reverse=True)
    assert page["next"] and page["previous"] is None
    rest = call("GET", page["next"], key).json()
    assert len(rest["results"]) == 1

    def queries(size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert call("GET", TRANSFERS, key, page_size=size).status_code == 200
        return len(captured)

    assert queries(1) == queries(3)


def test_an_incident_is_reported_without_a_user_naming_the_key(workgroup, coordinator, pair):
    token, key = make_key(workgroup, coordinator, name="Metro CAD")
    start = timezone.now() - timedelta(hours=3)
    response = call("POST", "/api/v1/incidents/", key, {
        "incident_class": "no_harm", "category": "failed_transfer", "occurred_at": start.isoformat(),
        "discovered_at": (start + timedelta(minutes=20)).isoformat(), "narrative": "The transfer rang out.",
        "organizations": [pair[0].pk, pair[1].pk],
    })
    assert response.status_code == 201, response.json()
    incident = Incident.objects.get(pk=response.json()["id"])
    assert response.json()["reference"].startswith("INC-") and response.json()["status"] == "submitted"
    assert incident.reported_by is None and incident.submitted_via == SubmittedVia.API
    assert "Metro CAD" in incident.reporter_name
    assert set(incident.organizations.all()) == set(pair)


def test_an_incident_noticed_before_it_happened_is_refused_per_field(key):
    now = timezone.now()
    response = call("POST", "/api/v1/incidents/", key, {
        "incident_class": "near_miss", "category": "delay", "occurred_at": now.isoformat(),
        "discovered_at": (now - timedelta(hours=1)).isoformat(), "narrative": "Late.",
    })
    assert response.status_code == 400
    assert "before it happened" in response.json()["errors"]["discovered_at"][0]
    assert not Incident.objects.exists()


def test_protocols_list_the_version_in_force_with_levels_and_outcomes(workgroup, coordinator, key):
    version = approved_version(workgroup=workgroup, actor=coordinator)
    data = call("GET", "/api/v1/protocols/", key).json()
    [protocol] = data["results"]
    assert protocol["name"] == "County crisis calls"
    assert protocol["version_in_force"]["id"] == version.pk
    assert {level["key"] for level in protocol["version_in_force"]["risk_levels"]} == set(
        version.risk_levels.values_list("key", flat=True))
    outcomes = protocol["version_in_force"]["outcomes"]
    assert outcomes and all(o["route"] for o in outcomes)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            call("GET", "/api/v1/protocols/", key)
        return len(captured)

    few = queries()
    approved_version(workgroup=workgroup, actor=coordinator, name="Youth line")
    assert queries() == few


def test_a_protocol_without_a_version_in_force_says_so(workgroup, coordinator, key):
    from triage import services
    services.protocol_create(actor=coordinator, workgroup=workgroup, name="Draft only")
    [protocol] = call("GET", "/api/v1/protocols/", key).json()["results"]
    assert protocol["version_in_force"] is None and protocol["in_force_since"] is None


def test_a_protocols_tree_has_its_nodes_and_options(workgroup, coordinator, key):
    version = approved_version(workgroup=workgroup, actor=coordinator)
    data = call("GET", f"/api/v1/protocols/{version.protocol_id}/", key).json()
    tree = data["version_in_force"]
    assert len(tree["nodes"]) == version.nodes.count()
    assert tree["nodes"][0]["is_root"]
    assert any(node["options"] for node in tree["nodes"])
    assert tree["risk_levels"]
    assert call("GET", "/api/v1/protocols/999999/", key).status_code == 404


def test_metrics_are_de_identified_counts_for_the_period(workgroup, key):
    TransferFactory(workgroup=workgroup, partner_call_id="CAD-SECRET-9")
    response = call("GET", "/api/v1/metrics/", key)
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["end"] == timezone.localdate().isoformat()
    by_key = {metric["key"]: metric for metric in data["metrics"]}
    assert by_key["transfers"]["value"] == 1
    assert {"name", "definition", "unit", "population"} <= set(by_key["transfers"])
    assert "CAD-SECRET-9" not in response.content.decode()
    empty = call("GET", "/api/v1/metrics/", key, start="2020-01-01", end="2020-01-31", direction="988_to_911")
    assert {metric["key"]: metric for metric in empty.json()["metrics"]}["transfers"]["value"] == 0


def test_metrics_refuse_a_backwards_period_and_unknown_filters(workgroup, other_workgroup, key):
    response = call("GET", "/api/v1/metrics/", key, start="2026-02-01", end="2026-01-01")
    assert response.status_code == 400 and "end" in response.json()["errors"]
    elsewhere = OrganizationFactory(workgroup=other_workgroup)
    response = call("GET", "/api/v1/metrics/", key, organization=elsewhere.pk, direction="up")
    assert set(response.json()["errors"]) == {"organization", "direction"}
