"""The transfer import in Chromium with a real worker: upload a partner's export, map, preview, import."""

from __future__ import annotations

import pytest

from toolkit.tests.factories import TEST_PASSWORD
from triage.models import ImportStatus, Transfer, TransferImport, TransferImportMapping
from triage.tests.test_transfer_imports import csv_bytes, line, make_partners

pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_member_imports_a_partners_export_step_by_step(page, workgroup, member, celery_worker, artifacts_dir,
                                                         settings, tmp_path):
    settings.MEDIA_ROOT = celery_worker["media_root"]  # the web process stores the upload, the worker reads it
    shot = lambda name: page.screenshot(path=artifacts_dir / f"transfer-import-{name}.png", full_page=True)  # noqa: E731
    metro, _ = make_partners(workgroup)
    export = tmp_path / "metro-cad-march.csv"
    export.write_bytes(csv_bytes(line("CAD-1"), line("CAD-2", Result="refused", Accepted=""), line("CAD-1")))

    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(member.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/w/{workgroup.slug}/transfers/import/")
    page.get_by_label("Whose export is it?").select_option(label="Metro 911")
    page.get_by_label("CSV export of transfers").set_input_files(export)
    shot("1-upload")
    page.get_by_role("button", name="Upload").click()

    page.get_by_test_id("mapping-form").wait_for()
    assert page.get_by_label("Partner's call id").input_value() == "Call ID"
    shot("2-columns")
    page.get_by_test_id("mapping-save").click()

    page.get_by_test_id("import-ready").wait_for(timeout=60_000)
    assert "2 new transfers will be recorded and 1 row recorded already" in page.get_by_test_id(
        "import-ready").inner_text()
    assert page.get_by_test_id("import-plan").get_by_text("CAD-2").is_visible()
    shot("3-preview")

    page.get_by_test_id("import-confirm").click()
    page.get_by_test_id("import-status").wait_for(timeout=60_000)
    assert "2 new transfers; 1 row recorded already, skipped." in page.get_by_test_id("import-status").inner_text()
    shot("4-imported")
    assert Transfer.objects.filter(source_organization=metro).count() == 2
    assert TransferImport.objects.get().status == ImportStatus.IMPORTED
    assert TransferImportMapping.objects.get(organization=metro).mapping["partner_call_id"] == "Call ID"
    assert page.console_errors == []
