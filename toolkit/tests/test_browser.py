"""End-to-end flows in Debian's Chromium, driven by Playwright. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

import pytest

from toolkit.models import Role
from toolkit.tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory, WorkgroupFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.redis
@pytest.mark.postgres
def test_coordinator_signs_in_switches_workgroup_reads_guidance_and_downloads_the_summary(
    page, celery_worker, artifacts_dir, settings
):
    settings.MEDIA_ROOT = celery_worker["media_root"]
    county = WorkgroupFactory(name="Riverbend County Workgroup", slug="riverbend")
    state = WorkgroupFactory(name="Example State Council", slug="example-state")
    coordinator = UserFactory(email="casey@riverbend.test", first_name="Casey", last_name="Morgan")
    MembershipFactory(user=coordinator, workgroup=county, role=Role.COORDINATOR)
    MembershipFactory(user=coordinator, workgroup=state, role=Role.VIEWER)

    _sign_in(page, coordinator.email)
    page.get_by_role("heading", name="Your workgroups").wait_for()
    page.get_by_role("link", name=re.compile("Riverbend County Workgroup")).click()
    page.get_by_role("heading", name="Riverbend County Workgroup").wait_for()
    for area in ("Partner map", "Readiness", "Agreements", "Triage protocols", "Incident review"):
        assert page.get_by_role("heading", name=area).is_visible()
    page.screenshot(path=artifacts_dir / "foundation-dashboard.png", full_page=True)

    page.get_by_test_id("workgroup-switcher").click()
    page.get_by_role("link", name="Example State Council").click()
    page.get_by_role("heading", name="Example State Council").wait_for()
    assert "/w/example-state/" in page.url
    page.screenshot(path=artifacts_dir / "foundation-switched-workgroup.png", full_page=True)

    page.get_by_role("button", name="Guidance").click()
    page.get_by_role("link", name="Guidance topics").click()
    page.get_by_role("link", name=re.compile("Liability concerns")).click()
    page.get_by_role("table").first.wait_for()
    assert page.get_by_text("What partners worry about").is_visible()
    page.screenshot(path=artifacts_dir / "foundation-guidance-liability.png", full_page=True)

    page.get_by_test_id("workgroup-switcher").click()
    page.get_by_role("link", name="Riverbend County Workgroup").click()
    page.get_by_role("link", name="Reports & jobs").click()
    page.get_by_role("button", name="Build workgroup summary (PDF)").click()
    page.locator("[data-testid=job-status][data-status=succeeded]").wait_for(timeout=60_000)
    page.screenshot(path=artifacts_dir / "foundation-job-succeeded.png", full_page=True)
    with page.expect_download() as download_info:
        page.get_by_test_id("job-download").click()
    pdf_path = artifacts_dir / "foundation-workgroup-summary.pdf"
    download_info.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")
    assert page.console_errors == []


def test_visitor_searches_the_resource_library_and_results_update_in_place(page, artifacts_dir):
    page.goto("/resources/")
    total = page.get_by_test_id("resource-count").inner_text()
    page.get_by_label("Search").fill("HIPAA")
    page.wait_for_function(
        "total => document.querySelector('[data-testid=resource-count]').innerText !== total", arg=total
    )
    assert page.get_by_role("link", name=re.compile("HIPAA")).first.is_visible()
    assert "q=HIPAA" in page.url  # the search is in the address bar, so it can be shared
    page.screenshot(path=artifacts_dir / "foundation-resources-search.png", full_page=True)
    assert page.console_errors == []


def test_a_viewer_sees_the_dashboard_but_no_button_to_build_reports(page, workgroup, viewer, artifacts_dir):
    _sign_in(page, viewer.email)
    page.get_by_role("heading", name=workgroup.name).wait_for()
    page.goto(f"/w/{workgroup.slug}/jobs/")
    assert page.get_by_role("button", name="Build workgroup summary (PDF)").count() == 0
    page.goto(f"/w/{workgroup.slug}/audit/")
    assert page.get_by_role("heading", name="You cannot do this here").is_visible()
    page.screenshot(path=artifacts_dir / "foundation-viewer-forbidden.png", full_page=True)


def test_a_coordinator_invites_someone_from_the_members_page_and_sees_the_invitation_listed(
    page, workgroup, coordinator, artifacts_dir, mailoutbox
):
    _sign_in(page, coordinator.email)
    page.get_by_role("heading", name=workgroup.name).wait_for()
    page.goto(f"/w/{workgroup.slug}/members/")

    page.get_by_label("E-mail address").fill("new.partner@riverbend.test")
    page.get_by_label(re.compile(r"^\s*Role\W*$")).select_option(label="Legal reviewer")
    page.get_by_role("button", name="Send invitation").click()

    page.get_by_text("Invitation sent to new.partner@riverbend.test").wait_for()
    invitations = page.get_by_role("list").filter(has_text="new.partner@riverbend.test")
    assert "Legal reviewer" in invitations.inner_text()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["new.partner@riverbend.test"]
    page.screenshot(path=artifacts_dir / "foundation-members-invited.png", full_page=True)

    # A mistyped address is caught before anything is sent, and what was typed stays in the box.
    page.get_by_label("E-mail address").fill("not an address")
    page.get_by_role("button", name="Send invitation").click()
    assert page.get_by_label("E-mail address").evaluate("el => el.validationMessage") != ""
    assert page.get_by_label("E-mail address").input_value() == "not an address"
    assert len(mailoutbox) == 1
    assert page.console_errors == []
