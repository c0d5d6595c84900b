"""Transfer metrics on hand-computed data: every definition, missing accept times, midnight, DST and empty periods."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from incidents.models import Incident, IncidentStatus
from partners.tests.factories import OrganizationFactory
from triage.models import Direction, TransferKind, TransferResult
from triage.tests.transfer_factories import TransferFactory
from triage.transfers import metrics
from triage.transfers.metrics import format_value, metric_summary, month_bounds

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")
_numbers = count(1)


def local(year, month, day, hour=10, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


def incident(workgroup) -> Incident:
    when = local(2026, 11, 3)
    return Incident.objects.create(workgroup=workgroup, reference=f"INC-2026-{next(_numbers):04d}", category="delay",
                                   incident_class="near_miss", occurred_at=when, discovered_at=when,
                                   narrative="The warm transfer dropped.", status=IncidentStatus.SUBMITTED)


def transfer(workgroup, *, day=5, seconds=None, **fields):
    initiated = local(2026, 11, day)
    if seconds is not None:
        fields["accepted_at"] = initiated + timedelta(seconds=seconds)
    return TransferFactory(workgroup=workgroup, initiated_at=initiated, **fields)


def by_key(results) -> dict:
    return {r.key: r for r in results}


@pytest.fixture
def november(workgroup, other_workgroup):
    """Nine transfers in November 2026, worked out by hand in the test below."""
    past, later = local(2026, 11, 20), timezone.now() + timedelta(days=1)
    done = {"follow_up_outcome": "reached_safe"}
    transfer(workgroup, seconds=30, risk_level_name="High", follow_up_due_at=past,
             follow_up_done_at=past - timedelta(hours=1), **done)
    transfer(workgroup, seconds=60, risk_level_name="High", follow_up_due_at=past,
             follow_up_done_at=past + timedelta(hours=1), **done)
    transfer(workgroup, accepted_at=None, risk_level_name="Low")  # accepted, no accept time recorded
    transfer(workgroup, result=TransferResult.RETURNED, seconds=90)
    transfer(workgroup, result=TransferResult.REFUSED, risk_level_name="Low")
    transfer(workgroup, result=TransferResult.DROPPED, follow_up_due_at=past)  # overdue
    transfer(workgroup, result=TransferResult.CALLER_DISCONNECTED, direction=Direction.FROM_988_TO_911)
    transfer(workgroup, kind=TransferKind.COLD, seconds=10)
    transfer(workgroup, seconds=120, follow_up_due_at=later, incident=incident(workgroup))
    # Not counted: December, and another workgroup's November.
    TransferFactory(workgroup=workgroup, initiated_at=local(2026, 12, 1, 0, 0), risk_level_name="High")
    TransferFactory(workgroup=other_workgroup, initiated_at=local(2026, 11, 5))


def november_summary(workgroup, **kw):
    start, end = month_bounds(date(2026, 11, 1))
    return by_key(metric_summary(workgroup=workgroup, start=start, end=end, **kw))


def test_each_headline_metric_matches_the_hand_computed_figure(workgroup, november):
    found = november_summary(workgroup)

    assert (found["transfers"].value, found["transfers"].population) == (9, 9)
    # Accepted or returned (6) of all but the caller who hung up (8).
    assert (found["acceptance_rate"].value, found["acceptance_rate"].population) == (75.0, 8)
    # Warm transfers with an accept time: 30, 60, 90, 120 s. No accept time and cold are left out.
    assert found["median_seconds_to_accept"].value == pytest.approx(75)
    assert found["median_seconds_to_accept"].population == 4
    assert found["p90_seconds_to_accept"].value == pytest.approx(111)  # 90 + 0.7 × 30
    assert found["dropped_rate"].value == pytest.approx(100 / 9)
    assert found["caller_disconnected_rate"].value == pytest.approx(100 / 9)
    # Due and passed: 3 (the one due tomorrow is not yet counted); done on time: 1; overdue: 1.
    assert (found["follow_up_completion"].value, found["follow_up_completion"].population) == (
        pytest.approx(100 / 3), 3)
    assert found["follow_ups_overdue"].value == 1
    assert found["incidents_per_1000"].value == pytest.approx(1000 / 9)


def test_every_result_names_its_definition_and_unit(workgroup, november):
    for result in november_summary(workgroup).values():
        assert result.definition == metrics.DEFINITIONS_BY_KEY[result.key].text
        assert result.unit and result.name


def test_a_transfer_without_an_accept_time_still_counts_as_accepted(workgroup):
    transfer(workgroup, accepted_at=None)

    found = november_summary(workgroup)

    assert found["acceptance_rate"].value == 100.0
    assert found["median_seconds_to_accept"].value is None and found["median_seconds_to_accept"].population == 0


def test_narrowing_to_a_partner_or_direction_counts_only_theirs(workgroup, november):
    partner = OrganizationFactory(workgroup=workgroup)
    transfer(workgroup, sending_organization=partner, direction=Direction.FROM_988_TO_MOBILE)

    assert november_summary(workgroup, organization=partner)["transfers"].value == 1
    assert november_summary(workgroup, direction=Direction.FROM_988_TO_911)["transfers"].value == 1
    assert november_summary(workgroup, direction=Direction.FROM_911_TO_988)["transfers"].value == 8


def test_a_transfer_across_midnight_takes_a_minute_and_belongs_to_the_day_it_began(workgroup):
    initiated = local(2026, 1, 31, 23, 59) + timedelta(seconds=30)
    TransferFactory(workgroup=workgroup, initiated_at=initiated, accepted_at=initiated + timedelta(seconds=60))
    start, end = month_bounds(date(2026, 1, 1))

    found = by_key(metric_summary(workgroup=workgroup, start=start, end=end))

    assert found["median_seconds_to_accept"].value == pytest.approx(60)
    assert metric_summary(workgroup=workgroup, start=end, end=month_bounds(date(2026, 2, 1))[1])[0].value == 0


def test_an_accept_across_the_spring_clock_change_takes_real_time(workgroup):
    # 01:30 EST and 03:30 EDT on 2026-03-08 are one hour apart: the clocks skip 02:00–03:00.
    initiated = local(2026, 3, 8, 1, 30)
    TransferFactory(workgroup=workgroup, initiated_at=initiated, accepted_at=local(2026, 3, 8, 3, 30))
    start, end = month_bounds(date(2026, 3, 1))

    found = by_key(metric_summary(workgroup=workgroup, start=start, end=end))

    assert found["transfers"].value == 1
    assert found["median_seconds_to_accept"].value == pytest.approx(3600)


def test_a_transfer_late_on_31_october_local_time_is_octobers_though_november_in_utc(workgroup):
    late = local(2026, 10, 31, 23, 30)
    assert late.astimezone(ZoneInfo("UTC")).month == 11
    TransferFactory(workgroup=workgroup, initiated_at=late)
    TransferFactory(workgroup=workgroup, initiated_at=local(2026, 11, 1, 1, 30))  # the repeated hour, November
    start, end = month_bounds(date(2026, 10, 1))[0], month_bounds(date(2026, 11, 1))[1]
    transfers = metrics.transfers_in(workgroup=workgroup, start=start, end=end)

    rows = metrics.volume_by_month(transfers, months=metrics.months_between(start, end))

    assert [(row.month, row.total) for row in rows] == [(date(2026, 10, 1), 1), (date(2026, 11, 1), 1)]
    assert metric_summary(workgroup=workgroup, start=start, end=month_bounds(date(2026, 10, 1))[1])[0].value == 1


def test_an_empty_period_has_no_values_and_they_read_as_a_dash(workgroup):
    found = november_summary(workgroup)

    assert found["transfers"].value == 0
    for key in ("acceptance_rate", "median_seconds_to_accept", "p90_seconds_to_accept",
                "median_seconds_at_911_before_transfer", "dropped_rate", "follow_up_completion", "incidents_per_1000"):
        assert found[key].value is None, key
        assert format_value(found[key].value, found[key].unit) == "—"


def test_time_at_911_counts_only_911_to_988_transfers_with_a_call_received_time(workgroup, november):
    def received(seconds_before, **fields):
        initiated = local(2026, 11, 6)
        return TransferFactory(workgroup=workgroup, initiated_at=initiated,
                               call_received_at=initiated - timedelta(seconds=seconds_before), **fields)

    received(120)
    received(300)
    received(600)
    received(9000, direction=Direction.FROM_988_TO_911)  # not a 911 -> 988 transfer: left out
    # The nine November transfers have no call-received time: left out too.

    found = november_summary(workgroup)["median_seconds_at_911_before_transfer"]

    assert (found.value, found.population) == (pytest.approx(300), 3)
    assert format_value(found.value, found.unit) == "5 min 0 s"


def test_time_at_911_across_the_autumn_clock_change_is_real_time(workgroup):
    # 01:50 EDT, then 01:10 EST after the clocks go back on 2026-11-01: the wall clock reads 40 minutes
    # earlier, but 20 minutes have passed.
    received = datetime(2026, 11, 1, 1, 50, tzinfo=NEW_YORK)
    # In UTC, so the factory's accept time (initiated + 45 s) is not worked out on the wall clock.
    initiated = datetime(2026, 11, 1, 1, 10, tzinfo=NEW_YORK, fold=1).astimezone(ZoneInfo("UTC"))
    TransferFactory(workgroup=workgroup, call_received_at=received, initiated_at=initiated)

    found = november_summary(workgroup)["median_seconds_at_911_before_transfer"]

    assert found.value == pytest.approx(20 * 60)


def test_risk_levels_are_shared_out_with_not_recorded_last(workgroup, november):
    start, end = month_bounds(date(2026, 11, 1))

    shares = metrics.risk_level_shares(metrics.transfers_in(workgroup=workgroup, start=start, end=end))

    assert [(s.label, s.count) for s in shares] == [("High", 2), ("Low", 2), ("Not recorded", 5)]
    assert shares[-1].share == pytest.approx(500 / 9)


def test_transfers_are_counted_per_protocol_version(workgroup, november):
    start, end = month_bounds(date(2026, 11, 1))

    rows = metrics.protocol_version_counts(metrics.transfers_in(workgroup=workgroup, start=start, end=end))

    assert [(r.label, r.count) for r in rows] == [("No protocol version recorded", 9)]


def test_the_python_percentile_matches_percentile_cont():
    assert metrics._percentile([30, 60, 90, 120], 0.5) == 75
    assert metrics._percentile([30, 60, 90, 120], 0.9) == pytest.approx(111)
    assert metrics._percentile([5], 0.9) == 5
    assert metrics._percentile([], 0.5) is None


def test_the_database_percentile_and_python_agree(workgroup, november, monkeypatch):
    in_database = november_summary(workgroup)
    monkeypatch.setattr(metrics, "_uses_percentile_cont", lambda: False)

    in_python = november_summary(workgroup)

    for key in ("median_seconds_to_accept", "p90_seconds_to_accept", "median_seconds_at_911_before_transfer"):
        assert in_database[key].value == pytest.approx(in_python[key].value)
