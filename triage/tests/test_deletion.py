"""Deleting works: a workgroup takes all its protocols with it; people can be deleted; a version in force stays."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import RestrictedError

from partners.tests.factories import OrganizationFactory
from toolkit.models import Role
from toolkit.services.deletion import user_delete, workgroup_delete_permanently
from toolkit.tests.factories import MembershipFactory, UserFactory
from triage import services
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


def _in_force_with_a_new_draft(workgroup, coordinator, name="County triage") -> ProtocolVersion:
    """What the demo seeds: v1 approved by partners and in force, v2 a draft copied from it.

    The approving organizations have since left the partner map (their signatory rows and approvals keep the
    names), so the deletions below exercise triage's rows, not the partner map's own (the partners app tests
    those).
    """
    v1 = services.protocol_create(actor=coordinator, workgroup=workgroup, name=name,
                                  scenarios=EXAMPLE_SCENARIOS).versions.get()
    organizations = [OrganizationFactory(workgroup=workgroup, name=f"{name} {partner}")
                     for partner in ("988 Center", "911 Center")]
    for organization in organizations:
        services.signatory_add(actor=coordinator, version=v1, organization=organization)
    services.version_submit(actor=coordinator, version=v1)
    for organization in organizations:
        services.approval_record(actor=coordinator, version=v1, organization=organization,
                                 approved_on=date(2025, 3, 1), approver_name="Dana Ortiz")
        organization.delete()
    services.version_approve(actor=coordinator, version=v1)
    services.version_put_in_force(actor=coordinator, version=v1)
    services.version_new_draft(actor=coordinator, from_version=v1, change_summary="Youth questions")
    return v1


def _rows(workgroup_id: int) -> dict[str, int]:
    counts = {}
    for model in MODELS:
        counts[model.__name__] = model.objects.filter(workgroup_id=workgroup_id).count()
        counts[f"{model.__name__} history"] = model.history.model.objects.filter(workgroup_id=workgroup_id).count()
    return counts


def test_deleting_a_workgroup_takes_every_triage_row_and_its_history_and_leaves_the_other(
        workgroup, coordinator, other_workgroup, outsider):
    _in_force_with_a_new_draft(workgroup, coordinator)
    _in_force_with_a_new_draft(other_workgroup, outsider, name="Elsewhere")
    theirs = _rows(other_workgroup.pk)
    staff = UserFactory(email="staff@example.org", is_staff=True)

    workgroup_delete_permanently(actor=staff, workgroup=workgroup)

    assert set(_rows(workgroup.pk).values()) == {0}
    assert _rows(other_workgroup.pk) == theirs


def test_deleting_a_protocol_takes_its_versions_and_periods(workgroup, coordinator):
    v1 = _in_force_with_a_new_draft(workgroup, coordinator)

    v1.protocol.delete()

    assert not any(model.objects.exists() for model in MODELS)


def test_an_approval_keeps_the_name_of_an_organization_that_left_the_partner_map(workgroup, coordinator):
    v1 = _in_force_with_a_new_draft(workgroup, coordinator)

    assert sorted(v1.approvals.values_list("organization", "organization_name")) == [
        (None, "County triage 911 Center"), (None, "County triage 988 Center")]
    assert sorted(v1.signatories.values_list("organization", "organization_name")) == [
        (None, "County triage 911 Center"), (None, "County triage 988 Center")]


def test_a_version_that_was_in_force_cannot_be_deleted_on_its_own(workgroup, coordinator):
    v1 = _in_force_with_a_new_draft(workgroup, coordinator)

    with pytest.raises(RestrictedError):
        v1.delete()

    assert InForcePeriod.objects.filter(version=v1).exists()


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.MEMBER])
def test_deleting_the_people_who_wrote_approved_and_put_in_force_keeps_the_protocol(workgroup, coordinator, role):
    person = coordinator
    if role == Role.MEMBER:
        person = UserFactory(email="member@riverbend.test")
        MembershipFactory(user=person, workgroup=workgroup, role=Role.MEMBER)
        v1 = services.protocol_create(actor=person, workgroup=workgroup, name="Member's").versions.get()
    else:
        v1 = _in_force_with_a_new_draft(workgroup, coordinator)
    staff = UserFactory(email="staff@example.org", is_staff=True)
    before = {model.__name__: model.objects.count() for model in MODELS}

    user_delete(actor=staff, user=person, force=True)

    assert {model.__name__: model.objects.count() for model in MODELS} == before
    v1.refresh_from_db()
    assert v1.created_by is None
    assert not Approval.objects.filter(recorded_by__isnull=False).exists()
    assert not InForcePeriod.objects.filter(started_by__isnull=False).exists()
