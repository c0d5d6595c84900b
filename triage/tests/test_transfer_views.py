"""Transfer pages: the list (filters, pages, constant queries), one record, recording and correcting one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partners.tests.factories import OrganizationFactory
from triage.models import Direction, Transfer, TransferKind, TransferResult, TransferSettings
from triage.tests.transfer_factories import TransferFactory

pytestmark = pytest.mark.django_db


def _url(name, workgroup, **kwargs):
    return reverse(f"transfers:{name}", kwargs={"slug": workgroup.slug, **kwargs})


@pytest.fixture
def pair(workgroup):
    return (OrganizationFactory(workgroup=workgroup, name="Riverbend PSAP"),
            OrganizationFactory(workgroup=workgroup, name="Riverbend 988 Center"))


def _many(workgroup, pair, count, **extra):
    now = timezone.now()
    return [TransferFactory(workgroup=workgroup, sending_organization=pair[0], receiving_organization=pair[1],
                            initiated_at=now - timedelta(hours=index + 1), **extra) for index in range(count)]


def _list_queries(client, workgroup) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url("index", workgroup))
    assert response.status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_3_or_60_transfers(client, workgroup, viewer, pair):
    client.force_login(viewer)
    _many(workgroup, pair, 3)
    few = _list_queries(client, workgroup)
    _many(workgroup, pair, 57, follow_up_due_at=timezone.now() - timedelta(hours=1))
    assert _list_queries(client, workgroup) == few


def test_keyset_pages_go_through_every_transfer_once_newest_first(client, workgroup, viewer, pair):
    client.force_login(viewer)
    same_moment = timezone.now() - timedelta(days=1)
    made = _many(workgroup, pair, 70) + [TransferFactory(workgroup=workgroup, sending_organization=pair[0],
                                                         receiving_organization=pair[1], initiated_at=same_moment)
                                         for _ in range(40)]
    seen, query = [], {}
    while True:
        response = client.get(_url("index", workgroup), query)
        page = response.context["page"]
        seen += [t.pk for t in page.items]
        if not page.older:
            break
        query = {"after": page.older}
    assert len(seen) == len(set(seen)) == len(made)
    expected = list(Transfer.objects.filter(workgroup=workgroup).order_by("-initiated_at", "-id")
                    .values_list("pk", flat=True))
    assert seen == expected


def test_the_filters_narrow_the_list(client, workgroup, viewer, pair):
    client.force_login(viewer)
    mobile = OrganizationFactory(workgroup=workgroup, name="Mobile Team")
    dropped = TransferFactory(workgroup=workgroup, sending_organization=pair[1], receiving_organization=mobile,
                              direction=Direction.FROM_988_TO_MOBILE, result=TransferResult.DROPPED,
                              kind=TransferKind.COLD, initiated_at=timezone.now() - timedelta(days=10))
    overdue = TransferFactory(workgroup=workgroup, sending_organization=pair[0], receiving_organization=pair[1],
                              follow_up_due_at=timezone.now() - timedelta(hours=1))
    done = TransferFactory(workgroup=workgroup, sending_organization=pair[0], receiving_organization=pair[1],
                           follow_up_due_at=timezone.now() - timedelta(hours=1),
                           follow_up_done_at=timezone.now() - timedelta(hours=2), follow_up_outcome="reached_safe")

    def found(**query):
        return {t.pk for t in client.get(_url("index", workgroup), query).context["page"].items}

    assert found(result="dropped") == {dropped.pk}
    assert found(direction="988_to_mobile") == {dropped.pk}
    assert found(kind="cold") == {dropped.pk}
    assert found(organization=mobile.pk) == {dropped.pk}
    assert found(organization=pair[1].pk) == {dropped.pk, overdue.pk, done.pk}
    assert found(follow_up="overdue") == {overdue.pk}
    assert found(follow_up="done") == {done.pk}
    since = (timezone.localdate() - timedelta(days=11)).isoformat()
    until = (timezone.localdate() - timedelta(days=9)).isoformat()
    assert found(since=since, until=until) == {dropped.pk}
    response = client.get(_url("index", workgroup), {"result": "lost-in-space"})
    assert response.status_code == 200 and b"not understood" in response.content


def test_the_partner_filter_offers_only_organizations_that_sent_or_received_a_transfer(
    client, workgroup, other_workgroup, viewer, pair
):
    client.force_login(viewer)
    _many(workgroup, pair, 2)
    OrganizationFactory.create_batch(30, workgroup=workgroup)  # on the partner map, never in a transfer
    outsider = TransferFactory(workgroup=other_workgroup).sending_organization

    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url("index", workgroup))

    offered = {org.pk for org in response.context["filter"].form.fields["organization"].queryset}
    assert offered == {pair[0].pk, pair[1].pk}
    assert outsider.pk not in offered
    assert len(queries) == _list_queries(client, workgroup)
    assert b"Riverbend PSAP" in response.content


def test_an_empty_list_says_how_transfers_get_in(client, workgroup, member):
    client.force_login(member)
    response = client.get(_url("index", workgroup))
    assert b"No transfers are recorded yet" in response.content
    assert _url("record", workgroup).encode() in response.content


def test_the_list_shows_only_this_workgroups_transfers(client, workgroup, other_workgroup, viewer, pair):
    client.force_login(viewer)
    _many(workgroup, pair, 2)
    theirs = OrganizationFactory(workgroup=other_workgroup, name="Elsewhere Secret PSAP")
    TransferFactory(workgroup=other_workgroup, sending_organization=theirs,
                    receiving_organization=OrganizationFactory(workgroup=other_workgroup))
    response = client.get(_url("index", workgroup))
    assert len(response.context["page"].items) == 2
    assert b"Elsewhere Secret" not in response.content


def test_the_detail_shows_the_record_and_its_reason(client, workgroup, viewer, pair):
    client.force_login(viewer)
    transfer = TransferFactory(workgroup=workgroup, sending_organization=pair[0], receiving_organization=pair[1],
                               partner_call_id="CAD-26-0042", risk_level_name="Moderate",
                               follow_up_due_at=timezone.now() - timedelta(hours=3))
    response = client.get(transfer.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert "Riverbend PSAP → Riverbend 988 Center" in content
    assert "CAD-26-0042" in content and "Moderate" in content and "Overdue" in content
    assert "Record the follow-up" not in content  # viewers read only
    assert "Create an incident report" not in content


@pytest.mark.parametrize("role, status", [("viewer", 403), ("outsider", 404), ("member", 200)])
def test_who_may_open_the_record_form(client, workgroup, people, role, status):
    client.force_login(people[role])
    assert client.get(_url("record", workgroup)).status_code == status


def test_another_workgroups_transfer_is_not_found(client, workgroup, other_workgroup, coordinator):
    client.force_login(coordinator)
    theirs = TransferFactory(workgroup=other_workgroup)
    assert client.get(_url("detail", workgroup, transfer_id=theirs.pk)).status_code == 404
    assert client.get(_url("edit", workgroup, transfer_id=theirs.pk)).status_code == 404


def _form_data(pair, **extra):
    initiated = timezone.localtime() - timedelta(hours=1)
    return {"direction": Direction.FROM_911_TO_988, "sending_organization": pair[0].pk,
            "receiving_organization": pair[1].pk, "initiated_at": initiated.strftime("%Y-%m-%dT%H:%M"),
            "accepted_at": (initiated + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"), "kind": "warm",
            "result": "accepted", "partner_call_id": "CAD-77", **extra}


def test_recording_a_transfer_saves_it_and_opens_it(client, workgroup, member, pair):
    client.force_login(member)
    response = client.post(_url("record", workgroup), _form_data(pair))
    transfer = Transfer.objects.get()
    assert response.status_code == 302 and response["Location"] == transfer.get_absolute_url()
    assert transfer.created_by == member and transfer.seconds_to_accept == 60
    assert transfer.follow_up_due_at == transfer.initiated_at + timedelta(hours=72)


def test_bad_input_says_what_is_wrong_saves_nothing_and_keeps_what_was_typed(client, workgroup, member, pair):
    client.force_login(member)
    data = _form_data(pair, result="dropped", receiving_organization=pair[0].pk, partner_call_id="CAD-KEEP-ME")
    response = client.post(_url("record", workgroup), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert "accept time goes with a transfer that was accepted" in str(form.errors["accepted_at"])
    assert not Transfer.objects.exists()
    assert b'value="CAD-KEEP-ME"' in response.content
    data = _form_data(pair, receiving_organization=pair[0].pk)
    response = client.post(_url("record", workgroup), data)
    assert "different receiving organization" in str(response.context["form"].errors["receiving_organization"])
    assert not Transfer.objects.exists()


def test_an_organization_of_another_workgroup_is_refused(client, workgroup, other_workgroup, member, pair):
    client.force_login(member)
    theirs = OrganizationFactory(workgroup=other_workgroup)
    response = client.post(_url("record", workgroup), _form_data(pair, receiving_organization=theirs.pk))
    assert response.status_code == 400 and "receiving_organization" in response.context["form"].errors
    assert not Transfer.objects.exists()


def test_correcting_a_record_keeps_the_rest_and_refuses_bad_times(client, workgroup, qa_reviewer, pair):
    client.force_login(qa_reviewer)
    transfer = TransferFactory(workgroup=workgroup, sending_organization=pair[0], receiving_organization=pair[1])
    response = client.get(_url("edit", workgroup, transfer_id=transfer.pk))
    assert response.context["form"].initial["sending_organization"] == pair[0]
    initiated = timezone.localtime(transfer.initiated_at)
    data = _form_data(pair, initiated_at=initiated.strftime("%Y-%m-%dT%H:%M"),
                      call_received_at=(initiated + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"))
    response = client.post(_url("edit", workgroup, transfer_id=transfer.pk), data)
    assert response.status_code == 400
    assert "received after the transfer was initiated" in str(response.context["form"].errors["call_received_at"])
    data["call_received_at"] = ""
    data["result"], data["accepted_at"] = "refused", ""
    assert client.post(_url("edit", workgroup, transfer_id=transfer.pk), data).status_code == 302
    transfer.refresh_from_db()
    assert transfer.result == "refused" and transfer.accepted_at is None and transfer.partner_call_id == "CAD-77"


def test_a_correction_keeps_the_times_to_the_second(client, workgroup, member, pair):
    client.force_login(member)
    initiated = (timezone.now() - timedelta(hours=2)).replace(microsecond=0)
    transfer = TransferFactory(workgroup=workgroup, sending_organization=pair[0], receiving_organization=pair[1],
                               initiated_at=initiated, accepted_at=initiated + timedelta(seconds=37))
    response = client.get(_url("edit", workgroup, transfer_id=transfer.pk))
    shown = timezone.localtime(initiated).strftime("%Y-%m-%dT%H:%M:%S")
    assert f'value="{shown}"'.encode() in response.content
    data = _form_data(pair, initiated_at=shown, kind="cold",
                      accepted_at=timezone.localtime(transfer.accepted_at).strftime("%Y-%m-%dT%H:%M:%S"))
    assert client.post(_url("edit", workgroup, transfer_id=transfer.pk), data).status_code == 302
    transfer.refresh_from_db()
    assert transfer.kind == "cold" and transfer.initiated_at == initiated and transfer.seconds_to_accept == 37


def test_the_follow_up_form_records_it_and_refuses_a_time_before_the_transfer(client, workgroup, member, pair):
    client.force_login(member)
    transfer = TransferFactory(workgroup=workgroup, sending_organization=pair[0], receiving_organization=pair[1])
    url = _url("follow-up", workgroup, transfer_id=transfer.pk)
    before = timezone.localtime(transfer.initiated_at - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"done_at": before, "outcome": "reached_safe"})
    assert response.status_code == 400
    assert "before the transfer was initiated" in str(response.context["follow_up_form"].errors["done_at"])
    transfer.refresh_from_db()
    assert transfer.follow_up_done_at is None
    done = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    assert client.post(url, {"done_at": done, "outcome": "reached_help"}).status_code == 302
    transfer.refresh_from_db()
    assert transfer.follow_up_outcome == "reached_help" and transfer.follow_up_done_at is not None
    assert "Done" in client.get(transfer.get_absolute_url()).content.decode()


def test_viewers_cannot_record_a_follow_up(client, workgroup, viewer):
    client.force_login(viewer)
    transfer = TransferFactory(workgroup=workgroup)
    done = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(_url("follow-up", workgroup, transfer_id=transfer.pk), {"done_at": done,
                                                                                    "outcome": "reached_safe"})
    assert response.status_code == 403


def test_coordinators_set_the_follow_up_window(client, workgroup, coordinator, member):
    client.force_login(member)
    assert client.get(_url("settings", workgroup)).status_code == 403
    client.force_login(coordinator)
    assert client.get(_url("settings", workgroup)).context["form"].initial["follow_up_hours"] == 72
    assert not TransferSettings.objects.exists()  # a GET never writes
    assert client.post(_url("settings", workgroup), {"follow_up_hours": "0"}).status_code == 400
    assert client.post(_url("settings", workgroup), {"follow_up_hours": "24"}).status_code == 302
    assert TransferSettings.objects.get(workgroup=workgroup).follow_up_hours == 24



def test_the_outcome_is_chosen_from_versions_in_force_and_fills_in_the_reason(client, workgroup, coordinator,
                                                                              member, pair):
    from triage.models import NodeKind
    from triage.tests.transfer_factories import approved_version

    version = approved_version(workgroup=workgroup, actor=coordinator)
    outcome = version.nodes.filter(kind=NodeKind.OUTCOME, route="911_to_988", risk_level__isnull=False).first()
    client.force_login(member)
    page = client.get(_url("record", workgroup)).content.decode()
    assert f'<optgroup label="{version.protocol} v1">' in page and outcome.text in page
    assert client.post(_url("record", workgroup), _form_data(pair, outcome=outcome.pk)).status_code == 302
    transfer = Transfer.objects.get()
    assert transfer.protocol_version == version and transfer.risk_level_name == outcome.risk_level.name
    response = client.post(_url("record", workgroup), _form_data(pair, outcome=999999))
    assert response.status_code == 400 and "outcome" in response.context["form"].errors
