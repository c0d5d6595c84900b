"""Gaps accepted into the action plan, the plan kept current, and rounds compared over time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.tests.factories import OrganizationFactory
from readiness import services
from readiness.messages import MSG_GAP_ACCEPTED, MSG_GAP_UNKNOWN
from readiness.models import ActionItem, ActionStatus
from readiness.tests.factories import RoundFactory, link_respondent, small_version, submitted
from readiness.tests.test_views_results import (
    _doc,
    _text,
    by_testid,
    close,
    held_back_round,
    two_organization_round,
)


def _gaps(round_, page="gaps"):
    return f"/w/{round_.workgroup.slug}/readiness/rounds/{round_.pk}/{page}/"


def _accept(client, round_, **fields):
    data = {"source_key": "dimension:lead", "title": "Name an executive sponsor", "description": "", "due_date": ""}
    return client.post(_gaps(round_, "gaps/accept"), data | fields, follow=True)


# --- Gaps ---------------------------------------------------------------------------------------


def test_the_gaps_page_proposes_weak_dimensions_then_statements(client, workgroup, coordinator):
    round_, _ = held_back_round(workgroup)
    client.force_login(coordinator)

    doc = _doc(client.get(_gaps(round_)))

    keys = [g.get("data-source-key") for g in by_testid(doc, "gap")]
    assert keys[0] == "dimension:lead"
    assert all(key.startswith("item:") for key in keys[1:]) and len(keys) == 4  # L1, L2, L3 all at 2
    first = by_testid(doc, "gap")[0]
    assert "“Leadership” scored 2.0 (Concern)" in _text(by_testid(first, "finding")[0])
    # The accept form is prefilled with the proposal's title and finding.
    assert first.xpath('.//input[@name="title"]')[0].get("value") == "Name an executive sponsor in every partner."
    assert "scored 2.0" in first.xpath('.//textarea[@name="description"]')[0].text


def test_a_coordinator_accepts_a_gap_with_owner_and_due_date(client, workgroup, coordinator):
    round_, _ = held_back_round(workgroup)
    owner = OrganizationFactory(workgroup=workgroup, name="County PSAP")
    due = timezone.localdate() + timedelta(days=30)
    client.force_login(coordinator)

    response = _accept(client, round_, owner_organization=owner.pk, due_date=due.isoformat())

    item = ActionItem.objects.get()
    assert (item.round, item.source_key, item.owner_organization, item.due_date, item.workgroup) == (
        round_, "dimension:lead", owner, due, workgroup
    )
    assert item.accepted_by == coordinator
    assert "is in the action plan" in response.content.decode()
    accepted = [g for g in by_testid(_doc(response), "gap") if g.get("data-source-key") == "dimension:lead"][0]
    assert by_testid(accepted, "accepted")
    assert accepted.xpath(f'.//a[@href="{item.get_absolute_url()}"]')
    assert not accepted.xpath(".//form")


def test_accepting_the_same_gap_twice_says_so_and_keeps_one(client, workgroup, coordinator):
    round_, _ = held_back_round(workgroup)
    client.force_login(coordinator)
    _accept(client, round_)

    response = _accept(client, round_, title="Again")

    assert ActionItem.objects.count() == 1
    assert MSG_GAP_ACCEPTED in response.content.decode()


def test_a_gap_that_is_no_longer_proposed_says_so(client, workgroup, coordinator):
    round_, _ = held_back_round(workgroup)
    client.force_login(coordinator)

    response = _accept(client, round_, source_key="dimension:data")  # Data sharing scored 5

    assert not ActionItem.objects.exists()
    assert MSG_GAP_UNKNOWN in response.content.decode()


def test_a_tampered_owner_from_another_workgroup_is_a_form_error(client, workgroup, other_workgroup, coordinator):
    round_, _ = held_back_round(workgroup)
    foreign = OrganizationFactory(workgroup=other_workgroup, name="Elsewhere Secret Org")
    client.force_login(coordinator)

    response = _accept(client, round_, owner_organization=foreign.pk, title="My typed title",
                       due_date="2031-05-06")

    assert response.status_code == 400
    assert not ActionItem.objects.exists()
    gap = [g for g in by_testid(_doc(response), "gap") if g.get("data-source-key") == "dimension:lead"][0]
    assert by_testid(gap, "owner-error")
    assert gap.xpath('.//input[@name="title"]')[0].get("value") == "My typed title"  # what was typed stays
    assert gap.xpath('.//input[@name="due_date"]')[0].get("value") == "2031-05-06"
    assert b"Elsewhere Secret Org" not in response.content


@pytest.mark.parametrize("role", ["member", "legal_reviewer", "qa_reviewer", "viewer"])
def test_only_coordinators_accept_gaps(client, workgroup, people, role):
    round_, _ = held_back_round(workgroup)
    client.force_login(people[role])

    assert _accept(client, round_).status_code == 403
    assert not ActionItem.objects.exists()
    page = _doc(client.get(_gaps(round_)))
    assert by_testid(page, "gap") and not page.xpath("//form[contains(@action, 'gaps/accept')]")


def test_accepting_in_another_workgroups_round_is_not_found(client, workgroup, other_workgroup, coordinator):
    foreign, _ = held_back_round(other_workgroup)
    client.force_login(coordinator)

    response = client.post(f"/w/{workgroup.slug}/readiness/rounds/{foreign.pk}/gaps/accept/",
                           {"source_key": "dimension:lead", "title": "x"})

    assert response.status_code == 404
    assert not ActionItem.objects.exists()


def test_the_gaps_page_queries_do_not_grow_with_accepted_gaps(client, workgroup, viewer):
    round_, items = held_back_round(workgroup)  # four gaps: Leadership, then L1, L2, L3
    keys = ["dimension:lead"] + [f"item:{items[label].pk}" for label in ("L1", "L2", "L3")]

    def accept(n: int) -> None:
        ActionItem.objects.create(workgroup=workgroup, round=round_, source_key=keys[n], title=f"Gap {n}",
                                  owner_organization=OrganizationFactory(workgroup=workgroup, name=f"Owner org {n}"))

    accept(0)
    client.force_login(viewer)
    with CaptureQueriesContext(connection) as one_accepted:
        client.get(_gaps(round_))
    for n in (1, 2, 3):
        accept(n)

    with CaptureQueriesContext(connection) as four_accepted:
        response = client.get(_gaps(round_))

    assert len(by_testid(_doc(response), "accepted")) == 4
    assert all(f"Owner org {n}" in response.content.decode() for n in range(4))
    assert len(four_accepted) == len(one_accepted)


# --- The action plan ----------------------------------------------------------------------------


def _item(workgroup, **fields):
    return ActionItem.objects.create(workgroup=workgroup, title=fields.pop("title", "Plan cross-training"), **fields)


def test_the_plan_lists_items_and_marks_the_overdue_ones(client, workgroup, viewer):
    owner = OrganizationFactory(workgroup=workgroup, name="County PSAP")
    three_days_ago = timezone.localdate() - timedelta(days=3)
    _item(workgroup, title="Late item", owner_organization=owner, due_date=three_days_ago)
    _item(workgroup, title="Done late item", status=ActionStatus.DONE, due_date=three_days_ago)
    _item(workgroup, title="Future item", due_date=timezone.localdate() + timedelta(days=3))
    client.force_login(viewer)

    doc = _doc(client.get(f"/w/{workgroup.slug}/readiness/actions/"))

    rows = {_text(r.xpath("td")[0]): r for r in by_testid(doc, "action-row")}
    assert set(rows) == {"Late item", "Done late item", "Future item"}
    assert by_testid(rows["Late item"], "overdue") and "County PSAP" in _text(rows["Late item"])
    assert not by_testid(rows["Done late item"], "overdue") and not by_testid(rows["Future item"], "overdue")
    assert _text(by_testid(doc, "overdue-count")[0]) == "1 overdue."
    assert not doc.xpath('//a[contains(@href, "/edit/")]')  # viewers cannot edit


def test_the_plan_filters_by_status_and_pages_by_25(client, workgroup, member):
    for n in range(27):
        _item(workgroup, title=f"Open item {n}")
    _item(workgroup, title="Finished item", status=ActionStatus.DONE)
    client.force_login(member)

    first = _doc(client.get(f"/w/{workgroup.slug}/readiness/actions/"))
    done = _doc(client.get(f"/w/{workgroup.slug}/readiness/actions/?status=done"))

    assert len(by_testid(first, "action-row")) == 25
    assert [_text(r.xpath("td")[0]) for r in by_testid(done, "action-row")] == ["Finished item"]


def test_a_coordinator_adds_an_action_item(client, workgroup, coordinator):
    owner = OrganizationFactory(workgroup=workgroup, name="County PSAP")
    client.force_login(coordinator)

    response = client.post(f"/w/{workgroup.slug}/readiness/actions/new/",
                           {"title": " Agree a start date ", "owner_organization": owner.pk, "due_date": "2031-01-15"})

    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert (item.title, item.owner_organization, item.round, item.source_key) == ("Agree a start date", owner, None, "")


def test_adding_with_a_foreign_owner_is_refused(client, workgroup, other_workgroup, coordinator):
    foreign = OrganizationFactory(workgroup=other_workgroup)
    client.force_login(coordinator)

    response = client.post(f"/w/{workgroup.slug}/readiness/actions/new/",
                           {"title": "Sneaky", "owner_organization": foreign.pk})

    assert response.status_code == 400
    assert not ActionItem.objects.exists()


def test_a_member_updates_the_status_of_an_item(client, workgroup, member):
    item = _item(workgroup)
    client.force_login(member)

    form = client.get(f"/w/{workgroup.slug}/readiness/actions/{item.pk}/edit/")
    response = client.post(f"/w/{workgroup.slug}/readiness/actions/{item.pk}/edit/",
                           {"title": item.title, "status": ActionStatus.DONE})

    assert form.status_code == 200
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ActionStatus.DONE and item.completed_at is not None


@pytest.mark.parametrize("role", ["viewer", "legal_reviewer", "qa_reviewer"])
def test_read_only_roles_cannot_edit_items(client, workgroup, people, role):
    item = _item(workgroup)
    client.force_login(people[role])

    url = f"/w/{workgroup.slug}/readiness/actions/{item.pk}/edit/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"title": "Changed", "status": ActionStatus.DONE}).status_code == 403
    item.refresh_from_db()
    assert item.status == ActionStatus.OPEN


def test_a_member_cannot_add_items(client, workgroup, member):
    client.force_login(member)

    assert client.get(f"/w/{workgroup.slug}/readiness/actions/new/").status_code == 403
    assert client.post(f"/w/{workgroup.slug}/readiness/actions/new/", {"title": "x"}).status_code == 403
    assert not ActionItem.objects.exists()


def test_another_workgroups_item_is_not_found(client, workgroup, other_workgroup, coordinator, outsider):
    foreign = _item(other_workgroup, title="Elsewhere secret item")
    client.force_login(coordinator)

    assert client.get(f"/w/{workgroup.slug}/readiness/actions/{foreign.pk}/edit/").status_code == 404
    assert b"Elsewhere secret item" not in client.get(f"/w/{workgroup.slug}/readiness/actions/").content
    client.force_login(outsider)
    assert client.get(f"/w/{workgroup.slug}/readiness/actions/").status_code == 404


# --- Change over time ---------------------------------------------------------------------------


def _compare(client, workgroup, *ids):
    query = "&".join(f"round={i}" for i in ids)
    return client.get(f"/w/{workgroup.slug}/readiness/compare/" + (f"?{query}" if ids else ""))


def test_two_rounds_compared_show_both_and_the_change(client, workgroup, viewer):
    earlier, _ = two_organization_round(workgroup, title="Spring round", opened_at=timezone.now() - timedelta(days=200))
    later, _ = held_back_round(workgroup, title="Autumn round")
    client.force_login(viewer)

    response = _compare(client, workgroup, later.pk, earlier.pk)

    assert response.status_code == 200
    doc = _doc(response)
    table = by_testid(doc, "comparison-table")[0]
    headers = [_text(th) for th in table.xpath("thead/tr/th")]
    assert headers[1].startswith("Spring round") and headers[2].startswith("Autumn round")  # oldest first
    rows = {_text(r.xpath("th")[0]): [_text(td) for td in r.xpath("td")] for r in by_testid(doc, "change-row")}
    # Leadership 3.9 → 2.0; Data sharing 3.2 → 5.0; overall 3.4 → 4.0 (as shown).
    assert rows["Leadership"] == ["3.9", "2.0", "▼ -1.9"]
    assert rows["Data sharing"] == ["3.2", "5.0", "▲ +1.8"]
    assert rows["Overall"] == ["3.4", "4.0", "▲ +0.6"]
    assert "3 · Preparing" in _text(table)
    assert len(by_testid(doc, "comparison", '//*[@data-role="line"]')) == 2


def test_comparing_needs_two_rounds(client, workgroup, viewer):
    only, _ = two_organization_round(workgroup)
    client.force_login(viewer)

    response = _compare(client, workgroup, only.pk)

    doc = _doc(response)
    assert "Choose at least two rounds to compare." in _text(by_testid(doc, "compare-error")[0])
    assert "this workgroup has 1" in _text(by_testid(doc, "compare-too-few")[0])
    assert not by_testid(doc, "comparison")


def test_foreign_and_garbage_round_ids_are_ignored(client, workgroup, other_workgroup, viewer):
    mine, _ = two_organization_round(workgroup)
    foreign, _ = two_organization_round(other_workgroup, title="Elsewhere secret round")
    client.force_login(viewer)

    response = _compare(client, workgroup, mine.pk, foreign.pk, "abc", "-1")

    assert b"Elsewhere secret round" not in response.content
    assert "Choose at least two rounds" in response.content.decode()
    assert not by_testid(_doc(response), "comparison")


def test_the_compare_page_without_a_choice_just_offers_the_rounds(client, workgroup, viewer):
    two_organization_round(workgroup, title="Spring round")
    held_back_round(workgroup, title="Autumn round")
    client.force_login(viewer)

    doc = _doc(_compare(client, workgroup))

    assert len(doc.xpath('//input[@name="round"]')) == 2
    assert not by_testid(doc, "compare-error")


def test_a_viewer_compares_closed_rounds_only(client, workgroup, viewer):
    spring, _ = two_organization_round(workgroup, title="Spring round", opened_at=timezone.now() - timedelta(days=200))
    autumn, _ = held_back_round(workgroup, title="Autumn round")
    live, _ = held_back_round(workgroup, title="Winter live round", closed=False)
    client.force_login(viewer)

    offered = _compare(client, workgroup)
    asked_for_open = _compare(client, workgroup, spring.pk, live.pk)
    asked_for_all = _compare(client, workgroup, spring.pk, autumn.pk, live.pk)

    assert len(_doc(offered).xpath('//input[@name="round"]')) == 2
    assert b"Winter live round" not in offered.content
    # The open round is dropped like a foreign id, and the page says why (a fair request, so not a 400).
    assert asked_for_open.status_code == 200
    doc = _doc(asked_for_open)
    assert "Choose at least two rounds" in _text(by_testid(doc, "compare-error")[0])
    assert "still open" in _text(by_testid(doc, "compare-held-back")[0])
    assert not by_testid(doc, "comparison") and b"Winter live round" not in asked_for_open.content
    headers = [_text(th) for th in by_testid(_doc(asked_for_all), "comparison-table", "/thead/tr/th")]
    assert len(headers) == 4 and headers[1].startswith("Spring round") and headers[2].startswith("Autumn round")
    assert b"Winter live round" not in asked_for_all.content


def test_a_coordinator_compares_open_rounds_too(client, workgroup, coordinator):
    spring, _ = two_organization_round(workgroup, title="Spring round", opened_at=timezone.now() - timedelta(days=200))
    live, _ = held_back_round(workgroup, title="Winter live round", closed=False)
    client.force_login(coordinator)

    offered = _compare(client, workgroup)
    response = _compare(client, workgroup, spring.pk, live.pk)

    assert len(_doc(offered).xpath('//input[@name="round"]')) == 2
    assert response.status_code == 200
    doc = _doc(response)
    headers = [_text(th) for th in by_testid(doc, "comparison-table", "/thead/tr/th")]
    assert headers[2].startswith("Winter live round") and "open" in headers[2]
    assert not by_testid(doc, "compare-held-back")


def test_each_round_names_its_instrument_and_different_instruments_are_flagged(client, workgroup, viewer):
    earlier, _ = two_organization_round(workgroup, title="Spring round", opened_at=timezone.now() - timedelta(days=200))
    later, _ = held_back_round(workgroup, title="Autumn round")
    client.force_login(viewer)

    doc = _doc(_compare(client, workgroup, earlier.pk, later.pk))

    assert [_text(n) for n in by_testid(doc, "compare-instrument")] == [
        "Small instrument for Spring round, version 1", "Small instrument for Autumn round, version 1",
    ]
    warning = _text(by_testid(doc, "compare-mixed-instruments")[0])
    assert "different instruments" in warning and "same short name" in warning


def test_versions_of_one_instrument_line_up_without_a_warning(client, workgroup, coordinator, viewer):
    version, items = small_version(workgroup, name="Shared instrument")
    second = services.version_new_draft(actor=coordinator, from_version=version)
    rounds = []
    for n, (used, lead) in enumerate(((version, "2"), (second, "4"))):
        round_ = RoundFactory(workgroup=workgroup, instrument_version=used, title=f"Round {n}",
                              opened_at=timezone.now() - timedelta(days=100 - n))
        used_items = {i.statement: i for i in used.items.all()}
        submitted(link_respondent(round_), {used_items["Statement L1"]: lead, used_items["Statement D1"]: "yes"})
        rounds.append(close(round_))
    client.force_login(viewer)

    doc = _doc(_compare(client, workgroup, *(r.pk for r in rounds)))

    assert [_text(n) for n in by_testid(doc, "compare-instrument")] == [
        "Shared instrument, version 1", "Shared instrument, version 2",
    ]
    assert not by_testid(doc, "compare-mixed-instruments")
    rows = {_text(r.xpath("th")[0]): [_text(td) for td in r.xpath("td")] for r in by_testid(doc, "change-row")}
    assert rows["Leadership"] == ["2.0", "4.0", "▲ +2.0"]
