"""The directory import in Chromium with a real worker: a file with problems, the report, then a clean import."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from partners.models import Contact, ImportStatus, Organization
from partners.tests.test_directory_io import csv_bytes, row, sector_of
from partners.tests.test_imports import rows
from toolkit.tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_member_fixes_a_file_with_the_problem_report_and_imports_it(
    page, workgroup, member, celery_worker, artifacts_dir, settings, tmp_path
):
    settings.MEDIA_ROOT = celery_worker["media_root"]  # the web process stores the upload, the worker reads it
    shot = lambda name: page.screenshot(path=artifacts_dir / f"partners-import-{name}.png", full_page=True)  # noqa: E731
    sector_of(workgroup)
    bad_file = tmp_path / "partners.csv"
    bad_file.write_bytes(csv_bytes(*rows(40), row(organization="Broken Org", influence="9", contact_email="nope")))
    good_file = tmp_path / "partners-fixed.csv"
    good_file.write_bytes(csv_bytes(*rows(40), row(organization="Broken Org", influence="5",
                                                   contact_email="fixed@broken.test")))

    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(member.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/w/{workgroup.slug}/partners/organizations/")
    page.get_by_role("link", name="Import CSV").click()
    page.get_by_label("Directory CSV file").set_input_files(bad_file)
    page.get_by_role("button", name="Upload and check").click()

    # The preview follows the check job, then shows what it found.
    page.get_by_test_id("import-errors").wait_for(timeout=60_000)
    assert "2 problems in 81 rows" in page.get_by_test_id("import-errors").inner_text()
    problems = page.get_by_test_id("import-problems").inner_text()
    assert "“9” is not a whole number from 1 to 5." in problems and "“nope” is not a valid e-mail" in problems
    shot("1-problems")
    with page.expect_download() as download_info:
        page.get_by_test_id("problem-report").click()
    report = list(csv.reader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8-sig"))))
    assert report == [["row", "column", "problem"], ["82", "influence", "“9” is not a whole number from 1 to 5."],
                      ["82", "contact_email", "“nope” is not a valid e-mail address."]]

    page.get_by_role("link", name="Upload a corrected file").click()
    page.get_by_label("Directory CSV file").set_input_files(good_file)
    page.get_by_role("button", name="Upload and check").click()
    page.get_by_test_id("import-ready").wait_for(timeout=60_000)
    assert "41 organizations and 81 contacts will be added" in page.get_by_test_id("import-ready").inner_text()
    assert page.get_by_test_id("import-plan").get_by_text("Org 0000").is_visible()
    shot("2-ready")

    page.get_by_test_id("import-confirm").click()
    page.get_by_test_id("import-status").wait_for(timeout=60_000)
    assert "41 organizations and 81 contacts" in page.get_by_test_id("import-status").inner_text()
    shot("3-imported")
    page.get_by_role("link", name="Open the directory").click()
    assert page.get_by_test_id("directory-count").inner_text().startswith("41 organizations")
    assert page.get_by_role("link", name="Broken Org").is_visible()  # first by name
    assert Organization.objects.filter(workgroup=workgroup).count() == 41
    assert Contact.objects.filter(workgroup=workgroup).count() == 81
    assert Organization.objects.get(name="Broken Org").history.get().history_user == member
    assert list(workgroup.partners_directoryimport_set.values_list("status", flat=True).order_by("pk")) == [
        ImportStatus.PENDING, ImportStatus.IMPORTED]
    assert page.console_errors == []
