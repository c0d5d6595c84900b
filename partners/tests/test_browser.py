"""The partner map, built in Chromium the way a coordinator would, with a screenshot of each step."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from partners.models import Contact, Organization, RaciAssignment
from toolkit.tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_maps_a_partner_and_sees_coverage_grid_raci_and_the_export(
    page, workgroup, coordinator, artifacts_dir
):
    shot = lambda name: page.screenshot(path=artifacts_dir / f"partners-{name}.png", full_page=True)  # noqa: E731
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(coordinator.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Partners", exact=True).click()
    assert page.get_by_test_id("core-coverage").inner_text().startswith("Core sectors: 0/11")
    shot("1-map-empty")

    page.get_by_role("link", name="Add organization").first.click()
    page.get_by_label("Name").fill("Riverbend Mobile Crisis Team")
    page.get_by_label("Sector").select_option(label="Mobile crisis provider")
    page.get_by_label("Type").select_option(label="Service provider")
    page.get_by_label("Engagement status").select_option(label="Engaged")
    page.locator("#id_influence_3").check()  # 4 of 5
    page.locator("#id_interest_4").check()  # 5 of 5
    page.get_by_label("Current engagement").select_option(label="Neutral")
    page.get_by_label("Desired engagement").select_option(label="Leading")
    shot("2-organization-form")
    page.get_by_role("button", name="Add organization").click()
    page.get_by_role("heading", name="Riverbend Mobile Crisis Team").wait_for()
    assert page.get_by_text("raise by 2").is_visible()

    page.get_by_role("link", name="Add contact").click()
    page.locator("#id_name").fill("Tasha Greene")
    page.locator("#id_email").fill("tgreene@rbmobile.test")
    page.locator("#id_phone").fill("(202) 555-0150")
    page.get_by_label("Primary contact").check()
    page.get_by_role("button", name="Add contact").click()
    page.get_by_role("cell", name=re.compile("Tasha Greene")).wait_for()
    assert page.get_by_role("link", name="(202) 555-0150").is_visible()  # shown in national format
    shot("3-organization-with-contact")

    page.goto(f"/w/{workgroup.slug}/partners/coverage/")
    assert page.get_by_test_id("core-score").inner_text() == "Core sectors: 1/11"
    shot("4-coverage")

    page.goto(f"/w/{workgroup.slug}/partners/grid/")
    point = page.locator("svg a:has(circle)", has=page.locator("title", has_text="Riverbend Mobile Crisis Team"))
    assert point.count() == 1  # one point for the one organization (the key below the chart names it too)
    shot("5-grid")

    page.goto(f"/w/{workgroup.slug}/partners/raci/")
    row = page.locator("[data-testid=raci-row][data-function=dispatch-mobile-crisis]")
    assert "No one is accountable" in row.get_by_test_id("raci-problems").inner_text()
    row.get_by_label("Role of Riverbend Mobile Crisis Team in Dispatch mobile crisis").select_option("R")
    page.wait_for_function(
        "() => !document.querySelector('[data-function=dispatch-mobile-crisis] [data-testid=raci-problems]')"
        ".innerText.includes('No one is responsible')"
    )
    assert RaciAssignment.objects.get().role == "R"
    shot("6-raci")

    page.goto(f"/w/{workgroup.slug}/partners/organizations/")
    with page.expect_download() as download_info:
        page.get_by_test_id("export-csv").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["organization"], r["contact_email"]) for r in rows] == [
        ("Riverbend Mobile Crisis Team", "tgreene@rbmobile.test")
    ]
    shot("7-directory")
    assert Organization.objects.count() == 1 and Contact.objects.count() == 1
    assert page.console_errors == []
