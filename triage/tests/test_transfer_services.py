"""Recording a transfer: the reason filled in from the workgroup's records, and what is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from partners.tests.factories import OrganizationFactory
from triage.models import Direction, NodeKind, Transfer, TransferResult, TransferSettings
from triage.tests.transfer_factories import approved_version
from triage.transfers import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(workgroup):
    return (OrganizationFactory(workgroup=workgroup, name="Riverbend PSAP"),
            OrganizationFactory(workgroup=workgroup, name="Riverbend 988 Center"))


def _record(actor, workgroup, pair, **extra):
    fields = {"direction": Direction.FROM_911_TO_988, "sending_organization": pair[0],
              "receiving_organization": pair[1], "initiated_at": timezone.now() - timedelta(minutes=30),
              "result": TransferResult.ACCEPTED} | extra
    return services.transfer_create(actor=actor, workgroup=workgroup, **fields)


def test_the_outcome_names_the_version_in_force_its_route_and_risk_level(workgroup, coordinator, pair):
    version = approved_version(workgroup=workgroup, actor=coordinator)
    outcome = version.nodes.filter(kind=NodeKind.OUTCOME, route="988_remote", risk_level__isnull=False).first()
    transfer = _record(coordinator, workgroup, pair, outcome=outcome)
    assert transfer.protocol_version == version
    assert transfer.route == "988_remote"
    assert transfer.risk_level == outcome.risk_level and transfer.risk_level_name == outcome.risk_level.name
    assert transfer.follow_up_due_at == transfer.initiated_at + timedelta(hours=72)


def test_the_only_version_in_force_is_named_without_an_outcome_and_none_before_it(workgroup, coordinator, pair):
    version = approved_version(workgroup=workgroup, actor=coordinator)
    assert _record(coordinator, workgroup, pair).protocol_version == version
    earlier = _record(coordinator, workgroup, pair, initiated_at=timezone.now() - timedelta(days=8))
    assert earlier.protocol_version is None


def test_an_outcome_of_a_version_not_in_force_then_is_refused(workgroup, coordinator, pair):
    version = approved_version(workgroup=workgroup, actor=coordinator)
    outcome = version.nodes.filter(kind=NodeKind.OUTCOME).first()
    with pytest.raises(ValidationError) as exc:
        _record(coordinator, workgroup, pair, outcome=outcome, initiated_at=timezone.now() - timedelta(days=8))
    assert "outcome" in exc.value.message_dict
    assert not Transfer.objects.exists()


def test_the_workgroups_follow_up_window_sets_the_due_time(workgroup, coordinator, pair):
    TransferSettings.objects.create(workgroup=workgroup, follow_up_hours=24)
    transfer = _record(coordinator, workgroup, pair)
    assert transfer.follow_up_due_at == transfer.initiated_at + timedelta(hours=24)


def test_another_workgroups_partner_and_a_transfer_to_itself_are_refused(workgroup, other_workgroup, coordinator,
                                                                          pair):
    theirs = OrganizationFactory(workgroup=other_workgroup)
    with pytest.raises(ValidationError) as exc:
        _record(coordinator, workgroup, (pair[0], theirs))
    assert exc.value.message_dict["receiving_organization"] == [services.MSG_NOT_OURS]
    with pytest.raises(ValidationError) as exc:
        _record(coordinator, workgroup, (pair[0], pair[0]))
    assert exc.value.message_dict["receiving_organization"] == [services.MSG_SAME_PARTNER]
    assert not Transfer.objects.exists()


def test_an_accept_time_on_a_refused_transfer_or_before_initiation_is_refused(workgroup, coordinator, pair):
    start = timezone.now() - timedelta(minutes=30)
    for result, accepted in ((TransferResult.REFUSED, start + timedelta(seconds=20)),
                             (TransferResult.ACCEPTED, start - timedelta(seconds=1))):
        with pytest.raises(ValidationError):
            _record(coordinator, workgroup, pair, initiated_at=start, result=result, accepted_at=accepted)
    assert not Transfer.objects.exists()


def test_a_follow_up_needs_its_outcome_and_closes_the_loop(workgroup, coordinator, pair):
    transfer = _record(coordinator, workgroup, pair)
    with pytest.raises(ValidationError) as exc:
        services.transfer_update(actor=coordinator, transfer=transfer, follow_up_done_at=timezone.now())
    assert exc.value.message_dict["follow_up_outcome"] == [services.MSG_FOLLOW_UP_OUTCOME]
    done = timezone.now()
    services.transfer_record_follow_up(actor=coordinator, transfer=transfer, done_at=done, outcome="reached_safe")
    transfer.refresh_from_db()
    assert (transfer.follow_up_done_at, transfer.follow_up_outcome) == (done, "reached_safe")


def test_the_same_partner_call_id_is_recorded_once(workgroup, coordinator, pair):
    _record(coordinator, workgroup, pair, partner_call_id="CAD-2026-0001")
    assert Transfer.objects.get().source_organization == pair[0]
    with pytest.raises(ValidationError):
        _record(coordinator, workgroup, pair, partner_call_id="CAD-2026-0001")
    assert Transfer.objects.count() == 1


def test_a_viewer_cannot_record_a_transfer(workgroup, viewer, pair):
    with pytest.raises(PermissionDenied):
        _record(viewer, workgroup, pair)
    assert not Transfer.objects.exists()


def test_a_corrected_outcome_brings_its_own_route_and_risk_level(workgroup, coordinator, pair):
    version = approved_version(workgroup=workgroup, actor=coordinator)
    outcomes = version.nodes.filter(kind=NodeKind.OUTCOME, risk_level__isnull=False).order_by("pk")
    first = outcomes.first()
    second = outcomes.exclude(risk_level=first.risk_level).exclude(route=first.route).first()
    transfer = _record(coordinator, workgroup, pair, outcome=first)
    transfer = services.transfer_update(actor=coordinator, transfer=transfer, outcome=second)
    assert (transfer.route, transfer.risk_level, transfer.risk_level_name) == (
        second.route, second.risk_level, second.risk_level.name)
    transfer = services.transfer_update(actor=coordinator, transfer=transfer, outcome=None)
    assert (transfer.route, transfer.risk_level, transfer.risk_level_name) == ("", None, "")
    assert transfer.protocol_version == version  # still the only one in force


def test_an_incident_report_from_a_transfer_needs_a_reporter(workgroup, viewer, coordinator, pair):
    transfer = _record(coordinator, workgroup, pair, result=TransferResult.DROPPED)
    with pytest.raises(PermissionDenied):
        services.transfer_create_incident(actor=viewer, transfer=transfer)
    transfer.refresh_from_db()
    assert transfer.incident is None
