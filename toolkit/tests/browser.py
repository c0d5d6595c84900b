"""Helpers for the Playwright tests."""

from __future__ import annotations

from toolkit.tests.factories import TEST_PASSWORD


def sign_in(page, user) -> None:
    """Sign in through the real form (the factories' password) and wait for the workgroup page."""
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/w/**")
