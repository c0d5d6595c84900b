"""The audit trail page /w/<slug>/audit/ and the selector behind it."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from toolkit import selectors, services
from toolkit.models import Membership, Role, Workgroup
from toolkit.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

AUDIT_URL = "/w/riverbend/audit/"
_ROLES = [Role.MEMBER, Role.VIEWER, Role.QA_REVIEWER, Role.LEGAL_REVIEWER]


def _rows(response) -> list[dict[str, str]]:
    """The audit table as the reader sees it: one dict per row, cell text without markup."""
    content = response.content.decode()
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", content, re.S):
        cells = [_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if cells:
            rows.append(dict(zip(["when", "who", "action", "record", "changes"], cells, strict=True)))
    return rows


def _text(markup: str) -> str:
    markup = re.sub(r"</li>\s*(?=<li)", "; ", markup)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", markup)).split())


def _after(entry: selectors.AuditEntry) -> selectors.AuditCursor:
    """The ``before`` cursor that continues the trail after this entry, as the page link does."""
    cursor = selectors.AuditCursor.parse(entry.cursor)
    assert cursor is not None
    return cursor


def _membership(user, workgroup) -> Membership:
    return Membership.objects.get(user=user, workgroup=workgroup)


def _settings_form(workgroup, **changes) -> dict:
    data = {
        "name": workgroup.name,
        "jurisdiction_type": workgroup.jurisdiction_type,
        "jurisdiction_name": workgroup.jurisdiction_name,
        "goal": workgroup.goal,
        "description": workgroup.description,
    }
    data.update(changes)
    return data


def _toggle_roles(actor, membership, times: int) -> None:
    for i in range(times):
        services.membership_change_role(actor=actor, membership=membership, role=_ROLES[i % len(_ROLES)])


# --- Who may read it ----------------------------------------------------------------


def test_a_member_is_refused_the_audit_trail(client, member):
    client.force_login(member)

    assert client.get(AUDIT_URL).status_code == 403


def test_an_outsider_does_not_learn_the_workgroup_exists(client, workgroup, outsider):
    client.force_login(outsider)

    assert client.get(AUDIT_URL).status_code == 404


# --- What it shows ------------------------------------------------------------------


def test_renaming_the_workgroup_shows_who_changed_it_from_what_to_what(client, workgroup, coordinator):
    client.force_login(coordinator)
    response = client.post("/w/riverbend/settings/", _settings_form(workgroup, name="Riverbend Crisis Council"))
    assert response.status_code == 302

    rows = _rows(client.get(AUDIT_URL))

    newest = rows[0]
    assert newest["action"] == "Changed"
    assert newest["who"] == str(coordinator)
    assert newest["record"] == "Workgroup: Riverbend Crisis Council"
    assert "Riverbend County Workgroup" in newest["changes"]
    assert "Riverbend Crisis Council" in newest["changes"]
    assert newest["changes"].startswith("name:")


def test_a_role_change_appears_with_the_coordinator_who_made_it(client, workgroup, coordinator, member):
    client.force_login(coordinator)
    client.post(f"/w/riverbend/members/{_membership(member, workgroup).pk}/role/", {"role": Role.QA_REVIEWER})

    newest = _rows(client.get(AUDIT_URL))[0]

    assert newest["action"] == "Changed"
    assert newest["who"] == str(coordinator)
    assert str(member) in newest["record"]
    assert newest["changes"] == "role: Member → QA reviewer"


def test_removing_a_member_appears_as_a_deletion_by_the_coordinator(client, workgroup, coordinator, member):
    client.force_login(coordinator)
    response = client.post(f"/w/riverbend/members/{_membership(member, workgroup).pk}/remove/")
    assert response.status_code == 302
    assert not Membership.objects.filter(user=member, workgroup=workgroup).exists()

    newest = _rows(client.get(AUDIT_URL))[0]

    assert newest["action"] == "Deleted"
    assert newest["who"] == str(coordinator)
    assert newest["record"].startswith("Membership:")
    assert str(member) in newest["record"]


def test_changes_in_another_workgroup_never_appear(client, workgroup, coordinator, other_workgroup, outsider):
    elsewhere = Client()  # the outsider's own browser
    elsewhere.force_login(outsider)
    elsewhere.post("/w/elsewhere/settings/", _settings_form(other_workgroup, name="Elsewhere Renamed Quietly"))
    elsewhere_member = MembershipFactory(workgroup=other_workgroup, role=Role.MEMBER)
    elsewhere.post(f"/w/elsewhere/members/{elsewhere_member.pk}/role/", {"role": Role.LEGAL_REVIEWER})
    assert Membership.objects.get(pk=elsewhere_member.pk).role == Role.LEGAL_REVIEWER

    client.force_login(coordinator)
    response = client.get(AUDIT_URL)

    content = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "Elsewhere" not in content
    assert str(outsider) not in content
    assert str(elsewhere_member.user) not in content
    assert "Legal reviewer" not in content
    assert all("Riverbend" in row["record"] for row in _rows(response))


def test_the_system_is_named_when_nobody_acted(client, workgroup, coordinator):
    client.force_login(coordinator)

    rows = _rows(client.get(AUDIT_URL))

    # The fixtures write through factories, outside any request and without an actor.
    assert rows
    assert {row["who"] for row in rows} == {"System"}
    assert {row["action"] for row in rows} == {"Created"}


# --- Paging ---------------------------------------------------------------------------


def test_older_changes_link_leads_to_the_next_entries_without_repeats(client, workgroup, coordinator, member):
    _toggle_roles(coordinator, _membership(member, workgroup), 60)
    total = (
        Workgroup.history.filter(id=workgroup.pk).count() + Membership.history.filter(workgroup_id=workgroup.pk).count()
    )
    assert total > 50
    client.force_login(coordinator)

    first = client.get(AUDIT_URL)
    older_link = re.search(r'href="(\?before=[^"]+)"[^>]*>Older changes<', first.content.decode())
    assert older_link is not None
    second = client.get(AUDIT_URL + html.unescape(older_link.group(1)))

    assert second.status_code == 200
    first_ids = [entry.history_id for entry in first.context["entries"]]
    second_entries = second.context["entries"]
    assert len(first_ids) == 50
    assert len(second_entries) == total - 50
    assert all(entry.when <= first.context["entries"][-1].when for entry in second_entries)
    first_keys = {(e.what, e.history_id) for e in first.context["entries"]}
    assert not first_keys & {(e.what, e.history_id) for e in second_entries}
    assert "Older changes" not in second.content.decode()
    assert "Newest" in second.content.decode()


def test_older_changes_link_continues_within_changes_that_share_a_timestamp(client, workgroup, coordinator, member):
    _toggle_roles(coordinator, _membership(member, workgroup), 55)
    Membership.history.filter(workgroup_id=workgroup.pk).update(history_date=timezone.now() - timedelta(minutes=1))
    client.force_login(coordinator)

    first = client.get(AUDIT_URL)
    older_link = re.search(r'href="(\?before=[^"]+)"[^>]*>Older changes<', first.content.decode())
    second = client.get(AUDIT_URL + html.unescape(older_link.group(1)))

    seen = [(e.what, e.history_id) for e in first.context["entries"] + second.context["entries"]]
    expected = (
        Workgroup.history.filter(id=workgroup.pk).count() + Membership.history.filter(workgroup_id=workgroup.pk).count()
    )
    assert len(seen) == len(set(seen)) == expected


@pytest.mark.parametrize(
    "before",
    ["garbage", "", "2024-99-99T99:99:99", "2024-99-99T99:99:99~0~1", "x~y~z", "9999-12-31T23:59:59+00:00~0~1"],
)
def test_a_hand_edited_cursor_does_not_break_the_page(client, workgroup, coordinator, before):
    client.force_login(coordinator)

    response = client.get(AUDIT_URL, {"before": before})

    assert response.status_code == 200
    assert "Audit trail" in response.content.decode()


# --- selectors.audit_entries ---------------------------------------------------------


def test_audit_entries_are_newest_first(workgroup, coordinator, member):
    _toggle_roles(coordinator, _membership(member, workgroup), 5)

    entries = selectors.audit_entries(workgroup=workgroup)

    assert [e.when for e in entries] == sorted((e.when for e in entries), reverse=True)
    assert entries[0].action == "Changed"
    assert entries[0].who == str(coordinator)
    assert entries[-1].action == "Created"


def test_audit_entries_respect_the_limit(workgroup, coordinator, member):
    _toggle_roles(coordinator, _membership(member, workgroup), 8)

    entries = selectors.audit_entries(workgroup=workgroup, limit=3)

    assert len(entries) == 3
    assert entries == selectors.audit_entries(workgroup=workgroup)[:3]


def test_audit_entries_before_returns_only_older_changes(workgroup, coordinator, member):
    _toggle_roles(coordinator, _membership(member, workgroup), 6)
    everything = selectors.audit_entries(workgroup=workgroup)

    older = selectors.audit_entries(workgroup=workgroup, before=_after(everything[2]))

    assert older == everything[3:]
    assert selectors.audit_entries(workgroup=workgroup, before=_after(everything[-1])) == []


def test_audit_entries_leave_out_other_workgroups(workgroup, coordinator, other_workgroup, outsider):
    services.workgroup_update(actor=outsider, workgroup=other_workgroup, name="Elsewhere Renamed")

    entries = selectors.audit_entries(workgroup=workgroup)

    assert entries
    assert all("Elsewhere" not in e.object_repr for e in entries)


def test_paging_loses_no_entry_when_changes_share_a_timestamp(workgroup, coordinator, member):
    """Rows written with one timestamp (e.g. bulk_create_with_history's default_date) straddle a page."""
    _toggle_roles(coordinator, _membership(member, workgroup), 4)
    same_moment = timezone.now() - timedelta(minutes=1)
    Membership.history.filter(workgroup_id=workgroup.pk).update(history_date=same_moment)
    everything = selectors.audit_entries(workgroup=workgroup)

    first = selectors.audit_entries(workgroup=workgroup, limit=3)
    second = selectors.audit_entries(workgroup=workgroup, before=_after(first[-1]), limit=50)

    assert len(everything) == 7
    assert first + second == everything
