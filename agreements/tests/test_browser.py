"""A county MOU from first draft to approved export, in Chromium: coordinator and legal reviewer side by side."""

from __future__ import annotations

import io
import re

import docx
import pytest
from pypdf import PdfReader

from agreements import services
from agreements.models import Agreement, AgreementStatus, ReviewComment
from partners.tests.factories import ContactFactory, OrganizationFactory
from toolkit.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINE, PSAP = "Riverbend Crisis Line (988)", "Riverbend County Emergency Communications (911)"


def test_an_mou_goes_from_draft_through_legal_review_to_approved_downloads(
    page, chromium, live_server, workgroup, coordinator, legal_reviewer, artifacts_dir
):
    services.library_ensure_defaults(workgroup=workgroup)  # made with the workgroup (its setup step)
    line = OrganizationFactory(workgroup=workgroup, name=LINE)
    ContactFactory(organization=line, name="Maya Okonkwo", title="Executive Director")
    OrganizationFactory(workgroup=workgroup, name=PSAP)
    base = f"/w/{workgroup.slug}/agreements"
    reviewer_context = chromium.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900},
                                            accept_downloads=True)
    reviewer_context.set_default_timeout(15_000)
    reviewer = reviewer_context.new_page()
    errors: list[str] = []
    for p in (page, reviewer):
        p.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    def shot(p, n: int, step: str) -> None:
        p.screenshot(path=artifacts_dir / f"agreements-{n}-{step}.png", full_page=True)

    try:
        # 1. The coordinator drafts an MOU from the template and submits it.
        sign_in(page, coordinator)
        page.goto(f"{base}/new/")
        page.get_by_role("link", name=re.compile(r"Use this template.*Memorandum of Understanding")).click()
        page.locator("#id_title").fill("Riverbend County 988/911 MOU")
        page.get_by_label(LINE, exact=True).check()
        page.get_by_label(PSAP, exact=True).check()
        page.get_by_label(f"Signatory for {LINE}").select_option(label="Maya Okonkwo · Executive Director")
        page.locator("#id_var_effective_date").fill("2027-05-01")
        shot(page, 1, "draft-form")
        page.get_by_role("button", name="Create the draft").click()
        page.get_by_test_id("review-actions").wait_for()
        agreement = Agreement.objects.get()
        assert agreement.current_version_number == 1
        page.get_by_role("button", name="Submit for legal review").click()
        page.get_by_text("is in legal review").wait_for()
        shot(page, 2, "submitted")

        # 2. On the review page the legal reviewer quotes a passage, comments on it and requests changes.
        sign_in(reviewer, legal_reviewer)
        reviewer.goto(f"{base}/{agreement.pk}/review/")
        reviewer.get_by_test_id("review-clause-call-transfer").click()
        text = reviewer.get_by_test_id("clause-text")
        text.wait_for()
        reviewer.evaluate("""() => {
            const node = document.querySelector('[data-testid=clause-text] p');
            const range = document.createRange();
            range.setStart(node.firstChild, 0);
            range.setEnd(node.firstChild, 27);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }""")
        reviewer.get_by_role("button", name="Quote selection").click()
        quoted = reviewer.locator("#id_quote").input_value()
        assert quoted and quoted in text.inner_text()
        reviewer.locator("#id_body").fill(
            "Name the dedicated transfer line, and say who keeps the caller when a transfer fails.")
        reviewer.get_by_role("button", name="Add comment").click()
        reviewer.get_by_text("Your comment is added.").wait_for()
        assert "clause=call-transfer" in reviewer.url
        assert reviewer.get_by_test_id("comment-quote").inner_text().startswith(f"“{quoted}")
        shot(reviewer, 3, "reviewer-comment")
        reviewer.locator("#id_note").fill("Clause 5 needs the transfer line.")
        reviewer.get_by_role("button", name="Request changes").click()
        reviewer.get_by_text("Changes requested on version 1").wait_for()
        agreement.refresh_from_db()
        assert agreement.status == AgreementStatus.CHANGES_REQUESTED
        shot(reviewer, 4, "changes-requested")

        # 3. The coordinator revises the clause in the rich editor, the comment beside it, and resubmits.
        page.goto(f"{base}/{agreement.pk}/edit/")
        transfer = page.locator("#clause-call-transfer")
        transfer.get_by_test_id("open-comment").get_by_text("Name the dedicated transfer line").wait_for()
        editor = transfer.locator(".ql-editor")
        editor.click()
        page.keyboard.press("Control+End")
        page.keyboard.press("Enter")
        page.keyboard.press("Enter")  # leave the clause's own list
        page.keyboard.type("Transfers use the dedicated line; the sending party keeps the caller if one fails.")
        page.locator("#id_change_summary").fill("Dedicated transfer line, per counsel")
        shot(page, 5, "coordinator-edit")
        page.get_by_role("button", name="Save as version 2").click()
        page.get_by_text("Saved as version 2.").wait_for()
        assert "dedicated line" in agreement.versions.get(number=2).clauses[
            [c["key"] for c in agreement.versions.get(number=2).clauses].index("call-transfer")]["body"]
        page.get_by_role("button", name="Submit for legal review").click()
        page.get_by_text("Version 2 is in legal review.").wait_for()
        shot(page, 6, "resubmitted")

        # 4. The reviewer finds the comment carried to version 2 with the redline, resolves it and approves there.
        reviewer.goto(f"{base}/{agreement.pk}/review/")
        item = reviewer.get_by_test_id("review-clause-call-transfer")
        assert "Changed" in item.inner_text() and "1 open" in item.inner_text()
        item.click()
        comment = reviewer.get_by_test_id("comment")
        comment.get_by_test_id("raised-on").get_by_text("raised on version 1").wait_for()
        assert "dedicated line" in " ".join(reviewer.get_by_test_id("clause-redline").locator("ins").all_inner_texts())
        comment.locator("summary").click()  # how the clause changed since the comment was raised
        assert comment.get_by_test_id("since-raised").locator("ins").count() >= 1
        shot(reviewer, 7, "carried-comment-redline")
        comment.get_by_label("How it was resolved (optional)").fill("Line named; fine now.")
        comment.get_by_role("button", name="Resolve").click()
        reviewer.get_by_text("The comment is resolved.").wait_for()
        assert ReviewComment.objects.get().resolved_by == legal_reviewer
        reviewer.get_by_test_id("approve-form").get_by_role("button", name="Approve version 2").click()
        reviewer.get_by_text("Version 2 is approved").wait_for()
        agreement.refresh_from_db()
        assert agreement.status == AgreementStatus.APPROVED
        shot(reviewer, 8, "approved")
        reviewer.goto(f"{base}/{agreement.pk}/")
        with reviewer.expect_download() as docx_download:
            reviewer.get_by_role("link", name="Download Word (DOCX)").click()
        with reviewer.expect_download() as pdf_download:
            reviewer.get_by_role("link", name="Download PDF").click()
        assert docx_download.value.suggested_filename == "riverbend-county-988911-mou-v2.docx"
        assert pdf_download.value.suggested_filename == "riverbend-county-988911-mou-v2.pdf"
        docx_path = artifacts_dir / "agreements-9-download.docx"
        pdf_path = artifacts_dir / "agreements-9-download.pdf"
        docx_download.value.save_as(docx_path)
        pdf_download.value.save_as(pdf_path)
        document = docx.Document(docx_path)
        assert any("Call Transfer Procedures" in p.text for p in document.paragraphs)
        text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf_path.read_bytes())).pages)
        # Approved: a clean copy for signature, no DRAFT mark.
        assert LINE in text and "DRAFT" not in text and "Approved" in text and "dedicated line" in text
        assert errors == []
    finally:
        reviewer_context.close()
