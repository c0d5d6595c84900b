"""The headers as Chromium reads them: the Permissions-Policy names only features the browser knows (an unknown
one is reported on every page), and the features it denies are denied."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chromium_accepts_the_permissions_policy_and_denies_its_features(page):
    reports = []
    page.on("console", lambda message: reports.append(message.text)
            if "Permissions-Policy" in message.text or "Content Security Policy" in message.text else None)

    for url in ("/accounts/login/", "/guidance/"):
        page.goto(url)
        allowed = page.evaluate("['camera', 'microphone', 'geolocation', 'payment', 'usb']"
                                ".filter(feature => document.featurePolicy.allowsFeature(feature))")
        assert allowed == [], url

    assert reports == []
    assert page.console_errors == []
