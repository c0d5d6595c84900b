"""In Chromium: from the transfer list to a dropped transfer, and an incident report started from it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from partners.tests.factories import OrganizationFactory
from toolkit.models import Role
from toolkit.tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory, WorkgroupFactory
from triage.models import Direction, NodeKind, TransferKind, TransferResult
from triage.tests.transfer_factories import approved_version
from triage.transfers import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _world():
    county = WorkgroupFactory(name="Riverbend County Workgroup", slug="riverbend")
    member = UserFactory(email="casey@riverbend.test", first_name="Casey", last_name="Morgan")
    MembershipFactory(user=member, workgroup=county, role=Role.MEMBER)
    coordinator = UserFactory(email="coordinator@riverbend.test")
    MembershipFactory(user=coordinator, workgroup=county, role=Role.COORDINATOR)
    version = approved_version(workgroup=county, actor=coordinator, in_force_days=30)
    outcome = version.nodes.filter(kind=NodeKind.OUTCOME, route="911_to_988", risk_level__isnull=False).first()
    psap = OrganizationFactory(workgroup=county, name="Riverbend County 911")
    center = OrganizationFactory(workgroup=county, name="Riverbend Crisis Line (988)")
    now = timezone.now()
    for hours in range(1, 8):
        initiated = now - timedelta(hours=hours * 5)
        dropped = hours == 3
        services.transfer_create(
            actor=coordinator, workgroup=county, direction=Direction.FROM_911_TO_988, sending_organization=psap,
            receiving_organization=center, initiated_at=initiated, outcome=outcome,
            result=TransferResult.DROPPED if dropped else TransferResult.ACCEPTED,
            accepted_at=None if dropped else initiated + timedelta(seconds=20 + hours * 7),
            ended_at=initiated + timedelta(minutes=2 if dropped else 14), kind=TransferKind.WARM,
            partner_call_id=f"CAD-26-{hours:05d}")
    return member


def test_a_member_opens_a_dropped_transfer_and_starts_an_incident_report_from_it(page, artifacts_dir):
    member = _world()
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(member.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.goto("/w/riverbend/transfers/")
    page.get_by_test_id("transfer-table").wait_for()
    assert page.get_by_test_id("transfer-row").count() == 7
    page.screenshot(path=artifacts_dir / "transfers-list.png", full_page=True)

    row = page.get_by_test_id("transfer-row").filter(has_text="Dropped before the receiver took it")
    row.get_by_role("link").first.click()
    page.get_by_role("heading", name=re.compile("911 → 988 transfer")).wait_for()
    assert "Dropped" in page.get_by_test_id("transfer-result").inner_text()
    page.screenshot(path=artifacts_dir / "transfers-detail-dropped.png", full_page=True)

    page.get_by_test_id("create-incident").click()
    page.get_by_text("is started from the transfer").wait_for()
    assert re.search(r"/incidents/\d+/", page.url)
    body = page.locator("main").inner_text()
    assert "Failed or dropped transfer" in body and "CAD-26-00003" in body
    page.screenshot(path=artifacts_dir / "transfers-incident-created.png", full_page=True)

    page.go_back()
    page.reload()
    page.get_by_test_id("incident-link").wait_for()
