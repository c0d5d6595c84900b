"""The clause editor in Chromium: formatting, placeholders from the list, saving, and the strict CSP holding."""

from __future__ import annotations

import pytest

from agreements import services
from agreements.models import Agreement, AgreementTemplate
from partners.tests.factories import OrganizationFactory
from toolkit.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUOTE = "stays on the line until the 988 counselor answers"
# Every CSP refusal, however the browser reports it (the event sees what the console may summarise).
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline")));
"""


@pytest.fixture
def agreement(workgroup, coordinator, legal_reviewer):
    services.library_ensure_defaults(workgroup=workgroup)
    template = AgreementTemplate.objects.get(workgroup=workgroup, kind="mou")
    agreement = services.agreement_create(
        actor=coordinator, workgroup=workgroup, template=template, title="Riverbend 988/911 MOU",
        parties=[{"organization": OrganizationFactory(workgroup=workgroup, name="Riverbend Crisis Line")},
                 {"organization": OrganizationFactory(workgroup=workgroup, name="Riverbend 911")}],
    )
    version = agreement.versions.get(number=1)
    services.comment_add(actor=legal_reviewer, version=version, clause_key="call-transfer", quote=QUOTE,
                         body="Name the dedicated transfer line, and who keeps the caller if a transfer fails.")
    return agreement


def _csp_messages(page) -> list[str]:
    return [m for m in page.console_errors if "Content Security Policy" in m]


def test_a_coordinator_formats_a_clause_inserts_a_placeholder_and_saves_it_under_the_csp(
    page, coordinator, agreement, artifacts_dir
):
    page.add_init_script(WATCH_CSP)
    sign_in(page, coordinator)
    page.goto(f"/w/riverbend/agreements/{agreement.pk}/edit/")

    # The clause with an open comment is open, its comment beside the editor; the others are closed.
    transfer = page.locator("#clause-call-transfer")
    comment = transfer.get_by_test_id("open-comment")
    comment.get_by_text("raised on version 1").wait_for()
    assert QUOTE in comment.inner_text()
    editor = transfer.locator(".ql-editor")
    editor.wait_for()
    assert page.locator("#id_clause_call-transfer").is_hidden()  # the editor took the textarea's place
    assert page.locator("#clause-definitions .ql-editor").count() == 0  # closed: not started yet
    transfer.evaluate("section => section.scrollIntoView({behavior: 'instant'})")
    page.screenshot(path=artifacts_dir / "agreements-editor.png")

    # Type a numbered list with a bold word, then put a placeholder at the cursor from the list beside.
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # an empty item leaves the clause's own list
    page.keyboard.type("Added by counsel:")
    page.keyboard.press("Enter")
    transfer.get_by_role("button", name="Numbered list").click()
    page.keyboard.type("The sending party keeps the caller until ")
    transfer.get_by_role("button", name="Bold").click()
    page.keyboard.type("both")
    transfer.get_by_role("button", name="Bold").click()
    page.keyboard.type(" counselors have spoken to ")
    page.get_by_test_id("placeholders").get_by_role("button", name="[[parties]]").click()
    page.keyboard.press("Enter")
    page.keyboard.type("Monthly report")
    page.keyboard.press("Shift+Home")
    page.get_by_role("button", name='[[if reporting_frequency == "monthly"]]').click()
    page.get_by_text("Inserted [[if reporting_frequency").wait_for()

    # Tab leaves the editor: keyboard users are not trapped in it.
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.ql-editor') === null")

    # A clause opened later gets its editor then.
    page.locator("#clause-definitions > summary").click()
    page.locator("#clause-definitions .ql-editor").wait_for()

    page.get_by_role("button", name="Save as version 2").click()
    page.get_by_text("Saved as version 2.").wait_for()

    agreement.refresh_from_db()
    clauses = {c["key"]: c["body"] for c in agreement.versions.get(number=2).clauses}
    body = clauses["call-transfer"]
    assert ("<p>Added by counsel:</p><ol><li>The sending party keeps the caller until <strong>both</strong> "
            "counselors have spoken to [[parties]]</li>") in body
    assert '<li>[[if reporting_frequency == "monthly"]]Monthly report[[endif]]</li></ol>' in body
    assert "&nbsp;" not in body
    version_1 = {c["key"]: c["body"] for c in agreement.versions.get(number=1).clauses}
    assert clauses["definitions"] == version_1["definitions"]  # opened, not touched: not changed
    assert page.evaluate("window.__cspViolations") == [] and _csp_messages(page) == []


def test_without_javascript_the_clause_is_still_a_textarea_that_saves(chromium, live_server, coordinator,
                                                                    agreement):
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, coordinator)
        page.goto(f"/w/riverbend/agreements/{agreement.pk}/edit/")
        page.locator("#id_clause_call-transfer").fill("<p>Plain <strong>HTML</strong> still works.</p>")
        page.get_by_role("button", name="Save as version 2").click()
        page.get_by_text("Saved as version 2.").wait_for()
    finally:
        context.close()

    clauses = {c["key"]: c["body"] for c in Agreement.objects.get().versions.get(number=2).clauses}
    assert clauses["call-transfer"] == "<p>Plain <strong>HTML</strong> still works.</p>"


def test_when_someone_saved_first_every_word_typed_in_the_editor_is_kept_for_the_next_save(
    page, coordinator, agreement
):
    page.add_init_script(WATCH_CSP)
    sign_in(page, coordinator)
    page.goto(f"/w/riverbend/agreements/{agreement.pk}/edit/")
    editor = page.locator("#clause-call-transfer .ql-editor")
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Typed before the other save.")
    page.get_by_role("button", name='[[if reporting_frequency == "quarterly"]]').click()
    services.agreement_save(actor=coordinator, agreement=agreement, base_version_number=1, title=agreement.title,
                            variables={}, clause_bodies={"definitions": "<p>Saved in another tab.</p>"})

    page.get_by_role("button", name="Save as version 2").click()
    page.get_by_test_id("stale-conflict").wait_for()
    kept = page.locator("#clause-call-transfer .ql-editor")
    assert 'Typed before the other save.[[if reporting_frequency == "quarterly"]][[endif]]' in kept.inner_text()
    page.get_by_role("button", name="Save as version 3").click()
    page.get_by_text("Saved as version 3.").wait_for()

    clauses = {c["key"]: c["body"] for c in Agreement.objects.get().versions.get(number=3).clauses}
    assert 'Typed before the other save.[[if reporting_frequency == "quarterly"]][[endif]]' in clauses["call-transfer"]
    assert clauses["definitions"] == "<p>Saved in another tab.</p>"  # their save stands: ours did not touch it
    assert page.evaluate("window.__cspViolations") == [] and _csp_messages(page) == []


def test_the_html_of_a_clause_can_still_be_edited_by_hand(page, coordinator, agreement):
    sign_in(page, coordinator)
    page.goto(f"/w/riverbend/agreements/{agreement.pk}/edit/")

    page.get_by_role("button", name="Edit the HTML of “Call Transfer Procedures”").click()
    page.locator("#id_clause_call-transfer").fill("<p>By hand: <em>[[parties]]</em></p>")
    page.get_by_role("button", name="Save as version 2").click()
    page.get_by_text("Saved as version 2.").wait_for()

    clauses = {c["key"]: c["body"] for c in Agreement.objects.get().versions.get(number=2).clauses}
    assert clauses["call-transfer"] == "<p>By hand: <em>[[parties]]</em></p>"
