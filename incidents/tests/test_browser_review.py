"""The whole review in a real browser: staff report through the intake link, QA triages, two reviewers rate,
actions are added and completed, the incident closes, and the trends change. Screenshots go to test-artifacts/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.intake import intake_link_enable
from incidents.models import Incident
from partners.tests.factories import OrganizationFactory
from toolkit.tests.browser import sign_in as sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(context, user):
    page = context.new_page()
    sign_in_page(page, user)
    return page


def harm_count(page, slug: str, key: str) -> str:
    page.goto(f"/w/{slug}/incidents/trends/")
    return page.get_by_test_id("table-harm").locator(f"tr[data-key='{key}'] td").inner_text()


def test_an_incident_goes_from_the_intake_link_through_review_to_closure(
    page, qa_reviewer, second_qa, live_server, artifacts_dir, settings,
):
    settings.INCIDENT_INTAKE_FORM_MIN_SECONDS = 0  # the test types faster than a person
    workgroup = qa_reviewer.memberships.get().workgroup
    psap = OrganizationFactory(workgroup=workgroup, name="Riverbend County 911")
    token = intake_link_enable(actor=qa_reviewer, workgroup=workgroup).intake_token

    # Staff without an account report through the link.
    page.goto(f"/report/{workgroup.slug}/{token}/")
    page.get_by_label("Near miss").check()
    page.get_by_label("Category").select_option("failed_transfer")
    now = timezone.localtime()
    page.get_by_label("When it happened").fill((now - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("When it was noticed").fill((now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Riverbend County 911").check()
    page.get_by_label("What happened").fill("The warm transfer from 911 dropped when the counselor answered.")
    page.get_by_role("button", name="Send report").click()
    page.get_by_test_id("thanks").wait_for()
    incident = Incident.objects.get()
    assert page.get_by_test_id("reference").inner_text() == incident.reference

    qa_context = page.context.browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    qa = sign_in(qa_context, qa_reviewer)
    assert harm_count(qa, workgroup.slug, "") == "1" and harm_count(qa, workgroup.slug, "moderate") == "0"
    qa.screenshot(path=artifacts_dir / "incidents-review-trends-before.png", full_page=True)

    # QA triages and starts the review, and rates the harm on their own.
    qa.goto(f"/w/{workgroup.slug}/incidents/?status=submitted")
    qa.get_by_role("link", name=incident.reference).click()
    qa.get_by_label("Priority").select_option("priority")
    qa.get_by_role("button", name="Triage").click()
    qa.get_by_role("button", name="Start the review").click()
    qa.get_by_label("Your rating of the harm").select_option("moderate")
    qa.get_by_role("button", name="Record my rating").click()
    assert "Your rating of the harm is recorded." in qa.content()

    # The second reviewer does not see the first rating before rating; then agrees the level.
    second_context = page.context.browser.new_context(base_url=live_server.url,
                                                      viewport={"width": 1366, "height": 900})
    second = sign_in(second_context, second_qa)
    second.goto(f"/w/{workgroup.slug}/incidents/{incident.pk}/")
    assert second.get_by_test_id("ratings-hidden").is_visible()
    second.get_by_label("Your rating of the harm").select_option("moderate")
    second.get_by_role("button", name="Record my rating").click()
    second.get_by_label("Harm level the reviewers agreed").select_option("moderate")
    second.get_by_role("button", name="Record the agreed level").click()
    second.get_by_test_id("agreed-harm").wait_for()
    second_context.close()

    # QA records the assessment, a root cause and its corrective action, and finishes the review.
    qa.reload()
    qa.get_by_label("Likelihood it happens again").select_option("3")
    qa.get_by_label("Severity of the consequences").select_option("3")
    qa.get_by_label("Transfer line failure", exact=False).first.check()
    qa.get_by_role("textbox", name="Findings").fill("The transfer trunk has no failover; both centers saw the drop.")
    qa.get_by_role("button", name="Save the assessment").click()
    qa.get_by_role("textbox", name="Root cause").fill("A single transfer trunk with no failover.")
    qa.get_by_role("button", name="Add the root cause").click()
    qa.get_by_text("Add a corrective action").click()
    qa.get_by_label("For the root cause").select_option(index=1)
    qa.get_by_role("textbox", name="Corrective action").fill("Add a second trunk and test failover monthly.")
    qa.get_by_label("Owner organization").select_option(str(psap.pk))
    qa.locator("#id_action_due_date").fill((timezone.localdate() + timedelta(days=30)).isoformat())
    qa.get_by_role("button", name="Add the action").click()
    qa.screenshot(path=artifacts_dir / "incidents-review-under-review.png", full_page=True)
    qa.get_by_role("button", name="Finish the review: start the actions").click()
    assert qa.get_by_test_id("incident-status").inner_text() == "Actions in progress"

    # Closing is refused while the action is open; the action is done and checked; the incident closes.
    qa.get_by_role("button", name="Close the incident").click()
    assert "1 corrective action is still open" in qa.content()
    qa.get_by_role("link", name="Update").first.click()
    qa.get_by_role("combobox", name="Status").select_option("done")
    qa.get_by_label("Did it work").select_option("effective")
    qa.get_by_label("Note", exact=True).fill("Failover tested on three transfers.")
    qa.screenshot(path=artifacts_dir / "incidents-review-action.png", full_page=True)
    qa.get_by_role("button", name="Save").click()
    qa.get_by_role("button", name="Close the incident").click()
    assert qa.get_by_test_id("incident-status").inner_text() == "Closed"
    qa.screenshot(path=artifacts_dir / "incidents-review-closed.png", full_page=True)

    # The trends now count it under the harm the reviewers agreed.
    assert harm_count(qa, workgroup.slug, "moderate") == "1" and harm_count(qa, workgroup.slug, "") == "0"
    qa.screenshot(path=artifacts_dir / "incidents-review-trends-after.png", full_page=True)
    incident.refresh_from_db()
    assert (incident.status, incident.agreed_harm, incident.risk_grade) == ("closed", "moderate", "high")
    qa_context.close()
