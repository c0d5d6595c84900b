"""In Chromium, with a real worker: a legal reviewer asks for a packet, watches it being built and downloads it."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from agreements.models import Agreement, AgreementPacket
from toolkit.models import Workgroup

pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_legal_reviewer_builds_a_packet_watches_its_progress_and_downloads_it(
    page, chromium, live_server, worker_media, artifacts_dir
):
    call_command("seed_demo", stdout=StringIO())
    county = Workgroup.objects.get(slug="riverbend-county")
    mou = Agreement.objects.filter(workgroup=county).order_by("pk").first()
    page.context.set_default_timeout(20_000)

    def shot(step: str) -> None:
        page.screenshot(path=artifacts_dir / f"packets-{step}.png", full_page=True)

    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill("legal@example.org")
    page.get_by_label("Password").fill("demo-pass-988")
    page.get_by_role("button", name="Sign in").click()
    page.goto(mou.get_absolute_url())
    page.get_by_test_id("build-packet").first.click()

    page.wait_for_url(re.compile(r"/packets/\?version=2$"))
    form = page.get_by_test_id("packet-form")
    for label in ("Contact directory of the parties", "Roles and responsibilities (RACI)",
                  "Open review comments (versions not yet approved)"):
        assert form.get_by_label(label).is_checked()
    shot("1-form")
    form.get_by_label("Data-sharing terms").uncheck()
    form.get_by_role("button", name="Build packet").click()

    page.wait_for_url(re.compile(r"/packets/\d+/$"))
    status = page.get_by_test_id("packet-status")
    assert status.get_attribute("data-status") in {"queued", "running", "succeeded"}
    shot("2-requested")
    page.locator('[data-testid="packet-status"][data-status="succeeded"]').wait_for(timeout=90_000)
    shot("3-ready")
    packet = AgreementPacket.objects.get()
    assert packet.sha256 in page.get_by_test_id("packet-sha256").inner_text()

    with page.expect_download() as download:
        page.get_by_test_id("packet-download").click()
    target = artifacts_dir / "packets-demo-packet.pdf"
    download.value.save_as(target)
    reader = PdfReader(target)
    text = "\n".join(p.extract_text() or "" for p in reader.pages)
    assert "Exhibit C: Triage protocol" in text and "Data-sharing terms" not in text
    assert len(reader.pages) == packet.page_count

    page.goto(f"/w/{county.slug}/agreements/{mou.pk}/packets/")
    assert page.get_by_test_id("packet-row").count() == 1
    shot("4-list")
    assert not page.console_errors
