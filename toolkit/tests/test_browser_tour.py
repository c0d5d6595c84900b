"""Every foundation page, opened in Chromium as a person would, with a screenshot of each.

Each stop asserts the page's main heading, that the server answered as expected and
that the browser logged no errors (the CSP would report blocked inline code here).
"""

from __future__ import annotations

import pytest

from toolkit import services
from toolkit.models import Invitation, Job, JobStatus, Role
from toolkit.tests.factories import TEST_PASSWORD, InvitationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _visit(page, artifacts_dir, path: str, heading: str, name: str, status: int = 200) -> None:
    response = page.goto(path)
    assert response.status == status, f"{path} answered {response.status}"
    assert page.locator("h1").first.inner_text().strip().startswith(heading), page.locator("h1").first.inner_text()
    page.screenshot(path=artifacts_dir / f"tour-{name}.png", full_page=True)


def test_a_coordinator_can_open_every_foundation_page(page, workgroup, coordinator, member, artifacts_dir):
    Job.objects.create(workgroup=workgroup, kind="workgroup_summary_pdf", requested_by=coordinator,
                       status=JobStatus.FAILED, error_message="The worker stopped before finishing.")
    InvitationFactory(workgroup=workgroup, email="pending@partner.test", role=Role.QA_REVIEWER, invited_by=coordinator)
    slug = workgroup.slug

    _visit(page, artifacts_dir, "/accounts/login/", "Sign in", "login")
    page.get_by_label("E-mail address").fill(coordinator.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=workgroup.name).wait_for()

    stops = [
        (f"/w/{slug}/", workgroup.name, "dashboard"),
        (f"/w/{slug}/settings/", "Workgroup settings", "settings"),
        (f"/w/{slug}/members/", "Members of", "members"),
        (f"/w/{slug}/audit/", "Audit trail", "audit"),
        (f"/w/{slug}/jobs/", "Reports and background jobs", "jobs"),
        (f"/w/{slug}/jobs/{Job.objects.get().pk}/", "Workgroup summary (PDF)", "job-failed"),
        (f"/w/{slug}/partners/", "Partner map", "partners"),
        (f"/w/{slug}/readiness/", "Readiness", "readiness"),
        (f"/w/{slug}/agreements/", "Agreements", "agreements"),
        (f"/w/{slug}/triage/", "Triage protocols", "triage"),
        (f"/w/{slug}/incidents/", "Incident reports", "incidents"),
        ("/workgroups/new/", "Start a new workgroup", "workgroup-new"),
        ("/guidance/", "Guidance", "guidance-index"),
        ("/guidance/key-partners-and-readiness/", "Key partners", "guidance-topic"),
        ("/resources/", "Resource library", "resources"),
        ("/accounts/password_change/", "Change your password", "password-change"),
    ]
    for path, heading, name in stops:
        _visit(page, artifacts_dir, path, heading, name)
    _visit(page, artifacts_dir, "/w/no-such-workgroup/", "Page not found", "not-found", status=404)
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 404 (Not Found)"]


def test_a_new_partner_accepts_an_invitation_and_a_used_link_is_refused(page, workgroup, coordinator, artifacts_dir):
    invitation = services.invitation_create(
        actor=coordinator, workgroup=workgroup, email="new.partner@ems.test", role=Role.MEMBER, base_url="http://x"
    )
    link = services.invitation_url(invitation)

    _visit(page, artifacts_dir, link, f"Join {workgroup.name}", "invitation-accept")
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Okafor")
    page.locator("#id_password1").fill("a-long-and-unusual-passphrase")
    page.locator("#id_password2").fill("a-different-passphrase")
    page.get_by_role("button", name="Create my account and join").click()
    assert page.get_by_text("The two passwords do not match.").is_visible()
    assert page.get_by_label("First name").input_value() == "Robin"  # nothing typed is lost
    page.screenshot(path=artifacts_dir / "tour-invitation-error.png", full_page=True)
    page.locator("#id_password1").fill("a-long-and-unusual-passphrase")
    page.locator("#id_password2").fill("a-long-and-unusual-passphrase")
    page.get_by_role("button", name="Create my account and join").click()
    page.get_by_role("heading", name=workgroup.name).wait_for()
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is not None

    _visit(page, artifacts_dir, link, "This invitation cannot be used", "invitation-used", status=400)
    assert "already been used" in page.get_by_test_id("invitation-error").inner_text()
