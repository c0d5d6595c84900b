"""The readiness flow the issue asks for, end to end in Chromium: a coordinator opens a round, a partner answers
through the one-time link without an account, the coordinator reads the scores and accepts an action item."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from partners.tests.factories import ContactFactory, OrganizationFactory
from readiness.models import ActionItem, Respondent
from readiness.tests.test_browser_rounds import answer_items
from toolkit.services.workgroups import workgroup_setup_defaults
from toolkit.tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_round_goes_from_opening_to_a_partners_answers_to_scores_and_an_action_item(
    page, chromium, live_server, workgroup, coordinator, artifacts_dir
):
    shot = lambda p, name: p.screenshot(path=artifacts_dir / f"readiness-flow-{name}.png", full_page=True)  # noqa: E731
    workgroup_setup_defaults(workgroup=workgroup, actor=coordinator)  # what creating it in the app does
    partner = OrganizationFactory(workgroup=workgroup, name="Harbor City Police Dispatch")
    ContactFactory(organization=partner, name="Omar Haddad", email="ohaddad@harbor.test", title="Supervisor")

    # The coordinator opens a round and invites the partner contact.
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(coordinator.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/w/{workgroup.slug}/readiness/")
    page.get_by_test_id("open-round").click()
    page.get_by_label("Title").fill("Autumn check-in")
    page.get_by_label("Scope").fill("Transfers between the city PSAP and the county 988 center.")
    page.get_by_label("Due date").fill((timezone.localdate() + timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Open the round").click()
    page.get_by_label("Omar Haddad — Harbor City Police Dispatch").check()
    page.get_by_role("button", name="Send links").click()
    page.get_by_text("Invited Omar Haddad").wait_for()
    shot(page, "1-round-opened")

    # The partner answers through the e-mailed link in a browser that has never signed in.
    link = re.search(r"https?://[^/\s]+(/respond/\S+)", mail.outbox[-1].body).group(1)
    partner_context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    try:
        partner_page = partner_context.new_page()
        partner_page.goto(link)
        partner_page.get_by_role("heading", name="Autumn check-in").wait_for()
        assert "/accounts/login/" not in partner_page.url
        answer_items(partner_page, partner_page.get_by_test_id("item").all(), "2")
        shot(partner_page, "2-partner-questionnaire")
        partner_page.get_by_role("button", name="Submit answers").click()
        partner_page.get_by_test_id("thanks").wait_for()
        shot(partner_page, "3-partner-thanks")
    finally:
        partner_context.close()
    assert Respondent.objects.get().is_submitted

    # The coordinator sees the scores by dimension and the readiness stage.
    page.goto(f"/w/{workgroup.slug}/readiness/")
    page.get_by_role("link", name="Results").first.click()
    assert page.get_by_test_id("response-count").inner_text().startswith("1 submitted of 1 invited.")
    assert page.get_by_test_id("profile").locator("svg rect[data-role=bar]").count() == 8
    profile = page.get_by_test_id("profile").inner_text()
    assert "Shared vision and scope" in profile and "Concern" in profile
    shot(page, "4-results")

    # …and accepts the weakest gap into the action plan.
    page.get_by_role("link", name="Gaps and proposed action items").first.click()
    gap = page.get_by_test_id("gap").first
    source_key = gap.get_attribute("data-source-key")
    gap.get_by_text("Accept as an action item").click()
    gap.get_by_label("Owner organization").select_option(label="Harbor City Police Dispatch")
    gap.get_by_label("Due date").fill((timezone.localdate() + timedelta(days=60)).isoformat())
    gap.get_by_role("button", name="Accept").click()
    page.get_by_text("is in the action plan").wait_for()
    shot(page, "5-gap-accepted")
    action = ActionItem.objects.get(source_key=source_key)
    assert action.owner_organization == partner
    page.goto(f"/w/{workgroup.slug}/readiness/actions/")
    assert page.get_by_test_id("action-row").count() == 1
    shot(page, "6-action-plan")
    assert page.console_errors == []
