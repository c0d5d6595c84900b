"""A coordinator changes the default instrument in Chromium: new draft, one more statement, publish."""

from __future__ import annotations

import pytest

from readiness.models import InstrumentStatus, Item
from readiness.tests.factories import default_version
from toolkit.tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATEMENT = "Our 911 center can reach the 988 center on a direct line, not the public number."


def test_a_coordinator_starts_a_draft_of_the_default_instrument_adds_a_statement_and_publishes_it(
    page, workgroup, coordinator, artifacts_dir
):
    shot = lambda name: page.screenshot(path=artifacts_dir / f"readiness-instruments-{name}.png",  # noqa: E731
                                        full_page=True)
    published = default_version(workgroup)
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(coordinator.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"/w/{workgroup.slug}/readiness/instruments/")
    shot("1-list")
    page.get_by_test_id("current-version").click()
    page.get_by_test_id("immutable-note").wait_for()
    assert page.get_by_test_id("add-dimension").count() == 0
    shot("2-published")

    page.get_by_label("What will change? (optional)").fill("A statement about direct lines")
    page.get_by_role("button", name="Start a new draft from this version").click()
    page.get_by_text("Version 2 started as a draft copy of version 1.").wait_for()
    assert page.get_by_test_id("ready-to-publish").is_visible()

    page.get_by_role("link", name="+ Add statement to “Data sharing and technology”").click()
    assert page.get_by_label("Dimension").input_value() != ""  # preselected from the link
    page.get_by_label("Statement").fill(STATEMENT)
    page.get_by_label("Answer type").select_option(label="Yes / partly / no")
    page.get_by_label("Weight").fill("2")
    shot("3-statement-form")
    page.get_by_role("button", name="Add statement").click()
    page.get_by_text(STATEMENT).wait_for()
    shot("4-draft")

    page.get_by_test_id("publish").click()
    page.get_by_text("Version 2 is published").wait_for()
    shot("5-published-v2")

    draft = published.instrument.versions.get(number=2)
    published.refresh_from_db()
    assert (draft.status, published.status) == (InstrumentStatus.PUBLISHED, InstrumentStatus.RETIRED)
    item = Item.objects.get(version=draft, statement=STATEMENT)
    assert (item.dimension.key, item.answer_type, str(item.weight)) == ("data", "yes_partly_no", "2.00")
    assert not Item.objects.filter(version=published, statement=STATEMENT).exists()
    assert page.console_errors == []
