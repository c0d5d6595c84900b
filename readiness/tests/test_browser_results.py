"""Results, gaps, the comparison and the action plan in Chromium, with screenshots: as a coordinator sees them
(live results of an open round), and as a member sees an open round (not shared yet) and a closed one."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from readiness.models import ActionItem, AnswerType
from readiness.selectors import version_dimensions
from readiness.tests.factories import RoundFactory, default_version, link_respondent, submitted
from readiness.tests.test_views_results import close, organization
from toolkit.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORGANIZATIONS = ("Riverbend 988 Crisis Center", "County Emergency Communications (PSAP)",
                 "Riverbend Mobile Crisis Team", "Riverbend Fire-EMS", "Peer Voices <Network>")


def _round_with_answers(workgroup, *, title, days_ago, lift=0, seed=4):
    """The default instrument answered by five organizations (1–3 people each), deterministic."""
    rng = random.Random(seed)
    version = default_version(workgroup)
    round_ = RoundFactory(workgroup=workgroup, instrument_version=version, title=title,
                          opened_at=timezone.now() - timedelta(days=days_ago))
    items = [i for d in version_dimensions(version=version) for i in d.items.all()]
    for index, name in enumerate(ORGANIZATIONS):
        org = organization(workgroup, name)
        for person in range(1 + index % 3):
            choices = {}
            for item in items:
                if item.answer_type == AnswerType.AGREEMENT:
                    base = 2 + (index + item.dimension.order) % 3 + lift
                    choices[item] = str(max(1, min(5, base + rng.choice([-1, 0, 0, 1]))))
                elif item.answer_type == AnswerType.YES_PARTLY_NO:
                    choices[item] = rng.choice(["yes", "partly", "no", "unsure"])
                elif item.answer_type == AnswerType.NUMBER:
                    choices[item] = "12"
                else:
                    choices[item] = "Only the coordinator reads this"
            submitted(link_respondent(round_, name=f"Hidden Person {index}-{person}", organization=org), choices)
    link_respondent(round_, name="Hidden Person not started")
    return round_


def test_a_coordinator_reads_the_results_accepts_a_gap_and_compares_rounds(
    page, workgroup, coordinator, artifacts_dir
):
    shot = lambda name: page.screenshot(path=artifacts_dir / f"readiness-results-{name}.png",  # noqa: E731
                                        full_page=True)
    earlier = close(_round_with_answers(workgroup, title="Spring 2024 round", days_ago=380, lift=-1, seed=2))
    latest = _round_with_answers(workgroup, title="Spring 2025 round", days_ago=10)  # still open: live results
    ActionItem.objects.create(workgroup=workgroup, round=earlier, source_key="dimension:vision",
                              title="Write a one-page purpose and scope statement",
                              owner_organization=organization(workgroup, ORGANIZATIONS[0]),
                              due_date=timezone.localdate() - timedelta(days=12))
    sign_in(page, coordinator)

    page.goto(f"/w/{workgroup.slug}/readiness/rounds/{latest.pk}/results/")
    assert page.get_by_test_id("response-count").inner_text().startswith("9 submitted of 10 invited.")
    assert page.get_by_test_id("live-note").is_visible()
    assert page.get_by_test_id("profile").locator("svg rect[data-role=bar]").count() == 8
    assert page.get_by_test_id("disagreement").inner_text().startswith("Partners disagree most on")
    assert "Hidden Person" not in page.content()
    shot("1-results")

    page.get_by_role("link", name="Gaps and proposed action items").first.click()
    first_gap = page.get_by_test_id("gap").first
    source_key = first_gap.get_attribute("data-source-key")
    first_gap.get_by_text("Accept as an action item").click()
    first_gap.get_by_label("Owner organization").select_option(label=ORGANIZATIONS[1])
    first_gap.get_by_label("Due date").fill((timezone.localdate() + timedelta(days=45)).isoformat())
    shot("2-gaps-accepting")
    first_gap.get_by_role("button", name="Accept").click()
    page.get_by_text("is in the action plan").wait_for()
    accepted = page.locator(f"[data-testid=gap][data-source-key='{source_key}']")
    assert accepted.get_by_test_id("accepted").is_visible()
    shot("3-gaps-accepted")
    item = ActionItem.objects.get(round=latest, source_key=source_key)
    assert item.owner_organization.name == ORGANIZATIONS[1]

    page.goto(f"/w/{workgroup.slug}/readiness/compare/")
    page.get_by_label("Spring 2024 round").check()
    page.get_by_label("Spring 2025 round").check()
    page.get_by_role("button", name="Compare").click()
    page.get_by_test_id("comparison-table").wait_for()
    assert page.locator("[data-testid=comparison] svg [data-role=line]").count() == 8
    shot("4-compare")

    page.goto(f"/w/{workgroup.slug}/readiness/actions/")
    assert page.get_by_test_id("action-row").count() == 2
    assert page.get_by_test_id("overdue").count() == 1
    shot("5-action-plan")
    page.get_by_role("link", name=f"Edit {item.title}").click()
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_role("button", name="Save action item").click()
    page.get_by_text("(in progress)").wait_for()
    item.refresh_from_db()
    assert item.status == "in_progress"
    assert page.console_errors == []


def test_a_member_waits_for_the_round_to_close_before_seeing_results(page, workgroup, member, artifacts_dir):
    shot = lambda name: page.screenshot(path=artifacts_dir / f"readiness-results-{name}.png",  # noqa: E731
                                        full_page=True)
    earlier = close(_round_with_answers(workgroup, title="Spring 2024 round", days_ago=380, lift=-1, seed=2))
    latest = _round_with_answers(workgroup, title="Spring 2025 round", days_ago=10)
    sign_in(page, member)

    page.goto(f"/w/{workgroup.slug}/readiness/rounds/{latest.pk}/results/")
    notice = page.get_by_test_id("results-not-yet")
    assert "shared with the workgroup when the coordinator closes the round" in notice.inner_text()
    assert page.get_by_test_id("response-count").inner_text() == "9 of 10 submitted so far."
    assert page.get_by_test_id("profile").count() == 0 and page.get_by_test_id("build-report").count() == 0
    assert not [name for name in ORGANIZATIONS if name in page.content()]
    shot("6-member-not-yet-shared")
    page.get_by_role("link", name="Gaps and action items").click()
    assert page.get_by_test_id("results-not-yet").is_visible() and page.get_by_test_id("gap").count() == 0

    page.goto(f"/w/{workgroup.slug}/readiness/compare/")
    assert page.locator("input[name=round]").count() == 1  # only the closed round is offered
    page.goto(f"/w/{workgroup.slug}/readiness/rounds/{earlier.pk}/results/")
    assert page.get_by_test_id("profile").locator("svg rect[data-role=bar]").count() == 8
    assert page.get_by_test_id("live-note").count() == 0
    assert page.get_by_test_id("build-report").is_visible()
    shot("7-member-closed-round")
    assert page.console_errors == []
