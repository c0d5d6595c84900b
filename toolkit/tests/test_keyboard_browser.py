"""The keyboard-only journey: everything done with Tab, typing, arrow keys, Space and Enter, never the mouse.

A coordinator adds a partner and sets a RACI cell, a legal reviewer comments on a clause and a partner answers a
readiness questionnaire through the link. Each control reached is checked to show where the focus is (WCAG 2.4.7),
and a refused form puts the focus on the first thing to fix. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agreements import services as agreement_services
from agreements.models import ReviewComment
from agreements.tests.test_views_review import make_mou
from partners import services as partner_services
from partners.models import Organization, RaciAssignment, Sector
from partners.tests.factories import OrganizationFactory
from readiness.models import SCORED_TYPES, Answer, Respondent
from readiness.services.links import questionnaire_url
from readiness.tests.factories import RoundFactory, link_respondent, small_version
from toolkit.models import Job, JobStatus
from toolkit.services.workgroups import workgroup_setup_defaults
from toolkit.tests.browser import sign_in
from toolkit.tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the focused element is, as a person hears it: its role, its accessible name (label, aria-label or text),
# and whether a focus indicator is drawn (an outline or Bootstrap's focus ring, a box shadow).
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) { return null; }
  const labels = el.labels ? Array.from(el.labels).map(l => l.innerText) : [];
  const name = (el.getAttribute("aria-label") || labels.join(" ") || el.innerText || el.value || "").trim();
  const style = getComputedStyle(el);
  const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const ringed = style.boxShadow && style.boxShadow !== "none";
  const box = el.getBoundingClientRect();
  return {tag: el.tagName.toLowerCase(), type: el.type || "", id: el.id,
          name: name.replace(/\\s+/g, " ").replace(/\\*$/, ""),  // crispy marks required labels with *
          visible: outlined || ringed, width: box.width, height: box.height};
}"""


def focused(page) -> dict | None:
    return page.evaluate(FOCUSED)


def tab_to(page, *, name: str | re.Pattern, tag: str | None = None, limit: int = 250, backwards: bool = False) -> dict:
    """Press Tab (or Shift+Tab) until the focus is on the control called ``name``; every stop must show its focus."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        now = focused(page)
        if now is None:
            continue
        stops.append(f"{now['tag']}:{now['name'][:40]}")
        assert now["visible"], f"No focus indicator on {now}"
        assert now["width"] > 0 and now["height"] > 0, f"The focus went to something not shown: {now}"
        matches = name.search(now["name"]) if isinstance(name, re.Pattern) else now["name"] == name
        if matches and (tag is None or now["tag"] == tag):
            return now
    pytest.fail(f"{limit} presses of Tab never reached {name!r}; the stops were: {stops[:40]}")


def sign_in_by_keyboard(page, user) -> None:
    page.emulate_media(reduced_motion="reduce")  # no focus-ring transition to catch half-drawn
    page.goto("/accounts/login/")
    tab_to(page, name="E-mail address", tag="input")
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    assert focused(page)["type"] == "password"
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/w/**")


def test_a_coordinator_adds_a_partner_and_sets_a_raci_role_with_the_keyboard_only(page, workgroup, coordinator,
                                                                                   artifacts_dir):
    OrganizationFactory(workgroup=workgroup, name="Riverbend Crisis Line (988)")
    sign_in_by_keyboard(page, coordinator)

    # The partner map, then "Add organization": the link is followed with Enter.
    page.goto(f"/w/{workgroup.slug}/partners/")
    tab_to(page, name=re.compile(r"^Add organization"), tag="a")
    page.keyboard.press("Enter")
    page.wait_for_url("**/organizations/new/")

    # A name of only spaces passes the browser's own check but is refused by the server; the focus goes to the
    # name, which is tied to its error, and the sector chosen is kept.
    tab_to(page, name="Name", tag="input")
    page.keyboard.type("   ")
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_sector"
    page.keyboard.type("Mobile crisis")  # typing picks the option, as in every browser's select
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_org_type"
    page.keyboard.type("Service provider")
    tab_to(page, name="Add organization", tag="input")
    page.keyboard.press("Enter")
    page.locator("#id_name_error").wait_for()
    expect(page.locator("#id_name")).to_be_focused()  # app.js runs after the page loads: wait for it
    described = page.locator("#id_name").get_attribute("aria-describedby")
    assert "This field is required." in " ".join(page.locator(f"#{part}").inner_text() for part in described.split())
    assert page.locator("#id_sector option:checked").inner_text() == "Mobile crisis provider"
    page.screenshot(path=artifacts_dir / "keyboard-1-organization-refused.png", full_page=True)

    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("Harbor City Mobile Crisis Team")
    # Influence: the radio group is one Tab stop, on the answer already chosen (3); the arrow key moves it to 4.
    assert tab_to(page, name=re.compile(r"^3"), tag="input")["id"].startswith("id_influence")
    page.keyboard.press("ArrowRight")
    page.screenshot(path=artifacts_dir / "keyboard-2-organization-form.png", full_page=True)
    tab_to(page, name="Add organization", tag="input")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Harbor City Mobile Crisis Team").wait_for()
    added = Organization.objects.get(workgroup=workgroup, name="Harbor City Mobile Crisis Team")
    assert added.sector.name == "Mobile crisis provider"
    assert added.influence == 4

    # The RACI matrix: the cell's select takes a letter; the row is saved and redrawn, and the focus stays put.
    page.goto(f"/w/{workgroup.slug}/partners/raci/")
    cell = tab_to(page, name=re.compile(r"^Role of Harbor City Mobile Crisis Team in "), tag="select")
    page.keyboard.type("R")
    feedback = page.get_by_test_id("raci-feedback")
    feedback.filter(has_text=re.compile(r"\w")).wait_for()
    expect(page.locator("#live-region")).to_have_text(feedback.inner_text())  # read out once the row settles
    assignment = RaciAssignment.objects.get(organization=added)
    assert assignment.role == "R"
    expect(page.locator(f"#{cell['id']}")).to_be_focused()  # not lost when the row was redrawn
    page.screenshot(path=artifacts_dir / "keyboard-3-raci-cell.png", full_page=False)


def test_a_legal_reviewer_comments_on_a_clause_with_the_keyboard_only(page, workgroup, coordinator, legal_reviewer,
                                                                      artifacts_dir):
    agreement = agreement_services.agreement_submit(actor=coordinator, agreement=make_mou(workgroup, coordinator))
    sign_in_by_keyboard(page, legal_reviewer)
    page.goto(f"/w/{workgroup.slug}/agreements/{agreement.pk}/")
    tab_to(page, name=re.compile(r"^Review page"), tag="a")
    page.keyboard.press("Enter")
    page.get_by_test_id("new-comment").wait_for()

    # An empty comment is refused and the focus lands in the comment box.
    tab_to(page, name="Add comment", tag="button")
    page.keyboard.press("Enter")
    page.get_by_test_id("comment-errors").wait_for()
    expect(page.locator("#id_body")).to_be_focused()
    page.keyboard.type("Name the transfer line's number and its hours here.")
    tab_to(page, name="Add comment", tag="button")
    page.keyboard.press("Enter")
    page.get_by_text("Your comment is added.").wait_for()
    comment = ReviewComment.objects.get()
    assert comment.body == "Name the transfer line's number and its hours here."
    page.screenshot(path=artifacts_dir / "keyboard-4-clause-comment.png", full_page=True)


def test_a_partner_answers_the_questionnaire_with_the_keyboard_only(page, workgroup, coordinator, artifacts_dir):
    version, items = small_version(workgroup)
    round_ = RoundFactory(workgroup=workgroup, instrument_version=version, title="Spring transfer readiness",
                          created_by=coordinator)
    respondent = link_respondent(round_, name="Pat Partner", role_title="",
                                 organization=OrganizationFactory(workgroup=workgroup, name="Riverbend Mobile Crisis"))
    page.emulate_media(reduced_motion="reduce")
    page.goto(questionnaire_url(respondent, base_url=""))
    page.get_by_role("heading", name="Spring transfer readiness").wait_for()

    # Submitting straight away is refused; the focus goes to the message that says what to fix.
    tab_to(page, name="Submit answers", tag="button")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("form-errors")).to_be_focused()
    page.screenshot(path=artifacts_dir / "keyboard-5-questionnaire-refused.png", full_page=True)

    # The next Tab reaches the first field to fix, the role; then each answer scale is one Tab stop whose answer
    # the arrow keys choose, and the free-text and number statements take typing.
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_role_title"
    page.keyboard.type("Dispatch supervisor")
    answered = 0
    for _ in range(60):
        page.keyboard.press("Tab")
        now = focused(page)
        assert now["visible"], f"No focus indicator on {now}"
        if now["name"] == "Save and finish later":
            break
        if now["type"] == "radio":
            page.keyboard.press("ArrowRight")  # the second answer of the scale, chosen by keyboard
            answered += 1
        elif now["type"] == "number":
            page.keyboard.type("12")
        elif now["tag"] == "textarea":
            page.keyboard.type("Shared dispatch notes.")
    tab_to(page, name="Submit answers", tag="button")
    page.screenshot(path=artifacts_dir / "keyboard-6-questionnaire-answered.png", full_page=True)
    page.keyboard.press("Enter")
    page.get_by_test_id("thanks").wait_for()
    respondent = Respondent.objects.get(pk=respondent.pk)
    assert respondent.is_submitted
    scored = [item for item in items.values() if item.answer_type in SCORED_TYPES]
    assert answered == len(scored) > 0
    assert Answer.objects.filter(respondent=respondent, item__in=scored).exclude(choice="").count() == len(scored)
    assert respondent.role_title == "Dispatch supervisor"


def test_htmx_updates_are_read_out_once_and_keep_the_focus(page, workgroup, coordinator, artifacts_dir):
    for name in ("Harbor City Police Dispatch", "Harbor City Mobile Crisis Team", "Riverbend Crisis Line (988)"):
        OrganizationFactory(workgroup=workgroup, name=name)
    job = Job.objects.create(workgroup=workgroup, kind="workgroup_summary_pdf", requested_by=coordinator)
    sign_in_by_keyboard(page, coordinator)

    # Typing in the directory's search redraws the results; the count is read out, the focus stays in the box.
    page.goto(f"/w/{workgroup.slug}/partners/organizations/")
    tab_to(page, name="Search", tag="input")
    page.keyboard.type("harbor")
    live = page.locator("#live-region")
    expect(live).to_have_text(re.compile("2 organizations match these filters"))
    assert focused(page)["name"] == "Search"

    # A job page that polls: the "Queued" it already shows is not read out again at each poll, the polling never
    # takes the focus, and "Ready" is read out when the job is done.
    job_url = f"/w/{workgroup.slug}/jobs/{job.pk}/"
    page.goto(job_url)
    polled = lambda response: response.url.endswith(job_url) and response.request.headers.get("hx-request")  # noqa: E731
    for _ in range(2):
        with page.expect_response(polled, timeout=10_000):
            pass
    page.wait_for_timeout(300)  # htmx settles a moment after the answer
    assert live.inner_text() == "" and focused(page) is None
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, finished_at=timezone.now(),
                                         result=f"w/{workgroup.pk}/jobs/{job.pk}/summary.pdf")
    expect(live).to_have_text("Ready: summary.pdf can be downloaded.")
    assert focused(page) is None
    page.screenshot(path=artifacts_dir / "keyboard-7-job-ready.png", full_page=True)


def test_an_error_beside_a_hand_drawn_field_is_tied_to_it_and_gets_the_focus(page, workgroup, coordinator, tmp_path):
    empty = tmp_path / "incidents.csv"
    empty.write_bytes(b"")
    sign_in_by_keyboard(page, coordinator)
    page.goto(f"/w/{workgroup.slug}/incidents/imports/")
    page.get_by_label("CSV file of past incidents").set_input_files(str(empty))
    tab_to(page, name="Upload", tag="button")
    page.keyboard.press("Enter")
    error = page.get_by_test_id("upload-error")
    error.wait_for()

    field = page.locator("input[type=file]")
    expect(field).to_be_focused()
    assert field.get_attribute("aria-invalid") == "true"
    named = field.get_attribute("aria-describedby").split()
    assert "file-help" in named and error.get_attribute("id") in named


def test_a_table_wider_than_a_phone_can_be_scrolled_with_the_keyboard(chromium, live_server, workgroup, coordinator):
    workgroup_setup_defaults(workgroup=workgroup, actor=coordinator)
    for n in range(3):  # audit rows to show
        partner_services.organization_create(
            actor=coordinator, workgroup=workgroup, name=f"Harbor City Police Dispatch Communications Center {n}",
            sector=Sector.objects.filter(workgroup=workgroup).first(), org_type="public_agency")
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.emulate_media(reduced_motion="reduce")
        sign_in(page, coordinator)
        page.goto(f"/w/{workgroup.slug}/audit/")
        box = page.locator(".table-responsive").first
        assert box.evaluate("b => b.scrollWidth > b.clientWidth"), "the audit table fits a phone: nothing to check"
        assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region"
        assert box.get_attribute("aria-label")
        box.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.querySelector('.table-responsive').scrollLeft > 0")
    finally:
        context.close()
