"""The audit trail page /w/<slug>/audit/ and the selector behind it."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from toolkit import services
from toolkit.models import AuditAction, AuditEvent, Membership, Role
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


def _events(workgroup) -> int:
    return AuditEvent.objects.filter(workgroup=workgroup).count()


def _link(response, label: str) -> str | None:
    found = re.search(rf'href="([^"]+)"[^>]*>{label}<', response.content.decode())
    return html.unescape(found.group(1)) if found else None


def test_older_link_leads_to_the_next_entries_without_repeats_and_newer_leads_back(
    client, workgroup, coordinator, member
):
    _toggle_roles(coordinator, _membership(member, workgroup), 60)
    total = _events(workgroup)
    assert total > 50
    client.force_login(coordinator)

    first = client.get(AUDIT_URL)
    second = client.get(AUDIT_URL + _link(first, "Older"))

    first_ids = [event.pk for event in first.context["page"]]
    second_ids = [event.pk for event in second.context["page"]]
    assert len(first_ids) == 50
    assert len(second_ids) == total - 50
    assert not set(first_ids) & set(second_ids)
    assert max(second_ids) < min(first_ids)
    assert _link(second, "Older") is None
    assert _link(second, "Newest") is not None
    back = client.get(AUDIT_URL + _link(second, "Newer"))
    assert [event.pk for event in back.context["page"]] == first_ids


def test_paging_loses_nothing_when_changes_share_a_timestamp(client, workgroup, coordinator, member):
    """Rows written in one bulk statement share their time; the id breaks the tie across pages."""
    _toggle_roles(coordinator, _membership(member, workgroup), 55)
    moment = timezone.now() - timedelta(minutes=1)
    AuditEvent.objects.bulk_create(
        AuditEvent(workgroup=workgroup, occurred_at=moment, actor_name="Import", action=AuditAction.CREATED,
                   object_type="partners.organization", object_label="Organization", object_id=str(i),
                   object_repr=f"Organization {i}")
        for i in range(120)
    )
    client.force_login(coordinator)

    seen, url = [], AUDIT_URL
    while url:
        response = client.get(url)
        seen += [event.pk for event in response.context["page"]]
        older = _link(response, "Older")
        url = AUDIT_URL + older if older else None

    assert len(seen) == len(set(seen)) == _events(workgroup) > 120


@pytest.mark.parametrize(
    "query",
    [{"after": "garbage"}, {"after": ""}, {"before": "W1siMjAyNC05OS05OSJdXQ"}, {"after": "W10"},
     {"after": "eyJ0IjoxfQ"}, {"after": "WyJ4IiwieSJd"}, {"before": "%%%"}],
)
def test_a_hand_edited_cursor_shows_the_newest_page_instead_of_failing(client, workgroup, coordinator, query):
    client.force_login(coordinator)

    response = client.get(AUDIT_URL, query)

    assert response.status_code == 200
    assert "Audit trail" in response.content.decode()
    assert response.context["page"].is_first


def test_the_page_costs_the_same_queries_at_five_and_at_two_hundred_changes(client, workgroup, coordinator, member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(coordinator)
    _toggle_roles(coordinator, _membership(member, workgroup), 5)
    with CaptureQueriesContext(connection) as few:
        assert client.get(AUDIT_URL).status_code == 200
    _toggle_roles(coordinator, _membership(member, workgroup), 200)
    with CaptureQueriesContext(connection) as many:
        older = client.get(AUDIT_URL)
        assert client.get(AUDIT_URL + _link(older, "Older")).status_code == 200

    assert len(many) == 2 * len(few)


# --- Filters --------------------------------------------------------------------------


def test_filtering_by_who_what_and_kind_of_change(client, workgroup, coordinator, member):
    _toggle_roles(coordinator, _membership(member, workgroup), 3)
    services.workgroup_update(actor=member_coordinator(workgroup, member), workgroup=workgroup, name="Renamed")
    client.force_login(coordinator)

    by_type = client.get(AUDIT_URL, {"object_type": "toolkit.workgroup"}).context["page"]
    by_action = client.get(AUDIT_URL, {"action": "created"}).context["page"]
    by_actor = client.get(AUDIT_URL, {"actor": coordinator.pk}).context["page"]

    assert {e.object_type for e in by_type} == {"toolkit.workgroup"}
    assert {e.action for e in by_action} == {AuditAction.CREATED}
    assert by_actor.items and {e.actor_id for e in by_actor} == {coordinator.pk}


def member_coordinator(workgroup, member):
    """Make the member a coordinator so the rename is theirs (a second named actor)."""
    Membership.objects.filter(user=member, workgroup=workgroup).update(role=Role.COORDINATOR)
    return member


def test_dates_filter_by_whole_days_and_bad_filters_are_ignored_with_a_message(client, workgroup, coordinator):
    old = timezone.now() - timedelta(days=10)
    AuditEvent.objects.create(workgroup=workgroup, occurred_at=old, actor_name="Someone", action=AuditAction.CHANGED,
                              object_type="toolkit.workgroup", object_label="Workgroup", object_id="1",
                              object_repr="Ten days ago")
    client.force_login(coordinator)

    recent = client.get(AUDIT_URL, {"since": (timezone.localdate() - timedelta(days=1)).isoformat()})
    that_day = client.get(AUDIT_URL, {"since": timezone.localtime(old).date().isoformat(),
                                      "until": timezone.localtime(old).date().isoformat()})
    bad = client.get(AUDIT_URL, {"since": "not a date", "actor": "99999999"})

    assert "Ten days ago" not in [e.object_repr for e in recent.context["page"]]
    assert [e.object_repr for e in that_day.context["page"]] == ["Ten days ago"]
    assert bad.status_code == 200
    assert "were not understood" in bad.content.decode()


def test_filter_choices_name_only_this_workgroups_people(client, workgroup, coordinator, outsider):
    client.force_login(coordinator)

    content = client.get(AUDIT_URL).content.decode()

    assert str(coordinator) in content or coordinator.email in content
    assert outsider.email not in content and "Elsewhere" not in content


# --- The table itself -------------------------------------------------------------------


def test_each_change_writes_one_event_in_the_same_transaction(workgroup, coordinator):
    from django.db import transaction

    before = _events(workgroup)
    with transaction.atomic():
        services.workgroup_update(actor=coordinator, workgroup=workgroup, name="Kept")
        assert _events(workgroup) == before + 1
    try:
        with transaction.atomic():
            services.workgroup_update(actor=coordinator, workgroup=workgroup, name="Rolled back")
            raise RuntimeError("the request failed after the change")
    except RuntimeError:
        pass

    assert _events(workgroup) == before + 1
    newest = AuditEvent.objects.filter(workgroup=workgroup).first()
    assert newest.changes == [{"field": "name", "old": "Riverbend County Workgroup", "new": "Kept"}]
    assert newest.actor_name == str(coordinator)


def test_events_cannot_be_rewritten(workgroup, coordinator):
    services.workgroup_update(actor=coordinator, workgroup=workgroup, name="Renamed")
    event = AuditEvent.objects.filter(workgroup=workgroup).first()

    event.object_repr = "Tampered"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(object_repr="Tampered")


def test_a_deleted_account_is_still_named_in_the_trail(workgroup, coordinator, member):
    services.membership_change_role(actor=coordinator, membership=_membership(member, workgroup), role=Role.VIEWER)
    name = str(coordinator)
    Membership.objects.filter(user=coordinator).delete()
    coordinator.delete()

    event = AuditEvent.objects.filter(workgroup=workgroup, action=AuditAction.CHANGED).first()
    assert event.actor is None
    assert event.actor_name == name
