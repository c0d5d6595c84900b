"""The pages people open on the move, at a 1366 px laptop and a 390 px phone: nothing scrolls sideways, the main
controls are in reach, and a full-page screenshot of each goes to test-artifacts/responsive-<page>-<width>.png.

The data is the apps' demo data (what `manage.py seed_demo` makes): partners, agreements, incidents and readiness
rounds, so the pages carry real-length names and lists, not one word each.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from incidents import intake
from readiness.services.links import respondent_link
from readiness.tests.factories import RoundFactory, default_version, link_respondent
from readiness.tests.test_browser_rounds import answer_items
from toolkit.guidance_data import TOPICS
from toolkit.management.commands.seed_demo import DEMO_WORKGROUP
from toolkit.models import Job, JobStatus
from toolkit.reports import WORKGROUP_SUMMARY
from toolkit.services.workgroups import workgroup_setup_defaults
from toolkit.tests.browser import FIND_OVERFLOW, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE, LAPTOP = 390, 1366
VIEWPORTS = {PHONE: {"width": 390, "height": 844}, LAPTOP: {"width": 1366, "height": 900}}
TAP_TARGET = 24  # px, WCAG 2.2 SC 2.5.8 (target size, minimum)

SQUEEZED_CELLS = """() => [...document.querySelectorAll(".guidance-body td")]
    .filter(td => td.getBoundingClientRect().width < 0.9 * td.closest("table").getBoundingClientRect().width)
    .map(td => td.innerText.slice(0, 40))"""


@pytest.fixture
def demo(workgroup, coordinator) -> dict:
    """The workgroup with the apps' demo partners, protocol, agreements, incidents and readiness rounds (not the
    year of transfers: slow, and no page here shows it), a questionnaire link, the intake link, and two jobs:
    a finished one with its file and one still running."""
    workgroup.name = DEMO_WORKGROUP["name"]  # a real-length name, in the navbar and headings
    workgroup.save()
    workgroup_setup_defaults(workgroup=workgroup, actor=coordinator)
    for app_config in apps.get_app_configs():
        if hasattr(app_config, "seed_demo"):
            app_config.seed_demo(workgroup=workgroup, actor=coordinator)
    round_ = RoundFactory(workgroup=workgroup, instrument_version=default_version(workgroup), created_by=coordinator,
                          title="Spring readiness check-in for the transfer partners")
    respondent = link_respondent(round_, name="Tasha Greene", role_title="Director of crisis services")
    respondent.invited_by = coordinator
    respondent.save()
    token = intake.intake_link_enable(actor=coordinator, workgroup=workgroup).intake_token
    finished = Job.objects.create(workgroup=workgroup, kind=WORKGROUP_SUMMARY, status=JobStatus.SUCCEEDED,
                                  progress=100, requested_by=coordinator, finished_at=timezone.now())
    finished.result.save("riverbend_county_988_911_workgroup_summary_2026-12.pdf", ContentFile(b"%PDF-1.7 test"))
    running = Job.objects.create(workgroup=workgroup, kind=WORKGROUP_SUMMARY, status=JobStatus.RUNNING, progress=40,
                                 progress_note="Drawing the partner coverage chart…", requested_by=coordinator,
                                 started_at=timezone.now())
    return {
        "workgroup": workgroup,
        "coordinator": coordinator,
        "respondent": respondent,
        "intake": reverse("incidents-public:intake", kwargs={"slug": workgroup.slug, "link_token": token}),
        "finished": finished,
        "running": running,
    }


def open_context(chromium, live_server, width: int, user=None):
    """A browser the size of a phone or a laptop (touch on the phone), signed in as user if one is given."""
    phone = width == PHONE
    context = chromium.new_context(base_url=live_server.url, viewport=VIEWPORTS[width], is_mobile=phone,
                                   has_touch=phone)
    context.set_default_timeout(15_000)
    page = context.new_page()
    if user is not None:
        sign_in(page, user)
    return context, page


def check_fits(page, artifacts_dir, name: str, width: int) -> None:
    """Screenshot first (so a failure can be looked at), then: nothing wider than the viewport."""
    page.screenshot(path=artifacts_dir / f"responsive-{name}-{width}.png", full_page=True)
    found = page.evaluate(FIND_OVERFLOW)
    assert found["clientWidth"] <= width
    assert found["offenders"] == [], f"{name} at {width} px: elements past the right edge:\n" + "\n".join(
        found["offenders"])
    assert found["scrollWidth"] <= found["clientWidth"], f"{name} at {width} px scrolls sideways: {found}"


def assert_in_reach(locator, width: int) -> None:
    """Visible, wholly inside the viewport's width, and at least a minimal tap target high."""
    locator.scroll_into_view_if_needed()
    assert locator.is_visible()
    box = locator.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{locator} is at {box}"
    assert box["height"] >= TAP_TARGET, f"{locator} is only {box['height']} px high"


@pytest.mark.parametrize("width", [LAPTOP, PHONE])
def test_the_signed_in_pages_fit_the_screen(chromium, live_server, demo, artifacts_dir, width):
    workgroup, slug = demo["workgroup"], demo["workgroup"].slug
    context, page = open_context(chromium, live_server, width, demo["coordinator"])
    try:
        page.goto(f"/w/{slug}/")
        assert page.get_by_role("heading", name=workgroup.name, level=1).is_visible()
        assert page.locator("[data-area]").count() >= 5
        check_fits(page, artifacts_dir, "dashboard", width)
        for card_link in page.locator(".card-footer a").all():
            assert_in_reach(card_link, width)

        page.goto(f"/w/{slug}/jobs/{demo['finished'].pk}/")
        check_fits(page, artifacts_dir, "job-finished", width)
        assert_in_reach(page.get_by_test_id("job-download"), width)

        page.goto(f"/w/{slug}/jobs/{demo['running'].pk}/")
        assert page.get_by_test_id("job-progress-note").is_visible()
        check_fits(page, artifacts_dir, "job-running", width)

        page.goto("/guidance/")
        check_fits(page, artifacts_dir, "guidance", width)
        assert_in_reach(page.get_by_role("link", name="Key partners").first, width)

        for topic in TOPICS:  # each has its own tables and lists
            page.goto(f"/guidance/{topic.slug}/")
            assert page.get_by_role("heading", name=topic.title, level=1).is_visible()
            check_fits(page, artifacts_dir, f"guidance-{topic.slug}", width)
            if width == PHONE:  # a table's rows stack: no column squeezed to a word a line
                assert page.evaluate(SQUEEZED_CELLS) == [], topic.slug
    finally:
        context.close()


def test_on_a_phone_the_navigation_folds_into_the_menu_button_which_opens_it(chromium, live_server, demo,
                                                                            artifacts_dir):
    context, page = open_context(chromium, live_server, PHONE, demo["coordinator"])
    try:
        page.goto(f"/w/{demo['workgroup'].slug}/")
        partners = page.get_by_role("navigation", name="Main").get_by_role("link", name="Partners")
        assert not partners.is_visible()
        toggler = page.get_by_role("button", name="Toggle navigation")
        assert_in_reach(toggler, PHONE)
        toggler.click()
        partners.wait_for()
        assert_in_reach(partners, PHONE)
        assert_in_reach(page.get_by_test_id("workgroup-switcher"), PHONE)
        check_fits(page, artifacts_dir, "navigation-open", PHONE)
        partners.click()
        page.wait_for_url(f"**/w/{demo['workgroup'].slug}/partners/")
    finally:
        context.close()


@pytest.mark.parametrize("width", [LAPTOP, PHONE])
def test_a_partner_answers_the_questionnaire_on_the_screen_they_have(chromium, live_server, demo, artifacts_dir,
                                                                      width):
    context, page = open_context(chromium, live_server, width)
    try:
        page.goto(respondent_link(demo["respondent"], base_url=live_server.url))
        items = page.get_by_test_id("item")
        assert items.count() >= 10
        check_fits(page, artifacts_dir, "questionnaire", width)
        choices = items.first.locator(".form-check")
        lefts = {round(choices.nth(i).bounding_box()["x"]) for i in range(choices.count())}
        if width == PHONE:  # the scale reads top to bottom, one answer a line
            assert len(lefts) == 1, f"the answers of the first question sit side by side at {sorted(lefts)}"
        first_choice = choices.first
        assert_in_reach(first_choice, width)
        first_choice.locator("label").click()
        assert items.first.locator("input[type=radio]").first.is_checked()
        answer_items(page, items.all(), "4")
        submit = page.get_by_role("button", name="Submit answers")
        assert_in_reach(submit, width)
        assert_in_reach(page.get_by_role("button", name="Save and finish later"), width)
        submit.click()
        page.get_by_test_id("thanks").wait_for()
        check_fits(page, artifacts_dir, "questionnaire-thanks", width)
    finally:
        context.close()


@pytest.mark.parametrize("width", [LAPTOP, PHONE])
def test_the_public_incident_form_fits_on_the_screen_they_have(chromium, live_server, demo, artifacts_dir, width,
                                                                settings):
    settings.INCIDENT_INTAKE_FORM_MIN_SECONDS = 0  # the empty form is sent at once, to show its errors
    context, page = open_context(chromium, live_server, width)
    try:
        page.goto(demo["intake"])
        assert page.get_by_role("heading", name="Report an incident").is_visible()
        check_fits(page, artifacts_dir, "intake", width)
        near_miss = page.locator(".form-check").filter(has=page.get_by_role("radio", name="Near miss"))
        assert_in_reach(near_miss, width)
        near_miss.locator("label").click()
        assert page.get_by_role("radio", name="Near miss").is_checked()
        for field in ("Category", "When it happened", "What happened", "Your name (optional)"):
            assert_in_reach(page.get_by_label(field), width)
        assert_in_reach(page.get_by_role("button", name="Send report"), width)
        page.get_by_role("button", name="Send report").click()  # empty: the errors must fit too
        page.get_by_test_id("form-problem").wait_for()
        check_fits(page, artifacts_dir, "intake-errors", width)
    finally:
        context.close()
