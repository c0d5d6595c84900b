"""The demo county's readiness: two closed rounds six months apart that show progress, and a plan."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from readiness import selectors
from readiness.demo import ROUND_TITLES
from readiness.models import ActionItem, AssessmentRound, RoundStatus
from toolkit.models import Workgroup


def test_seed_demo_has_two_rounds_six_months_apart_showing_progress_and_is_idempotent(db):
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())

    county = Workgroup.objects.get(slug="riverbend-county")
    first, second = AssessmentRound.objects.filter(workgroup=county).order_by("opened_at")
    assert (first.title, second.title) == ROUND_TITLES
    assert first.status == second.status == RoundStatus.CLOSED
    assert 170 <= (second.opened_at - first.opened_at).days <= 190
    comparison = selectors.round_comparison(workgroup=county, rounds=[first, second])
    assert comparison.responses[0] >= 6 and comparison.responses[1] >= 6
    assert comparison.overall[1] > comparison.overall[0]
    improved = [row.key for row in comparison.rows if row.change is not None and row.change > 0]
    assert len(improved) >= 6
    assert comparison.stages[1].stage.number > comparison.stages[0].stage.number
    plan = ActionItem.objects.filter(workgroup=county)
    assert plan.filter(round=first, status="done").count() == 3
    assert selectors.overdue_actions(workgroup=county).count() == 1
