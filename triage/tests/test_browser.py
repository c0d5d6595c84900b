"""A coordinator adapts the default protocol in Chromium: declares a safety rule, sees the path that breaks it,
fixes the tree, lists the partners who sign, submits, records every partner's sign-off and walks the simulator on
each line. Screenshots go to the test artifacts to be looked at."""

from __future__ import annotations

import re

import pytest

from partners.tests.factories import OrganizationFactory
from toolkit.tests.browser import sign_in
from triage.defaults import DEFAULT_RULES, IMMINENT_NO_WEAPON
from triage.models import Node, Option, ProtocolVersion, SafetyRule, Scenario, VersionStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_declares_a_rule_sees_the_path_that_breaks_it_fixes_the_tree_and_gets_every_sign_off(
    page, workgroup, coordinator, artifacts_dir
):
    shot = lambda name: page.screenshot(path=artifacts_dir / f"triage-{name}.png", full_page=True)  # noqa: E731
    OrganizationFactory(workgroup=workgroup, name="Riverbend Crisis Line (988)")
    OrganizationFactory(workgroup=workgroup, name="Riverbend County Emergency Communications (911)")
    base = f"/w/{workgroup.slug}/triage"
    sign_in(page, coordinator)
    page.get_by_role("link", name="Triage", exact=True).click()

    # A new protocol starts from the default: its rules hold, its example scenarios pass, but no partner is listed
    # yet, so "Submit for review" is disabled and says why.
    page.locator("#id_name").fill("County call triage")
    page.get_by_role("button", name="Create protocol").click()
    page.get_by_test_id("problems").wait_for()
    version = ProtocolVersion.objects.get()
    assert "hold on every answer path" in page.get_by_test_id("rules-check").inner_text()
    assert page.get_by_role("button", name="Submit for review").is_disabled()
    assert "List the partner organizations" in page.get_by_test_id("submit-blockers").inner_text()
    shot("1-new-version")

    # The county promises co-response for every 911 call with imminent danger to self: declare it as a rule.
    page.get_by_role("link", name=re.compile("^Safety rules")).first.click()
    page.get_by_role("link", name="Add a rule").click()
    page.locator("#id_name").fill("Imminent danger on 911 gets co-response")
    page.get_by_label("When these answers are given, the outcome must be…").check()
    page.get_by_label("Imminent danger to self").select_option("yes")
    page.locator("#id_when__weapon_with_intent").select_option("no")
    page.get_by_label("Which calls").select_option("911")
    page.get_by_label("Higher").check()
    page.get_by_label("Co-response (clinician with officer or EMS)").check()
    shot("2-rule-form")
    page.get_by_role("button", name="Add rule").click()

    # The rule is checked against every path: one breaks it, shown with the answers that lead there.
    rule = page.locator("[data-testid=rule]", has_text="Imminent danger on 911 gets co-response")
    # Two paths: the weapon question has two answers without a threat (lethal means at hand, or none known).
    assert "Broken on 2 paths" in rule.get_by_test_id("rule-status").inner_text()
    broken = rule.get_by_test_id("broken-paths").inner_text()
    assert "Is the danger imminent" in broken and "Imminent danger to self: EMS" in broken
    shot("3-rule-broken")
    rule.get_by_role("link", name=re.compile("^Open in the simulator")).first.click()
    page.get_by_test_id("outcome").wait_for()
    assert page.get_by_test_id("outcome").get_attribute("data-node") == "911-out-imminent"
    shot("4-breaking-path-in-simulator")

    # Fix the tree: the imminent answer goes straight to co-response, and the steps that no longer apply go.
    page.goto(version.get_absolute_url())
    assert page.get_by_role("button", name="Submit for review").is_disabled()
    assert "break a safety rule" in page.get_by_test_id("submit-blockers").inner_text()
    imminent_yes = Option.objects.get(node__version=version, node__key="911-imminent", label=IMMINENT_NO_WEAPON)
    page.goto(f"{base}/options/{imminent_yes.pk}/edit/")
    page.locator("#id_next_node").select_option(label="Imminent danger to self: co-response")
    page.get_by_role("button", name=re.compile("Save")).click()
    for key, button in (("911-imminent-team", "Delete question"), ("911-out-imminent", "Delete outcome")):
        page.goto(f"{base}/nodes/{Node.objects.get(version=version, key=key).pk}/delete/")
        page.get_by_role("button", name=button).click()
    page.get_by_test_id("problems").wait_for()
    rule_count = len(DEFAULT_RULES) + 1
    assert f"All {rule_count} safety rules hold on every answer path" in page.get_by_test_id("rules-check").inner_text()

    # The example scenario for that call still expects EMS: the page says a scenario fails; the coordinator
    # updates what the partners now agree.
    assert "1 scenario test(s) fail" in page.get_by_test_id("submit-blockers").inner_text()
    scenario = Scenario.objects.get(version=version, name="911: imminent suicide risk")
    page.goto(f"{base}/scenarios/{scenario.pk}/edit/")
    page.get_by_label("Expected route").select_option(label="Co-response (clinician with officer or EMS)")
    page.get_by_role("button", name="Save scenario").click()

    # The PSAP maps the outcome onto its CAD: the code shows in the decision-point matrix.
    co_response = Node.objects.get(version=version, key="911-out-imminent-co")
    page.goto(f"{base}/nodes/{co_response.pk}/edit/")
    page.get_by_label("Partners' codes").fill("Riverbend CAD call type: BH-CR\nRiverbend CAD disposition: CR-1")
    shot("5a-outcome-codes")
    page.get_by_role("button", name="Save").click()
    page.goto(f"{base}/versions/{version.pk}/matrix/")
    assert page.get_by_role("columnheader", name="Riverbend CAD call type").is_visible()
    assert page.locator("code", has_text="BH-CR").count() >= 1
    shot("5b-matrix-with-codes")

    # List the partners who sign; now nothing blocks review.
    page.goto(version.get_absolute_url())
    for name in ("Riverbend Crisis Line (988)", "Riverbend County Emergency Communications (911)"):
        page.get_by_label("Add a partner who signs").select_option(label=name)
        page.get_by_role("button", name="Add partner").click()
    assert page.get_by_test_id("submit-blockers").count() == 0
    shot("5c-ready-for-review")
    page.get_by_role("button", name="Submit for review").click()
    version.refresh_from_db()
    assert version.status == VersionStatus.IN_REVIEW

    # One partner signs: the page says who is still missing and approval stays disabled.
    page.get_by_role("link", name="Record a partner's decision").click()
    page.get_by_role("heading", name="Record a partner's decision on version 1").wait_for()
    shot("6a-decision-form")
    page.get_by_label("Partner organization").select_option(label="Riverbend Crisis Line (988)")
    page.locator("#id_approver_name").fill("Dana Ortiz")
    page.get_by_role("button", name=re.compile("Record")).click()
    assert "Riverbend County Emergency Communications (911)" in page.get_by_test_id("approve-blockers").inner_text()
    assert page.get_by_role("button", name="Approve version 1").is_disabled()
    shot("6b-waiting-for-a-partner")
    page.get_by_role("link", name="Record a partner's decision").click()
    page.get_by_label("Partner organization").select_option(label="Riverbend County Emergency Communications (911)")
    page.locator("#id_approver_name").fill("Sam Lee")
    page.get_by_role("button", name=re.compile("Record")).click()
    page.get_by_role("button", name="Approve version 1").click()
    page.get_by_role("button", name="Put in force").click()
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED and version.in_force_periods.filter(ended_at=None).exists()
    assert SafetyRule.objects.filter(version=version).count() == rule_count
    shot("7-approved-in-force")

    # Cross-training: each line starts at its own first question; on 988 imminent danger is a transfer to 911.
    page.goto(f"{base}/versions/{version.pk}/simulate/")
    page.get_by_test_id("choose-line").wait_for()
    shot("8-simulator-choose-line")
    page.get_by_test_id("line").filter(has_text="988").click()
    page.wait_for_selector("[data-testid=question][data-node='988-start']")
    walk = {"988-start": "distress", "988-medical": "No", "988-weapon": "None", "988-others": "No",
            "988-suicide": "Yes", "988-imminent": "no weapon", "988-safety": "No", "988-location": "No"}
    while page.get_by_test_id("outcome").count() == 0:
        node = page.get_by_test_id("question").get_attribute("data-node")
        page.get_by_test_id("answer").filter(has_text=walk[node]).first.click()
        page.wait_for_function(
            "key => !document.querySelector(`[data-testid=question][data-node='${key}']`)", arg=node)
    assert "Warm transfer 988 → 911" in page.get_by_test_id("outcome-route").inner_text()
    assert "Higher" in page.get_by_test_id("outcome-risk-level").inner_text()
    shot("9-simulator-988-imminent")
    assert page.console_errors == []
