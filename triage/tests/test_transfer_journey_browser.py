"""The whole transfer journey in Chromium with a real worker, as the issue asks for it: a member imports a
partner's CSV export, sees it on the dashboard and the metrics page, opens the dropped transfer and creates the
incident report from it. Screenshots at each step, in test-artifacts/."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Category, Incident
from toolkit.tests.factories import TEST_PASSWORD
from triage.models import Transfer, TransferResult
from triage.tests.test_transfer_imports import csv_bytes, line, make_partners

pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _row(call_id: str, initiated, **cells) -> dict[str, str]:
    at = lambda moment: timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")  # noqa: E731
    times = {"Received": at(initiated - timedelta(minutes=4)), "Initiated": at(initiated),
             "Accepted": at(initiated + timedelta(minutes=1)), "Ended": at(initiated + timedelta(minutes=20))}
    return line(call_id, **{**times, **cells})


def test_a_member_imports_an_export_reads_the_metrics_and_reports_the_dropped_transfer(
        page, workgroup, member, celery_worker, artifacts_dir, settings, tmp_path):
    settings.MEDIA_ROOT = celery_worker["media_root"]  # the web process stores the upload, the worker reads it
    shot = lambda name: page.screenshot(path=artifacts_dir / f"transfer-journey-{name}.png", full_page=True)  # noqa: E731
    make_partners(workgroup)
    first = timezone.now() - timedelta(days=2)
    export = tmp_path / "metro-cad.csv"
    export.write_bytes(csv_bytes(
        _row("CAD-101", first),
        _row("CAD-102", first + timedelta(hours=3), Result="refused", Accepted=""),
        _row("CAD-103", first + timedelta(hours=6), Result="dropped", Accepted="",
             Ended=timezone.localtime(first + timedelta(hours=6, minutes=2)).strftime("%Y-%m-%d %H:%M")),
    ))

    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(member.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    # 1. Import the partner's export: upload, check the columns, preview, confirm.
    page.goto(f"/w/{workgroup.slug}/transfers/")
    page.get_by_role("link", name="Import a CSV export").first.click()
    page.get_by_label("Whose export is it?").select_option(label="Metro 911")
    page.get_by_label("CSV export of transfers").set_input_files(export)
    page.get_by_role("button", name="Upload").click()
    page.get_by_test_id("mapping-form").wait_for()
    page.get_by_test_id("mapping-save").click()
    page.get_by_test_id("import-ready").wait_for(timeout=60_000)
    shot("1-preview")
    page.get_by_test_id("import-confirm").click()
    page.get_by_test_id("import-status").wait_for(timeout=60_000)
    assert "3 new transfers" in page.get_by_test_id("import-status").inner_text()
    assert Transfer.objects.filter(workgroup=workgroup).count() == 3

    # 2. The dashboard's card and the metrics page count them.
    page.goto(f"/w/{workgroup.slug}/")
    card = page.locator("section[data-area='transfers']")
    assert "3 transfers recorded." in card.inner_text()
    shot("2-dashboard")
    card.get_by_role("link", name="See transfer metrics").click()
    page.wait_for_url("**/transfers/metrics/**")
    page.locator("#id_period").select_option("3")  # two days ago may be last month
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**period=3**")
    assert page.get_by_test_id("metric-transfers").inner_text() == "3"
    assert page.get_by_test_id("metric-dropped_rate").inner_text() == "33.3%"
    assert page.get_by_test_id("metric-acceptance_rate").inner_text() == "33.3%"
    assert page.get_by_test_id("metric-median_seconds_at_911_before_transfer").inner_text() == "4 min 0 s"
    shot("3-metrics")

    # 3. The dropped transfer, found with the list's filter, becomes an incident report in one click.
    page.goto(f"/w/{workgroup.slug}/transfers/")
    page.locator("#id_result").select_option(TransferResult.DROPPED)
    page.get_by_test_id("transfer-filters").get_by_role("button").first.click()
    page.wait_for_url("**result=dropped**")
    assert page.get_by_test_id("transfer-row").count() == 1
    page.get_by_test_id("transfer-row").get_by_role("link").first.click()
    page.get_by_test_id("transfer-result").wait_for()
    assert "Dropped" in page.get_by_test_id("transfer-result").inner_text()
    shot("4-dropped-transfer")
    page.get_by_test_id("create-incident").click()
    page.get_by_text("is started from the transfer").wait_for()
    assert re.search(r"/incidents/\d+/", page.url)
    shot("5-incident")

    incident = Incident.objects.get(workgroup=workgroup)
    dropped = Transfer.objects.get(workgroup=workgroup, partner_call_id="CAD-103")
    assert dropped.incident == incident and incident.category == Category.FAILED_TRANSFER
    assert incident.reported_by == member
    # The incident page leads back to the transfer it came from.
    page.get_by_test_id("incident-transfer-link").click()
    page.get_by_test_id("transfer-result").wait_for()
    assert page.url.endswith(dropped.get_absolute_url())
    assert page.console_errors == []
