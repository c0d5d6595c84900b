"""In Chromium: setting up two-step sign-in and signing in with it; the idle sign-out warning and its button."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from toolkit.sessions import LAST_ACTIVITY_KEY
from toolkit.tests.browser import sign_in
from toolkit.tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code_for_key(key: str, *, later: int = 0) -> str:
    from base64 import b32decode

    totp = TOTP(b32decode(key.replace(" ", "")))
    totp.time = time.time() + later
    return f"{totp.token():06d}"


def test_a_coordinator_sets_up_two_step_sign_in_and_signs_in_with_a_code(page, workgroup, coordinator, artifacts_dir):
    sign_in(page, coordinator)
    page.get_by_role("button", name=f"Account menu for {coordinator}").click()
    page.get_by_role("link", name="Two-step sign-in").click()
    page.get_by_role("button", name="Set up two-step sign-in").click()

    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    key = page.get_by_test_id("two-step-key").inner_text()
    page.screenshot(path=artifacts_dir / "two-step-1-setup.png", full_page=True)
    page.get_by_role("textbox", name="Code").fill("000000")
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    time.sleep(1.1)  # the wait after a wrong code
    page.get_by_role("textbox", name="Code").fill(_code_for_key(key))
    page.get_by_role("button", name="Turn on").click()

    codes = page.get_by_test_id("recovery-codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    page.screenshot(path=artifacts_dir / "two-step-2-recovery-codes.png", full_page=True)

    page.get_by_role("button", name=f"Account menu for {coordinator}").click()
    page.get_by_role("button", name="Sign out").click()
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(coordinator.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    expect(page.get_by_role("textbox", name="Code")).to_be_focused()
    page.screenshot(path=artifacts_dir / "two-step-3-code.png", full_page=True)
    page.get_by_role("textbox", name="Code").fill(_code_for_key(key, later=30))  # the set-up code cannot be used twice
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/w/riverbend/")


def test_the_idle_warning_appears_before_sign_out_and_its_button_keeps_the_session(
        page, workgroup, member, settings, artifacts_dir):
    from django.contrib.sessions.models import Session

    settings.SESSION_IDLE_TIMEOUT = timedelta(seconds=30)  # the page warns 9 s before its 27 s are up
    sign_in(page, member)

    warning = page.get_by_role("alertdialog")
    expect(warning).to_be_visible(timeout=25_000)
    expect(warning.get_by_role("button", name="Stay signed in")).to_be_focused()
    page.screenshot(path=artifacts_dir / "idle-1-warning.png", full_page=False)
    stored_before = Session.objects.get().get_decoded()[LAST_ACTIVITY_KEY]
    page.keyboard.press("Enter")

    expect(warning).to_have_count(0)
    page.wait_for_function("() => true")
    deadline = time.time() + 5
    while Session.objects.get().get_decoded()[LAST_ACTIVITY_KEY] == stored_before and time.time() < deadline:
        time.sleep(0.2)
    assert Session.objects.get().get_decoded()[LAST_ACTIVITY_KEY] > stored_before

    # Left alone, the page goes to sign-in when the time is up, and says why.
    page.wait_for_url("**/accounts/login/**", timeout=40_000)
    expect(page.get_by_text("You were signed out after")).to_be_visible()
