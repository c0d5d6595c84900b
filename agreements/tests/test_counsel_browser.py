"""Counsel approvals in Chromium: a coordinator records one party's approval and sends the other a link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agreements import services
from agreements.models import PartyApproval
from agreements.tests.test_views_review import make_mou
from toolkit.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def test_counsel_for_both_parties_approve_one_recorded_one_through_the_link(
    page, chromium, live_server, workgroup, coordinator, settings, artifacts_dir
):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the link's e-mail goes out in the request (locmem outbox)
    shots = Path(os.environ.get("COUNSEL_SHOTS_DIR") or artifacts_dir)
    shots.mkdir(parents=True, exist_ok=True)
    agreement = services.agreement_submit(actor=coordinator, agreement=make_mou(workgroup, coordinator))
    line, psap = agreement.parties.order_by("order")
    counsel_page = f"/w/{workgroup.slug}/agreements/{agreement.pk}/counsel/"
    counsel_context = chromium.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    counsel_tab = counsel_context.new_page()
    errors: list[str] = []
    for tab in (page, counsel_tab):
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        sign_in(page, coordinator)
        page.goto(counsel_page)
        page.get_by_text("Still waiting for: Riverbend Crisis Line, County 911 & Dispatch.").wait_for()

        # The PSAP's counsel approved on a call: the coordinator records it, naming them.
        page.locator("#id_record-party").select_option(label=psap.name)
        page.locator("#id_record-decision_0").check()
        page.locator("#id_record-approver_name").fill("Dana Price")
        page.locator("#id_record-approver_title").fill("Assistant County Attorney")
        page.get_by_role("button", name="Record the decision").click()
        page.get_by_text("Recorded: counsel for County 911 & Dispatch approved version 1.").wait_for()

        # The crisis line's counsel gets a link; the coordinator sees it once, to copy.
        page.locator("#id_link-party").select_option(label=line.name)
        page.locator("#id_link-email").fill("counsel@crisisline.test")
        page.get_by_role("button", name="Send the link").click()
        link = page.get_by_test_id("sent-url").input_value()
        assert link.startswith(f"{live_server.url}/counsel/{workgroup.slug}/")
        page.screenshot(path=shots / "counsel-1-page-link-sent.png", full_page=True)

        counsel_tab.goto(link)  # no account
        counsel_tab.get_by_text("as counsel for").wait_for()
        counsel_tab.screenshot(path=shots / "counsel-2-link-page.png", full_page=True)
        counsel_tab.get_by_label("Approve this version").check()
        counsel_tab.get_by_label("Your name").fill("Sam Lee")
        counsel_tab.get_by_label("Your title").fill("General Counsel")
        counsel_tab.get_by_role("button", name="Send my decision").click()
        counsel_tab.get_by_test_id("thanks").wait_for()
        counsel_tab.screenshot(path=shots / "counsel-3-thanks.png", full_page=True)

        counsel_tab.goto(link)  # used: gone
        counsel_tab.get_by_test_id("link-error").wait_for()
        counsel_tab.screenshot(path=shots / "counsel-4-link-used.png", full_page=True)

        page.goto(counsel_page)
        page.get_by_text("Counsel for every party approved version 1.").first.wait_for()
        page.screenshot(path=shots / "counsel-5-all-approved.png", full_page=True)
        assert set(PartyApproval.objects.filter(decided_at__isnull=False).values_list("approver_name", flat=True)) \
            == {"Dana Price", "Sam Lee"}
        assert [e for e in errors if "410 (Gone)" not in e] == []  # the used link answers 410 on purpose
    finally:
        counsel_context.close()
