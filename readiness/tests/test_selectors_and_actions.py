"""Round results from the database, gaps into the action plan, comparison over time, the dashboard card."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from fractions import Fraction as F

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from partners.tests.factories import OrganizationFactory
from readiness import selectors, services
from readiness.messages import MSG_GAP_ACCEPTED, MSG_GAP_UNKNOWN
from readiness.models import ActionItem, ActionStatus, Answer
from readiness.tests.factories import RoundFactory, link_respondent, member_respondent, small_version, submitted
from toolkit.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored_round(workgroup):
    """Two organizations: the 988 center strong on leadership, the PSAP weak everywhere."""
    version, items = small_version(workgroup)
    round_ = RoundFactory(workgroup=workgroup, instrument_version=version)
    center = OrganizationFactory(workgroup=workgroup, name="Riverbend 988")
    psap = OrganizationFactory(workgroup=workgroup, name="County PSAP")
    submitted(link_respondent(round_, organization=center),
              {items["L1"]: "5", items["L2"]: "4", items["L3"]: "1", items["D1"]: "yes", items["D2"]: "4"})
    submitted(link_respondent(round_, organization=psap),
              {items["L1"]: "2", items["L2"]: "2", items["L3"]: "4", items["D1"]: "no", items["D2"]: "unsure"})
    # Saved but never submitted: must not count.
    Answer.objects.create(respondent=link_respondent(round_, organization=psap), item=items["L1"], choice="1")
    return round_, items, center, psap


def test_round_results_count_submitted_responses_only(scored_round):
    round_, items, center, psap = scored_round
    result = selectors.round_result(round=round_)
    assert result.responses == 2
    # 988: (5 + 2·4 + 5) / 4 = 9/2; PSAP: (2 + 2·2 + 2) / 4 = 2 → workgroup 13/4
    assert result.groups["Riverbend 988"]["lead"].score == F(9, 2)
    assert result.groups["County PSAP"]["lead"].score == F(2)
    assert result.workgroup["lead"].score == F(13, 4)
    # data: 988 (5 + 4)/2; PSAP 1 ("don't know" missing) → (9/2 + 1) / 2
    assert result.workgroup["data"].score == F(11, 4)
    assert result.workgroup["data"].missing == 1


def test_gaps_propose_weak_dimensions_then_weak_statements(scored_round):
    round_, items, *_ = scored_round
    proposals = selectors.gap_proposals(round=round_)
    # lead 3.25 is borderline, not under 3; every statement's mean is 3 or more (L2 and D1 exactly 3).
    assert [p.source_key for p in proposals] == ["dimension:data"]
    assert proposals[0].finding.startswith("“Data sharing” scored 2.7 (Concern)")
    assert proposals[0].title == "Strengthen “Data sharing”"  # no suggested action on that dimension


def test_a_higher_threshold_proposes_more_weakest_first(scored_round):
    round_, items, *_ = scored_round
    round_.action_threshold = Decimal("3.5")
    proposals = selectors.gap_proposals(round=round_)
    assert [p.source_key for p in proposals] == [
        "dimension:data", "dimension:lead", f"item:{items['L2'].pk}", f"item:{items['D1'].pk}",
    ]
    assert proposals[1].title == "Name an executive sponsor in every partner."
    assert "ranged from 2.0 to 4.0" in proposals[2].finding


def test_accepting_a_gap_puts_it_in_the_plan_once(scored_round, coordinator):
    round_, _items, center, _ = scored_round
    due = timezone.localdate() + timedelta(days=30)
    action = services.action_accept(actor=coordinator, round=round_, source_key="dimension:data",
                                    title="Draft a data sharing agreement", owner_organization=center, due_date=due)
    assert (action.round, action.source_key, action.owner_organization, action.due_date) == (
        round_, "dimension:data", center, due)
    assert selectors.gap_proposals(round=round_)[0].accepted == action
    with pytest.raises(ValidationError) as exc:
        services.action_accept(actor=coordinator, round=round_, source_key="dimension:data", title="Again")
    assert exc.value.messages == [MSG_GAP_ACCEPTED]
    with pytest.raises(ValidationError) as exc:
        services.action_accept(actor=coordinator, round=round_, source_key="dimension:lead", title="Not a gap")
    assert exc.value.messages == [MSG_GAP_UNKNOWN]
    assert ActionItem.objects.count() == 1


def test_an_owner_from_another_workgroup_is_refused(scored_round, coordinator, other_workgroup):
    round_, *_ = scored_round
    with pytest.raises(ValidationError) as exc:
        services.action_accept(actor=coordinator, round=round_, source_key="dimension:data", title="X",
                               owner_organization=OrganizationFactory(workgroup=other_workgroup))
    assert "owner_organization" in exc.value.message_dict
    assert not ActionItem.objects.exists()


def test_members_update_action_items_but_viewers_and_outsiders_cannot(workgroup, coordinator, member, viewer,
                                                                      outsider):
    action = services.action_create(actor=coordinator, workgroup=workgroup, title="Cross-train dispatchers")
    fields = {"title": action.title, "description": "", "owner_organization": None, "due_date": None}
    services.action_update(actor=member, action=action, status=ActionStatus.DONE, **fields)
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.completed_at is not None
    for person in (viewer, outsider):
        with pytest.raises(PermissionDenied):
            services.action_update(actor=person, action=action, status=ActionStatus.OPEN, **fields)
    with pytest.raises(PermissionDenied):
        services.action_create(actor=member, workgroup=workgroup, title="Members do not add")


def test_overdue_means_open_and_past_its_due_date(workgroup, coordinator):
    yesterday = timezone.localdate() - timedelta(days=1)
    late = services.action_create(actor=coordinator, workgroup=workgroup, title="Late", due_date=yesterday)
    done = services.action_create(actor=coordinator, workgroup=workgroup, title="Done late", due_date=yesterday)
    ActionItem.objects.filter(pk=done.pk).update(status=ActionStatus.DONE)
    services.action_create(actor=coordinator, workgroup=workgroup, title="Future",
                           due_date=timezone.localdate() + timedelta(days=3))
    assert list(selectors.overdue_actions(workgroup=workgroup)) == [late]
    assert late.is_overdue


def test_the_dashboard_card_shows_overdue_items_and_the_latest_results(scored_round, workgroup, coordinator):
    round_, *_ = scored_round
    membership = Membership.objects.get(user=coordinator)
    services.round_close(actor=coordinator, round=round_)
    services.action_create(actor=coordinator, workgroup=workgroup, title="Name sponsors",
                           due_date=timezone.localdate() - timedelta(days=2))
    card = selectors.dashboard_card(workgroup=workgroup, membership=membership)
    assert card.warnings and card.warnings[0].startswith("1 action item overdue")
    # (13/4 + 2 · 11/4) / 3 = 35/12 = 2.91…: shown as 2.9, and stage 2, not 3.
    assert any("overall 2.9, stage 2 — Exploring" in fact for fact in card.facts)
    assert any(fact == "Concerns: Data sharing" for fact in card.facts)


def test_comparison_matches_dimensions_by_key_across_rounds(workgroup, coordinator):
    version, items = small_version(workgroup)
    first = RoundFactory(workgroup=workgroup, instrument_version=version)
    second = RoundFactory(workgroup=workgroup, instrument_version=version)
    first.opened_at = timezone.now() - timedelta(days=180)
    first.save()
    submitted(link_respondent(first), {items["L1"]: "2", items["L2"]: "2", items["L3"]: "4"})
    submitted(link_respondent(second), {items["L1"]: "4", items["L2"]: "4", items["L3"]: "2"})
    comparison = selectors.round_comparison(workgroup=workgroup, rounds=[second, first])
    assert comparison.rounds == [first, second]
    lead = next(row for row in comparison.rows if row.key == "lead")
    assert lead.scores == [F(2), F(4)] and lead.change == F(2)
    data = next(row for row in comparison.rows if row.key == "data")
    assert data.scores == [None, None] and data.change is None


def test_comparison_ignores_rounds_of_other_workgroups(workgroup, other_workgroup):
    mine = RoundFactory(workgroup=workgroup)
    theirs = RoundFactory(workgroup=other_workgroup)
    assert selectors.round_comparison(workgroup=workgroup, rounds=[mine, theirs]).rounds == [mine]


def test_questionnaires_for_lists_open_unsubmitted_rounds_only(workgroup, member):
    waiting = member_respondent(RoundFactory(workgroup=workgroup), member)
    member_respondent(RoundFactory(workgroup=workgroup, status="closed"), member)
    submitted(member_respondent(RoundFactory(workgroup=workgroup), member), {})
    assert list(selectors.questionnaires_for(workgroup=workgroup, user=member)) == [waiting]


def test_the_plan_lists_unfinished_work_soonest_first_and_finished_work_last(workgroup, coordinator):
    today = timezone.localdate()
    make = lambda title, days, status="open": ActionItem.objects.create(  # noqa: E731
        workgroup=workgroup, title=title, status=status,
        due_date=today + timedelta(days=days) if days is not None else None)
    done = make("Done long ago", -90, ActionStatus.DONE)
    undated = make("Someday", None)
    later = make("Later", 30)
    soon = make("Soon", 5, ActionStatus.IN_PROGRESS)
    late = make("Late", -3)
    assert list(selectors.action_plan(workgroup=workgroup)) == [late, soon, later, undated, done]


def test_renaming_an_organization_mid_round_does_not_split_it(scored_round):
    round_, items, center, _psap = scored_round
    before = selectors.round_result(round=round_)
    center.name = "Riverbend 988 Lifeline Center"
    center.save()
    after = selectors.round_result(round=round_)
    assert set(after.groups) == {"Riverbend 988 Lifeline Center", "County PSAP"}
    assert after.workgroup["lead"].score == before.workgroup["lead"].score


def test_a_removed_organization_keeps_its_saved_name(scored_round):
    round_, _items, _center, psap = scored_round
    psap.delete()
    assert "County PSAP" in selectors.round_result(round=round_).groups
