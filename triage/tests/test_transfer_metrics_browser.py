"""The metrics and definitions pages in Chromium: filters applied, charts drawn, screenshots to look at."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from partners.tests.factories import OrganizationFactory
from toolkit.tests.factories import TEST_PASSWORD
from triage.models import Direction, TransferKind, TransferResult
from triage.tests.transfer_factories import TransferFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_viewer_reads_the_metrics_narrows_them_and_opens_the_definitions(page, workgroup, viewer, artifacts_dir):
    county, crisis = (OrganizationFactory(workgroup=workgroup, name=n) for n in ("County 911", "Lakeside 988"))
    now = timezone.now()
    for i in range(60):
        TransferFactory(workgroup=workgroup, initiated_at=now - timedelta(days=5 * i, minutes=30),
                        sending_organization=county if i % 3 else crisis,
                        receiving_organization=crisis if i % 3 else county,
                        direction=Direction.FROM_911_TO_988 if i % 3 else Direction.FROM_988_TO_911,
                        result=TransferResult.values[i % 5], kind=TransferKind.WARM if i % 4 else TransferKind.COLD,
                        risk_level_name=("Imminent", "High", "Moderate", "")[i % 4],
                        follow_up_due_at=now - timedelta(days=5 * i - 3) if i % 2 else None)
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(viewer.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/w/**")

    page.goto(f"/w/{workgroup.slug}/transfers/metrics/?period=12")
    assert page.get_by_test_id("metric-transfers").inner_text() != "—"
    page.locator("#id_direction").select_option(Direction.FROM_911_TO_988)
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**direction=911_to_988**")
    assert page.get_by_test_id("table-direction").locator("tr[data-key='988_to_911'] td").first.inner_text() == "0"
    page.screenshot(path=str(artifacts_dir / "transfer-metrics.png"), full_page=True)

    page.get_by_role("link", name="How each metric is defined").click()
    page.wait_for_url("**/definitions/")
    assert page.get_by_role("heading", name="Dropped-transfer rate").is_visible()
    page.screenshot(path=str(artifacts_dir / "transfer-metric-definitions.png"), full_page=True)
    assert page.console_errors == []
