"""A coordinator encodes a protocol in Chromium: build, see errors, fix, test, approve, train. Screenshots too."""

from __future__ import annotations

import re

import pytest

from partners.tests.factories import OrganizationFactory
from toolkit.tests.factories import TEST_PASSWORD
from triage.models import Node, Option, ProtocolVersion, VersionStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_fixes_a_tree_proves_it_with_a_scenario_approves_it_and_walks_the_simulator(
    page, workgroup, coordinator, artifacts_dir
):
    shot = lambda name: page.screenshot(path=artifacts_dir / f"triage-{name}.png", full_page=True)  # noqa: E731
    OrganizationFactory(workgroup=workgroup, name="Riverbend Crisis Line (988)")
    base = f"/w/{workgroup.slug}/triage"
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(coordinator.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Triage", exact=True).click()

    # A new protocol starts from the default tree.
    page.locator("#id_name").fill("County call triage")
    page.get_by_role("button", name="Create protocol").click()
    page.get_by_test_id("problems").wait_for()
    version = ProtocolVersion.objects.get()
    shot("1-new-version")

    # Break it: remove the weapon outcome; the checks list the dead end with a link to the question.
    weapon_outcome = Node.objects.get(version=version, key="out-weapon")
    page.goto(f"{base}/nodes/{weapon_outcome.pk}/delete/")
    page.get_by_role("button", name="Delete outcome").click()
    problems = page.get_by_test_id("problems")
    problems.get_by_role("link", name=re.compile("leads nowhere")).wait_for()
    assert problems.get_by_role("link", name=re.compile("leads nowhere")).get_attribute("href") == "#node-weapon"
    shot("2-validation-errors")

    # Fix it in the browser: a new outcome, and the answer pointed at it.
    page.goto(f"{base}/versions/{version.pk}/nodes/new/?kind=outcome")
    page.locator("#id_text").fill("Weapon involved: priority response")
    page.locator("#id_risk_level").select_option(label="Higher")
    page.locator("#id_route").select_option(label="EMS / law enforcement with behavioral-health support")
    page.locator("#id_actions").fill("Dispatch law enforcement with CIT support; share what is known about the weapon.")
    page.get_by_role("button", name="Add step").click()
    yes_answer = Option.objects.get(node__version=version, node__key="weapon", label="Yes")
    page.goto(f"{base}/options/{yes_answer.pk}/edit/")
    page.locator("#id_next_node").select_option(label="Weapon involved: priority response")
    page.get_by_role("button", name=re.compile("Save")).click()
    page.get_by_text("The tree passes every check").wait_for()
    shot("3-fixed")

    # Prove it routes as agreed.
    page.goto(f"{base}/versions/{version.pk}/scenarios/new/")
    page.locator("#id_name").fill("Caller says her partner has a gun")
    page.get_by_label("Is someone hurt, in medical danger, or is a suicide attempt happening now?").select_option("No")
    page.get_by_label("Is a weapon present or within reach of the person?").select_option("Yes")
    page.get_by_label("Expected risk level").select_option(label="Higher")
    page.get_by_label("Expected route").select_option(label="EMS / law enforcement with behavioral-health support")
    page.get_by_role("button", name="Add scenario").click()
    page.goto(f"{base}/versions/{version.pk}/scenarios/")
    assert "1 of 1" in page.content()
    shot("4-scenarios")

    # Review, partner approval, in force.
    page.goto(f"{base}/versions/{version.pk}/")
    page.get_by_role("button", name="Submit for review").click()
    page.goto(f"{base}/versions/{version.pk}/approvals/new/")
    page.get_by_label("Partner organization").select_option(label="Riverbend Crisis Line (988)")
    page.get_by_role("button", name="Record approval").click()
    page.get_by_role("button", name="Approve version 1").click()
    page.get_by_role("button", name="Put in force").click()
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED and version.in_force_periods.filter(ended_at=None).exists()
    shot("5-approved-in-force")

    # Cross-training: walk the simulator to the outcome.
    page.goto(f"{base}/versions/{version.pk}/simulate/")
    page.get_by_test_id("answer").filter(has_text="No").first.click()
    page.wait_for_selector("[data-testid=question][data-node=weapon]")
    page.get_by_test_id("answer").filter(has_text="Yes").first.click()
    outcome = page.get_by_test_id("outcome")
    outcome.wait_for()
    assert "Higher" in page.get_by_test_id("outcome-risk-level").inner_text()
    assert "CIT support" in page.get_by_test_id("outcome-actions").inner_text()
    shot("6-simulator-outcome")
    assert page.console_errors == []
