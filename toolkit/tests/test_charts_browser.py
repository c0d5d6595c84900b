"""Every chart page in Chromium: the chart and, next to it, its figures in words (a screenshot of each)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.tests.test_trends import spring
from partners import services as partner_services
from partners.models import Engagement, EngagementStatus, Sector
from readiness.tests.test_views_results import held_back_round, two_organization_round
from toolkit.tests.browser import sign_in
from triage.models import Direction
from triage.tests.test_views_protocols import _approved_in_force
from triage.tests.transfer_factories import TransferFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _partner_map(workgroup, actor) -> None:
    partner_services.partner_map_create_defaults(workgroup=workgroup)
    engagements = list(Engagement)
    for n, current in enumerate(engagements * 2):
        partner_services.organization_create(
            actor=actor, workgroup=workgroup, name=f"Partner {n + 1}", org_type="provider",
            sector=Sector.objects.get(workgroup=workgroup, key="988-center"),
            engagement_status=EngagementStatus.ENGAGED, influence=n % 5 + 1, interest=(3 * n) % 5 + 1,
            impact=n % 3 + 2, current_engagement=current, desired_engagement=engagements[(n + 2) % 5])


def test_each_chart_page_shows_its_figures_in_words_next_to_the_chart(page, workgroup, coordinator, artifacts_dir):
    shot = lambda name: page.screenshot(path=artifacts_dir / f"charts-{name}.png", full_page=True)  # noqa: E731
    _partner_map(workgroup, coordinator)
    version = _approved_in_force(workgroup, coordinator)  # first: the rounds reuse its "Riverbend 988 Center"
    earlier, _ = two_organization_round(workgroup, title="Spring round", opened_at=timezone.now() - timedelta(days=200))
    later, _ = held_back_round(workgroup, title="Autumn round")
    spring(workgroup)
    recently = timezone.now() - timedelta(minutes=5)
    TransferFactory.create_batch(3, workgroup=workgroup, initiated_at=recently)
    TransferFactory.create_batch(2, workgroup=workgroup, initiated_at=recently, direction=Direction.FROM_988_TO_911)
    base = f"/w/{workgroup.slug}"
    sign_in(page, coordinator)

    page.goto(f"{base}/partners/grid/")
    page.get_by_text("Show the figures as a table").click()
    figures = page.get_by_test_id("grid-figures").get_by_role("table")
    assert figures.is_visible() and figures.get_by_role("row").count() == 6  # a header and five influence rows
    shot("1-partners-grid")

    page.goto(f"{base}/readiness/rounds/{earlier.pk}/results/")
    assert page.get_by_test_id("dimension-table").is_visible() and page.get_by_test_id("spread-table").is_visible()
    shot("2-readiness-results")
    page.goto(f"{base}/readiness/compare/?round={earlier.pk}&round={later.pk}")
    assert page.get_by_test_id("comparison-table").is_visible()
    shot("3-readiness-compare")

    page.goto(f"{base}/incidents/trends/?occurred_from=2025-03-01&occurred_to=2025-04-30")
    assert page.get_by_test_id("table-category").is_visible() and page.get_by_test_id("table-month").is_visible()
    shot("4-incident-trends")

    page.goto(f"{base}/transfers/metrics/")
    assert page.get_by_test_id("table-direction").is_visible() and page.get_by_test_id("table-month").is_visible()
    shot("5-transfer-metrics")

    page.goto(f"{base}/triage/protocols/{version.protocol_id}/")
    page.get_by_test_id("diagram-in-words").get_by_role("link", name="its questions, answers and outcomes").click()
    page.get_by_role("heading", name="Decision tree", exact=True).wait_for()
    assert page.get_by_test_id("diagram-in-words").get_by_role("link", name="the decision-point matrix").is_visible()
    shot("6-triage-version")
    page.goto(f"{base}/triage/protocols/{version.protocol_id}/")
    shot("7-triage-protocol")
