"""The routing directory in Chromium: a coordinator fills in routing for the demo map, with screenshots."""

from __future__ import annotations

import pytest

from partners.demo import seed_partner_demo
from partners.models import Organization, TransferLine
from toolkit.tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_edits_routing_records_a_test_and_reads_the_directory(
    page, workgroup, coordinator, artifacts_dir
):
    shot = lambda name: page.screenshot(path=artifacts_dir / f"routing-{name}.png", full_page=True)  # noqa: E731
    seed_partner_demo(workgroup=workgroup, actor=coordinator)
    youth = Organization.objects.get(workgroup=workgroup, name="Riverbend Youth Services")
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(coordinator.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"/w/{workgroup.slug}/partners/organizations/{youth.pk}/")
    page.get_by_role("link", name="Edit routing").click()
    page.get_by_label("Hours of operation").fill("Mon–Fri 8:00–18:00")
    page.get_by_label("ZIP codes").fill("20201 2020")
    page.get_by_role("button", name="Save hours and coverage").click()
    page.get_by_text("these are not: 2020").wait_for()
    page.get_by_label("ZIP codes").fill("20201 20203")
    page.get_by_label("Counties").fill("Riverbend County")
    page.get_by_role("button", name="Save hours and coverage").click()
    page.get_by_text("Hours and coverage of Riverbend Youth Services saved.").wait_for()

    page.get_by_role("link", name="Add line").click()
    page.get_by_label("Name").fill("Youth crisis intake")
    page.get_by_label("Purpose").select_option(label="Takes transfers from 988")
    page.get_by_label("Number").fill("988")
    page.get_by_role("button", name="Add line").click()
    page.get_by_text("cannot be dialled to transfer a call").first.wait_for()
    page.get_by_label("Number").fill("(202) 555-0161")
    page.get_by_role("button", name="Add line").click()
    page.get_by_text("Youth crisis intake added").wait_for()
    page.get_by_role("link", name="Record test").click()
    page.get_by_label("Failed (not answered, wrong desk or out of service)").check()
    page.get_by_label("Note").fill("Voicemail after hours")
    page.get_by_role("button", name="Record test").click()
    page.get_by_text("Test of Youth crisis intake recorded").wait_for()
    assert page.get_by_test_id("line-failed").is_visible()
    shot("1-organization-edit")

    page.goto(f"/w/{workgroup.slug}/partners/routing/")
    assert "1 transfer line is overdue" in page.get_by_test_id("overdue-total").inner_text()
    assert page.get_by_text("(202) 555-0131").is_visible()
    shot("2-directory")

    page.get_by_label("Only lines overdue for a test").check()
    page.get_by_test_id("routing-count").filter(has_text="1 organization").wait_for()
    assert page.get_by_text("Overflow line for PSAPs").is_visible()
    shot("3-directory-overdue")

    crisis_line = Organization.objects.get(workgroup=workgroup, name="Riverbend Crisis Line (988)")
    page.goto(crisis_line.get_absolute_url())
    assert "(202) 555-0132" in page.get_by_test_id("organization-routing").inner_text()
    shot("4-organization-detail")

    assert TransferLine.objects.get(name="Youth crisis intake").last_test_result == "failed"
    # The two refused forms answered 400 on purpose; nothing else went wrong in the page.
    assert [e for e in page.console_errors if "status of 400" not in e] == []
