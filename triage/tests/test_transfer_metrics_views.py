"""The metrics page, the definitions page, the dashboard card and the monthly report: who sees what, what they
read, suppression of small counts, and queries that do not grow with the rows."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents.exports import HIDDEN, SUPPRESSED
from incidents.models import IncidentSettings
from partners.tests.factories import OrganizationFactory
from toolkit.models import AuditAction, AuditEvent, Job
from triage.models import Direction, TransferResult
from triage.tests.transfer_factories import TransferFactory
from triage.transfers import cards, metrics, reports

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")


def url(name: str, workgroup, **query) -> str:
    path = reverse(f"transfers:{name}", kwargs={"slug": workgroup.slug})
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def sharing(workgroup, level="deidentified"):
    IncidentSettings.objects.update_or_create(workgroup=workgroup, defaults={"export_level": level})


def last_month() -> date:
    return metrics.add_months(timezone.localdate().replace(day=1), -1)


def in_last_month(day=3, hour=10) -> datetime:
    return datetime.combine(last_month().replace(day=day), datetime.min.time(), tzinfo=NEW_YORK) + timedelta(hours=hour)


# --- The metrics page --------------------------------------------------------------------------


def test_everyone_in_the_workgroup_reads_the_figures_with_their_population(client, workgroup, viewer):
    TransferFactory.create_batch(3, workgroup=workgroup, initiated_at=timezone.now() - timedelta(minutes=5))
    TransferFactory(workgroup=workgroup, initiated_at=timezone.now() - timedelta(minutes=5),
                    result=TransferResult.REFUSED)
    client.force_login(viewer)

    response = client.get(url("metrics", workgroup))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="metric-transfers">4<' in html
    assert 'data-testid="metric-acceptance_rate">75.0%<' in html and "of 4 transfers" in html
    assert "<svg" in html and "<title>Transfers by month</title>" in html
    assert 'data-testid="table-direction"' in html


def test_an_empty_period_reads_as_dashes_not_zero_percent(client, workgroup, viewer):
    client.force_login(viewer)

    html = client.get(url("metrics", workgroup)).content.decode()

    assert 'data-testid="metrics-empty"' in html
    assert 'data-testid="metric-acceptance_rate">—<' in html and "0.0%" not in html


def test_bad_filters_say_so_and_the_defaults_are_used(client, workgroup, viewer):
    TransferFactory(workgroup=workgroup, initiated_at=timezone.now() - timedelta(minutes=5))
    client.force_login(viewer)

    response = client.get(url("metrics", workgroup, period="custom", start="2026-05-01", end="2026-01-01",
                              direction="sideways"))

    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any("defaults are shown" in m for m in shown)
    assert response.context["chosen"].direction == "" and response.context["summary"][0].value == 1


def test_a_custom_period_and_a_partner_narrow_the_count(client, workgroup, viewer):
    partner = OrganizationFactory(workgroup=workgroup, name="Lakeside 988")
    TransferFactory(workgroup=workgroup, initiated_at=datetime(2026, 2, 10, 9, tzinfo=NEW_YORK),
                    receiving_organization=partner, direction=Direction.FROM_911_TO_988)
    TransferFactory(workgroup=workgroup, initiated_at=datetime(2026, 2, 11, 9, tzinfo=NEW_YORK))
    client.force_login(viewer)

    response = client.get(url("metrics", workgroup, period="custom", start="2026-02-01", end="2026-02-28",
                              organization=partner.pk))

    assert response.context["summary"][0].value == 1
    assert "Lakeside 988" in response.content.decode()


def test_outsiders_get_404_and_strangers_go_to_sign_in(client, workgroup, outsider):
    assert client.get(url("metrics", workgroup)).status_code == 302
    client.force_login(outsider)
    for name in ("metrics", "definitions", "report", "report-csv"):
        assert client.get(url(name, workgroup)).status_code == 404, name


def _queries(client, workgroup) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url("metrics", workgroup, period="12")).status_code == 200
    return len(ctx.captured_queries)


def test_the_page_costs_the_same_queries_for_1_or_40_transfers(client, workgroup, viewer):
    client.force_login(viewer)
    TransferFactory(workgroup=workgroup, initiated_at=timezone.now() - timedelta(days=1), risk_level_name="High")
    one = _queries(client, workgroup)
    for i in range(39):
        TransferFactory(workgroup=workgroup, initiated_at=timezone.now() - timedelta(days=9 * i),
                        risk_level_name=f"Level {i % 4}", direction=Direction.values[i % 5],
                        result=TransferResult.values[i % 5])

    assert _queries(client, workgroup) == one


def test_the_definitions_page_lists_every_definition(client, workgroup, viewer):
    client.force_login(viewer)

    html = client.get(url("definitions", workgroup)).content.decode()

    for definition in metrics.DEFINITIONS:
        assert definition.name in html
    assert "A caller hanging up is not a dropped transfer" in html


# --- The dashboard card -------------------------------------------------------------------------


def test_the_card_gives_this_months_count_acceptance_and_overdue_follow_ups_in_three_queries(
    workgroup, coordinator, django_assert_num_queries
):
    now = timezone.now()
    TransferFactory(workgroup=workgroup, initiated_at=now - timedelta(minutes=3))
    TransferFactory(workgroup=workgroup, initiated_at=now - timedelta(minutes=2), result=TransferResult.REFUSED,
                    follow_up_due_at=now - timedelta(minutes=1))
    membership = coordinator.memberships.get()

    with django_assert_num_queries(3):
        card = cards.dashboard_card(workgroup=workgroup, membership=membership)

    assert card.status == "2 transfers recorded."
    assert card.facts[0] == "2 transfers this month"
    assert "50.0%" in card.facts[1] and card.facts[2] == "Follow-ups overdue: 1"
    assert card.warnings == ["1 follow-up is past due."]
    assert card.start_url == url("metrics", workgroup)


def test_the_card_counts_all_transfers_and_overdue_follow_ups_only_up_to_a_cap_in_the_same_queries(
    workgroup, coordinator, monkeypatch
):
    monkeypatch.setattr(cards, "COUNT_CAP", 3)
    monkeypatch.setattr(cards, "OVERDUE_CAP", 2)
    membership = coordinator.memberships.get()
    past = timezone.now() - timedelta(days=40)

    def card_and_queries():
        with CaptureQueriesContext(connection) as ctx:
            card = cards.dashboard_card(workgroup=workgroup, membership=membership)
        return card, len(ctx.captured_queries)

    TransferFactory(workgroup=workgroup, initiated_at=past, follow_up_due_at=past)
    one, one_queries = card_and_queries()
    TransferFactory.create_batch(4, workgroup=workgroup, initiated_at=past, follow_up_due_at=past)
    many, many_queries = card_and_queries()

    assert one.status == "1 transfer recorded." and one.facts[2] == "Follow-ups overdue: 1"
    assert many.status == "More than 3 transfers recorded."
    assert many.facts[2] == "Follow-ups overdue: more than 2"
    assert many.warnings == ["More than 2 follow-ups are past due."]
    assert many_queries == one_queries == 3


# --- The monthly report ------------------------------------------------------------------------


def test_small_cells_are_suppressed_and_a_complementary_cell_too():
    counts = {("a", "n"): 3, ("b", "n"): 40, ("c", "n"): 25, ("total", "n"): 68}

    shown = reports.suppress_grid(counts, [list(counts)])

    assert shown[("a", "n")] == SUPPRESSED
    assert shown[("c", "n")] == HIDDEN  # else 68 − 40 − 25 gives the 3 away
    assert shown[("b", "n")] == 40 and shown[("total", "n")] == 68


def test_suppression_spreads_until_no_line_has_one_hidden_cell():
    # Rows a, b (parts x, y add up to t) and a total row: hiding a/x forces a/y, then b/y or total/y, ...
    counts = {("a", "x"): 2, ("a", "y"): 30, ("a", "t"): 32, ("b", "x"): 20, ("b", "y"): 50, ("b", "t"): 70,
              ("T", "x"): 22, ("T", "y"): 80, ("T", "t"): 102}
    lines = [[(r, c) for c in "xyt"] for r in ("a", "b", "T")] + [[(r, c) for r in ("a", "b", "T")] for c in "xyt"]

    shown = reports.suppress_grid(counts, lines)

    hidden = {cell for cell, value in shown.items() if not isinstance(value, int)}
    for line in lines:
        assert sum(cell in hidden for cell in line) != 1, line


def test_the_monthly_report_hides_a_direction_with_three_transfers(workgroup):
    sender, receiver = OrganizationFactory(workgroup=workgroup), OrganizationFactory(workgroup=workgroup)
    TransferFactory.create_batch(30, workgroup=workgroup, initiated_at=in_last_month(), sending_organization=sender,
                                 receiving_organization=receiver)
    TransferFactory.create_batch(3, workgroup=workgroup, initiated_at=in_last_month(),
                                 direction=Direction.FROM_988_TO_911, sending_organization=receiver,
                                 receiving_organization=sender)

    report = reports.monthly_report(workgroup=workgroup, month=last_month())

    by_direction = dict(report.tables[0].rows)
    assert by_direction["988 → 911"][0] == SUPPRESSED
    assert by_direction["911 → 988"][0] == HIDDEN  # the total (33) would give the 3 away
    assert by_direction["988 → 911"][5] == HIDDEN  # no rate in a row with a hidden count
    assert by_direction["All transfers"][0] == 33


def test_the_monthly_report_shares_times_only_over_more_than_ten_transfers(workgroup):
    sender, receiver = OrganizationFactory(workgroup=workgroup), OrganizationFactory(workgroup=workgroup)
    for n in range(12):  # twelve warm 911 -> 988 transfers accepted after 30, 40 ... 140 seconds
        initiated = in_last_month()
        TransferFactory(workgroup=workgroup, initiated_at=initiated, sending_organization=sender,
                        receiving_organization=receiver, accepted_at=initiated + timedelta(seconds=30 + 10 * n),
                        call_received_at=initiated - timedelta(minutes=5) if n < 4 else None)

    report = reports.monthly_report(workgroup=workgroup, month=last_month())

    times = {table.title: dict(table.rows) for table in report.tables}["Times"]
    assert times["Median time to accept"] == ["1 min 25 s", 12]  # halfway between 80 and 90 s
    assert times["90th percentile of time to accept"][1] == 12
    # Only four had a call-received time: too few to share a time over.
    assert times["Median time at 911 before a transfer to 988"] == [HIDDEN, SUPPRESSED]


def test_the_report_is_refused_when_the_workgroup_shares_nothing(client, workgroup, coordinator):
    client.force_login(coordinator)

    page = client.get(url("report", workgroup))
    posted = client.post(url("report", workgroup), {"month": f"{last_month():%Y-%m}"})
    download = client.get(url("report-csv", workgroup, month=f"{last_month():%Y-%m}"), follow=True)

    assert 'data-testid="report-refused"' in page.content.decode()
    assert reverse("incidents:data-sharing", kwargs={"slug": workgroup.slug}) in page.content.decode()
    assert posted.status_code == 200 and not Job.objects.exists()
    assert "shares no post-response data" in download.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED).exists()


def test_qa_starts_the_pdf_job_and_lands_on_it(client, workgroup, qa_reviewer):
    sharing(workgroup)
    client.force_login(qa_reviewer)

    response = client.post(url("report", workgroup), {"month": f"{last_month():%Y-%m}"})

    job = Job.objects.get(workgroup=workgroup)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.kind == reports.MONTHLY_REPORT and job.params == {"month": f"{last_month():%Y-%m}"}


def test_the_csv_download_is_neutralised_and_audited(client, workgroup, coordinator):
    sharing(workgroup)
    sender = OrganizationFactory(workgroup=workgroup, name="=HYPERLINK(\"x\")")
    TransferFactory.create_batch(12, workgroup=workgroup, initiated_at=in_last_month(), sending_organization=sender)
    client.force_login(coordinator)

    response = client.get(url("report-csv", workgroup, month=f"{last_month():%Y-%m}"))

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["month", "table", "group", "measure", "value"]
    assert not any(cell.startswith("=") for row in rows for cell in row)
    assert any(row[2].startswith("'=HYPERLINK") for row in rows)
    event = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert event.actor == coordinator and "Monthly transfer report" in str(event.changes)


def test_members_and_viewers_may_not_export_the_report(client, workgroup, member, viewer):
    sharing(workgroup)
    for person in (member, viewer):
        client.force_login(person)
        assert client.get(url("report", workgroup)).status_code == 403
        assert client.post(url("report", workgroup), {"month": f"{last_month():%Y-%m}"}).status_code == 403
        assert client.get(url("report-csv", workgroup, month=f"{last_month():%Y-%m}")).status_code == 403


def test_a_month_not_started_is_refused(client, workgroup, coordinator):
    sharing(workgroup)
    client.force_login(coordinator)

    response = client.get(url("report-csv", workgroup, month="2999-01"), follow=True)

    assert reports.MSG_BAD_MONTH in response.content.decode()
