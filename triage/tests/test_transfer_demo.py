"""The demo year of transfers: its size and mix, consistent with the demo protocol, seeded once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F

from incidents.models import Category
from partners.models import TransferLine
from toolkit.models import AuditEvent, Workgroup
from triage.models import InForcePeriod, Transfer, TransferResult
from triage.transfers.demo import INCIDENTS

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    call_command("seed_demo", stdout=StringIO())
    return Workgroup.objects.get(slug="riverbend-county")


def test_a_year_of_about_5000_transfers_with_a_realistic_mix_seeded_once(county):
    transfers = Transfer.objects.filter(workgroup=county)
    total = transfers.count()
    assert 4500 <= total <= 5500
    call_command("seed_demo", stdout=StringIO())
    assert transfers.count() == total
    directions = dict(transfers.values_list("direction").annotate(n=Count("pk")))
    assert directions["911_to_988"] > directions["988_to_mobile"] > directions["988_to_911"] > 0
    assert 0.84 <= transfers.filter(result=TransferResult.ACCEPTED).count() / total <= 0.91
    assert transfers.filter(follow_up_done_at__isnull=True).exists()  # some still open
    assert transfers.filter(follow_up_done_at__gt=F("follow_up_due_at")).exists()  # some late
    assert transfers.filter(follow_up_done_at__lte=F("follow_up_due_at")).count() > total * 0.7
    assert transfers.exclude(outcome=None).count() > total * 0.9
    # A few recent dropped transfers are reported for review, each its own failed-transfer incident.
    linked = transfers.exclude(incident=None)
    assert linked.count() == INCIDENTS
    assert set(linked.values_list("result", flat=True)) == {TransferResult.DROPPED}
    assert set(linked.values_list("incident__category", flat=True)) == {Category.FAILED_TRANSFER}
    assert linked.values("incident").distinct().count() == INCIDENTS
    assert AuditEvent.objects.filter(workgroup=county, object_type="triage.transfer").count() >= total


def test_every_demo_transfers_protocol_version_was_in_force_when_it_was_initiated(county):
    periods = list(InForcePeriod.objects.filter(workgroup=county))
    rows = (Transfer.objects.filter(workgroup=county)
            .values_list("protocol_version", "initiated_at", "outcome__version", "risk_level__version"))
    assert rows.exclude(protocol_version=None).count() == rows.count()
    for version_id, initiated_at, outcome_version, risk_version in rows:
        assert any(p.version_id == version_id and p.started_at <= initiated_at
                   and (p.ended_at is None or p.ended_at > initiated_at) for p in periods)
        assert outcome_version in (None, version_id) and risk_version in (None, version_id)
    # Lines dialled are the receiver's own (when the routing directory's demo has lines at all).
    transfers = Transfer.objects.filter(workgroup=county)
    assert not transfers.exclude(line=None).exclude(line__organization=F("receiving_organization")).exists()
    if TransferLine.objects.filter(workgroup=county).exists():
        assert transfers.exclude(line=None).exists()
