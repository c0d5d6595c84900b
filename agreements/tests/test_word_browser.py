"""In Chromium: a coordinator uploads counsel's edited Word copy, reviews the redlines and accepts one change."""

from __future__ import annotations

from pathlib import Path

import pytest

from agreements.models import AgreementVersion
from agreements.tests.word_helpers import (
    add_paragraph_after,
    edit_document,
    exported,
    make_agreement,
    replace_text,
    track_changes,
)
from toolkit.tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots")  # noqa: S108 (screenshots for people to look at, not test data)


def counsel_edits(root) -> None:
    replace_text(root, "records for five years", "records for seven years")
    track_changes(root, within="911 transfers eligible calls to 988.", delete="eligible ", insert_after="to 988",
                  inserted=" and stays on the line")
    add_paragraph_after(root, "records for seven years", "The parties also swap staff rosters each month.")


def test_a_coordinator_reviews_counsels_word_copy_and_accepts_one_clause(page, workgroup, coordinator, tmp_path):
    mou = make_agreement(workgroup, coordinator)
    document = tmp_path / "mou-county-counsel.docx"
    document.write_bytes(edit_document(exported(mou), counsel_edits))

    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(coordinator.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/w/{workgroup.slug}/agreements/{mou.pk}/word/")
    page.get_by_label("Word document (.docx)").set_input_files(str(document))
    page.get_by_label("Whose counsel marked it up").select_option(label="County 911 & Dispatch")
    page.get_by_role("button", name="Read the document").click()

    page.get_by_test_id("word-summary").wait_for()
    assert "2 clauses changed" in page.get_by_test_id("word-summary").inner_text()
    transfer = page.locator('[data-key="transfer"]')
    assert transfer.get_by_text("Tracked changes").is_visible()
    assert transfer.locator("del").first.inner_text() == "eligible"
    assert "swap staff rosters" in page.get_by_test_id("word-unmatched").inner_text()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / "word-import.png", full_page=True)

    page.get_by_label("Accept this change to “Call Transfer”").check()
    page.get_by_role("button", name="Save the accepted changes as version 2").click()
    page.get_by_text("Saved as version 2").wait_for()

    version = AgreementVersion.objects.get(agreement=mou, number=2)
    bodies = {c["key"]: c["body"] for c in version.clauses}
    assert "stays on the line" in bodies["transfer"] and "five years" in bodies["records"]
    assert page.console_errors == []  # no CSP refusals, no script errors
