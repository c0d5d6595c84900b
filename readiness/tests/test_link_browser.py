"""A coordinator copies a partner's questionnaire link in Chromium; the partner later finds the used link names
whom to ask. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest

from partners.tests.factories import OrganizationFactory
from readiness import services
from readiness.tests.factories import RoundFactory, link_respondent, small_version
from toolkit.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_copies_the_link_and_a_refused_link_names_the_coordinator(
        page, workgroup, coordinator, artifacts_dir, live_server):
    round_ = RoundFactory(workgroup=workgroup, instrument_version=small_version(workgroup)[0],
                          title="Spring transfer readiness", created_by=coordinator)
    respondent = link_respondent(round_, name="Pat Partner",
                                 organization=OrganizationFactory(workgroup=workgroup, name="Riverbend Mobile Crisis"))
    respondent.invited_by = coordinator
    respondent.save()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    sign_in(page, coordinator)

    page.goto(f"/w/{workgroup.slug}/readiness/rounds/{round_.pk}/")
    page.get_by_role("link", name="Copy link for Pat Partner").click()
    page.get_by_role("button", name="Copy link").click()
    page.get_by_role("status").filter(has_text="Link copied.").wait_for()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    page.screenshot(path=artifacts_dir / "readiness-link-1-copied.png", full_page=True)

    assert copied == page.get_by_test_id("questionnaire-link").input_value()
    token = copied.removeprefix(f"{live_server.url}/respond/{workgroup.slug}/").rstrip("/")
    assert services.respondent_for_token(token=token, slug=workgroup.slug) == respondent  # this partner's link

    respondent.link_expires_at = respondent.created_at  # the link runs out
    respondent.save()
    page.context.clear_cookies()
    page.goto(copied)
    page.screenshot(path=artifacts_dir / "readiness-link-2-refused.png", full_page=True)
    assert page.get_by_test_id("link-contact").get_by_role("link", name=coordinator.email).is_visible()
