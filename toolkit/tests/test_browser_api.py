"""The API keys page and the API docs in Chromium: the key is shown once and copied; the docs render under the
site's strict CSP (no console errors). Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest

from toolkit.models import ApiToken, Role
from toolkit.services.api_tokens import key_hash
from toolkit.tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory, WorkgroupFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_coordinator_creates_a_key_sees_it_once_and_copies_it(page, artifacts_dir):
    county = WorkgroupFactory(name="Riverbend County Workgroup", slug="riverbend")
    coordinator = UserFactory(email="casey@riverbend.test", first_name="Casey", last_name="Morgan")
    MembershipFactory(user=coordinator, workgroup=county, role=Role.COORDINATOR)
    _sign_in(page, coordinator.email)
    page.wait_for_url("**/w/**")

    page.goto("/w/riverbend/api-keys/")
    page.get_by_label("Name").fill("County CAD export")
    page.get_by_label("Read and write: also send transfer records and incidents").check()
    page.get_by_role("button", name="Create key").click()
    page.get_by_test_id("new-key").wait_for()
    key = page.get_by_label("The new API key").input_value()
    assert ApiToken.objects.get().key_hash == key_hash(key)
    assert page.get_by_text("you will not see it again").is_visible()
    page.get_by_test_id("copy-key").click()
    page.get_by_text("Copied").or_(page.get_by_text("Could not copy")).wait_for()
    page.screenshot(path=artifacts_dir / "api-keys-created.png", full_page=True)
    assert page.console_errors == []

    page.goto("/w/riverbend/api-keys/")
    assert key not in page.content()
    page.get_by_role("link", name="Revoke…").click()
    page.get_by_role("button", name="Revoke key").click()
    page.get_by_text("no longer works").wait_for()
    assert page.get_by_text("Revoked", exact=True).is_visible()
    page.screenshot(path=artifacts_dir / "api-keys-revoked.png", full_page=True)


def test_the_api_docs_render_from_this_site_without_csp_errors(page, artifacts_dir):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/docs/")
    page.get_by_text("Crisis Interop Toolkit API").first.wait_for()
    page.get_by_text("/api/v1/transfers/").first.wait_for()
    page.get_by_text("Record a transfer (write key)").click()
    page.get_by_text("Idempotent on").first.wait_for()
    page.screenshot(path=artifacts_dir / "api-docs.png", full_page=True)
    assert page.console_errors == []
    base = page.url.split("/api/")[0]
    assert [url for url in requested if not url.startswith(base) and not url.startswith("data:")] == []
