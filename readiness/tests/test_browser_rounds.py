"""A readiness round end to end in Chromium: a coordinator opens it and invites a partner contact, who answers
through the one-time link from the e-mail (no account), saves halfway, comes back and submits."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from partners.tests.factories import ContactFactory, OrganizationFactory
from readiness.models import Answer, Respondent
from toolkit.services.workgroups import workgroup_setup_defaults
from toolkit.tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer_items(page, items, choice_for_agreement: str) -> None:
    """Pick an answer in each questionnaire item that offers radios (agreement or yes/partly/no)."""
    for item in items:
        radios = item.locator("input[type=radio]")
        if radios.count() == 0:
            continue
        agreement = item.locator(f"input[type=radio][value='{choice_for_agreement}']")
        (agreement if agreement.count() else item.locator("input[type=radio][value='partly']")).check()


def test_a_partner_answers_a_round_through_the_link_from_the_email(
    page, chromium, live_server, workgroup, coordinator, artifacts_dir
):
    shot = lambda p, name: p.screenshot(path=artifacts_dir / f"readiness-rounds-{name}.png", full_page=True)  # noqa: E731
    workgroup_setup_defaults(workgroup=workgroup, actor=coordinator)  # what creating it in the app does
    partner = OrganizationFactory(workgroup=workgroup, name="Riverbend Mobile Crisis Team")
    ContactFactory(organization=partner, name="Tasha Greene", email="tgreene@rbmobile.test", title="Director")

    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(coordinator.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Readiness", exact=True).click()
    page.get_by_test_id("empty-state").wait_for()
    shot(page, "1-index-empty")

    page.get_by_test_id("open-round").click()
    page.get_by_label("Title").fill("Baseline readiness, spring")
    page.get_by_label("Instrument version").select_option(label="988–911 readiness for change — version 1")
    page.get_by_label("Scope").fill("Moving behavioral-health calls from the county PSAP to Riverbend 988, "
                                    "county-wide, around the clock.")
    page.get_by_label("Due date").fill((timezone.localdate() + timedelta(days=14)).isoformat())
    shot(page, "2-open-round")
    page.get_by_role("button", name="Open the round").click()
    page.get_by_text("is open. Now add the people who should answer").wait_for()

    page.get_by_label("Tasha Greene — Riverbend Mobile Crisis Team").check()
    page.get_by_role("button", name="Send links").click()
    page.get_by_text("Invited Tasha Greene").wait_for()
    assert page.get_by_test_id("respondent-row").count() == 1
    shot(page, "3-round-with-respondent")

    link = re.search(r"https?://[^/\s]+(/respond/\S+)", mail.outbox[-1].body).group(1)
    partner_context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    try:
        partner_page = partner_context.new_page()
        errors = []
        partner_page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        partner_page.goto(link)
        partner_page.get_by_role("heading", name="Baseline readiness, spring").wait_for()
        assert partner_page.get_by_role("link", name="Partners").count() == 0  # no workgroup navigation
        items = partner_page.get_by_test_id("item").all()
        half = len(items) // 2
        answer_items(partner_page, items[:half], "4")
        shot(partner_page, "4-questionnaire-halfway")
        partner_page.get_by_role("button", name="Save and finish later").click()
        partner_page.get_by_text("Your answers are saved").wait_for()
        saved = Answer.objects.exclude(choice="").count()
        assert saved > 0

        partner_page.goto(link)  # coming back later, with the same link
        assert partner_page.locator("input[type=radio]:checked").count() == saved
        partner_page.get_by_role("button", name="Submit answers").click()  # too early: refused, nothing lost
        partner_page.get_by_test_id("form-errors").wait_for()
        assert "have no answer" in partner_page.get_by_test_id("form-errors").inner_text()
        assert partner_page.locator("input[type=radio]:checked").count() == saved
        shot(partner_page, "5-submit-refused")

        answer_items(partner_page, partner_page.get_by_test_id("item").all()[half:], "unsure")
        partner_page.get_by_role("button", name="Submit answers").click()
        partner_page.get_by_test_id("thanks").wait_for()
        shot(partner_page, "6-thanks")

        partner_page.goto(link)
        partner_page.get_by_test_id("link-error").wait_for()
        assert "cannot be used again" in partner_page.get_by_test_id("link-error").inner_text()
        shot(partner_page, "7-link-used")
        # The refused submit (400) and the used-up link (410) are expected; nothing else may go wrong.
        assert not [e for e in errors if "Failed to load resource" not in e]
    finally:
        partner_context.close()

    assert Respondent.objects.get().is_submitted
    page.reload()
    assert "1 of 1 submitted" in page.get_by_test_id("round-progress").inner_text()
    shot(page, "8-round-submitted")
    page.get_by_role("link", name="Readiness", exact=True).first.click()
    assert "1 of 1 answered" in page.get_by_test_id("round-row").inner_text()
    shot(page, "9-index-with-round")
    assert not page.console_errors
