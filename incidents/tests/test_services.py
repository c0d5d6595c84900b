"""Reporting an incident: references, the protocol then in force, and what a report refuses."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from incidents import services
from incidents.models import Category, Incident, IncidentClass, IncidentStatus
from partners.tests.factories import OrganizationFactory
from toolkit.models import AuditEvent
from triage import services as triage_services
from triage.defaults import EXAMPLE_SCENARIOS

pytestmark = pytest.mark.django_db


def report(actor, workgroup, **overrides):
    now = timezone.now()
    values = dict(incident_class=IncidentClass.NEAR_MISS, category=Category.DELAY,
                  occurred_at=now - timedelta(hours=3), discovered_at=now - timedelta(hours=2),
                  narrative="The transfer line rang out twice before the counselor answered.")
    values.update(overrides)
    return services.incident_report(actor=actor, workgroup=workgroup, **values)


def in_force(workgroup, coordinator, name="County triage"):
    version = triage_services.protocol_create(actor=coordinator, workgroup=workgroup, name=name,
                                              scenarios=EXAMPLE_SCENARIOS).versions.get()
    partner = OrganizationFactory(workgroup=workgroup)
    triage_services.signatory_add(actor=coordinator, version=version, organization=partner)
    triage_services.version_submit(actor=coordinator, version=version)
    triage_services.approval_record(actor=coordinator, version=version, organization=partner,
                                    approved_on=date(2025, 3, 1), approver_name="Dana Ortiz")
    triage_services.version_approve(actor=coordinator, version=version)
    triage_services.version_put_in_force(actor=coordinator, version=version)
    return version


def test_references_count_up_in_each_workgroup_each_year(member, workgroup, other_workgroup, outsider):
    first, second = report(member, workgroup), report(member, workgroup)
    elsewhere = report(outsider, other_workgroup)
    year = timezone.localdate().year

    assert (first.reference, second.reference) == (f"INC-{year}-0001", f"INC-{year}-0002")
    assert elsewhere.reference == f"INC-{year}-0001"
    assert first.status == IncidentStatus.SUBMITTED and first.reported_by == member


def test_a_new_year_starts_at_one(member, workgroup, monkeypatch):
    report(member, workgroup)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2031, 1, 1))
    assert report(member, workgroup).reference == "INC-2031-0001"


def test_the_protocol_version_in_force_when_it_happened_is_filled_in_with_its_risk_level(
    coordinator, member, workgroup
):
    version = in_force(workgroup, coordinator)
    period_start = version.in_force_periods.get().started_at

    incident = report(member, workgroup, occurred_at=period_start + timedelta(seconds=1),
                      discovered_at=period_start + timedelta(minutes=1), risk_level="Moderate")
    before = report(member, workgroup, occurred_at=period_start - timedelta(days=1),
                    discovered_at=period_start - timedelta(hours=1))

    assert incident.protocol_version == version and incident.risk_level == "Moderate"
    assert before.protocol_version is None


def test_a_risk_level_the_protocol_does_not_have_or_a_version_not_in_force_is_refused(coordinator, member, workgroup):
    version = in_force(workgroup, coordinator)
    with pytest.raises(ValidationError) as refused:
        report(member, workgroup, risk_level="Catastrophic")
    assert "risk_level" in refused.value.message_dict
    draft = triage_services.version_new_draft(actor=coordinator, from_version=version)
    with pytest.raises(ValidationError) as refused:
        report(member, workgroup, protocol_version=draft)
    assert "not in force" in str(refused.value)
    assert not Incident.objects.exists()


@pytest.mark.parametrize(("occurred", "discovered", "field"), [
    (timedelta(hours=1), timedelta(hours=2), "occurred_at"),  # both in the future
    (-timedelta(hours=1), -timedelta(hours=2), "discovered_at"),  # noticed before it happened
])
def test_impossible_times_are_refused_naming_the_field(member, workgroup, occurred, discovered, field):
    now = timezone.now()
    with pytest.raises(ValidationError) as refused:
        report(member, workgroup, occurred_at=now + occurred, discovered_at=now + discovered)
    assert field in refused.value.message_dict
    assert not Incident.objects.exists()


def test_organizations_of_another_workgroup_are_refused(member, workgroup, other_workgroup):
    with pytest.raises(ValidationError) as refused:
        report(member, workgroup, organizations=[OrganizationFactory(workgroup=other_workgroup)])
    assert "organizations" in refused.value.message_dict


def test_organizations_involved_are_kept(member, workgroup):
    line, psap = OrganizationFactory(workgroup=workgroup), OrganizationFactory(workgroup=workgroup)
    assert set(report(member, workgroup, organizations=[line, psap]).organizations.all()) == {line, psap}


def test_viewers_and_outsiders_cannot_report(viewer, outsider, workgroup):
    for person in (viewer, outsider):
        with pytest.raises(PermissionDenied):
            report(person, workgroup)
    assert not Incident.objects.exists()


def test_a_narrative_with_characters_no_document_can_hold_is_refused(member, workgroup):
    with pytest.raises(ValidationError) as refused:
        report(member, workgroup, narrative="Caller hung up\x1b and called back")
    assert "narrative" in refused.value.message_dict


def test_a_report_is_in_the_audit_trail(member, workgroup):
    incident = report(member, workgroup)
    event = AuditEvent.objects.get(workgroup=workgroup, object_type="incidents.incident", object_id=str(incident.pk))
    assert event.action == "created" and event.actor == member


def test_reports_of_a_deleted_workgroup_go_with_it(member, workgroup):
    from toolkit.models import User
    from toolkit.services import workgroup_delete_permanently

    report(member, workgroup)
    staff = User.objects.create_user(email="staff@example.org", password="x" * 12, is_staff=True)
    workgroup_delete_permanently(actor=staff, workgroup=workgroup)
    assert not Incident.objects.exists()
