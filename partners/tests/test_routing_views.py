"""Routing directory pages: allowed, wrong role, outsider, filters, query counts, nothing lost on bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners import routing
from partners.models import RoutingProfile, TransferLine
from partners.selectors import dashboard_card
from partners.tests.factories import OrganizationFactory
from toolkit.models import Membership

BASE = "/w/riverbend/partners"
TODAY = timezone.localdate


def add_line(actor, organization, **fields) -> TransferLine:
    values = {"name": "Warm-transfer line", "purpose": "from_911", "number": "(202) 555-0131",
              "test_interval_days": 90} | fields
    return routing.transfer_line_create(actor=actor, organization=organization, **values)


def make_overdue(actor, line, days: int = 200) -> None:
    routing.transfer_line_record_test(actor=actor, line=line, tested_on=TODAY() - timedelta(days=days),
                                      result="answered")


@pytest.fixture
def crisis_line(workgroup, coordinator):
    organization = OrganizationFactory(workgroup=workgroup, name="Riverbend Crisis Line")
    routing.routing_profile_save(actor=coordinator, organization=organization, answers_24_7=True,
                                 counties="Riverbend County", zip_codes="20201 20202",
                                 tribal_lands="Cedar Creek Reservation", mobile_response_urban_minutes=60)
    return organization


# --- The directory ------------------------------------------------------------------------


def test_everyone_in_the_workgroup_reads_the_directory_with_numbers_hours_coverage_and_badges(
    client, viewer, coordinator, crisis_line
):
    make_overdue(coordinator, add_line(coordinator, crisis_line))
    failed = add_line(coordinator, crisis_line, name="Overflow", number="(202) 555-0132", purpose="backup")
    routing.transfer_line_record_test(actor=coordinator, line=failed, tested_on=TODAY(), result="failed")
    client.force_login(viewer)

    page = client.get(f"{BASE}/routing/").content.decode()

    assert "Riverbend Crisis Line" in page and "(202) 555-0131" in page and "(202) 555-0132" in page
    assert "24/7" in page and "20201 20202" in page and "Cedar Creek Reservation" in page
    assert "within 60 min in urban areas" in page
    assert "Overdue for a test" in page and "Last test failed" in page
    assert "1 transfer line is overdue for a test call" in page
    assert f"organizations/{crisis_line.pk}/routing/" not in page  # a viewer reads only: no edit link


def test_the_directory_filters_by_purpose_and_by_overdue_lines(client, member, coordinator, crisis_line, workgroup):
    make_overdue(coordinator, add_line(coordinator, crisis_line, name="PSAP line"))
    mobile = OrganizationFactory(workgroup=workgroup, name="Mobile Team")
    add_line(coordinator, mobile, name="Dispatch", purpose="mobile_dispatch", number="(202) 555-0135")
    client.force_login(member)

    by_purpose = client.get(f"{BASE}/routing/", {"purpose": "mobile_dispatch"}).content.decode()
    overdue = client.get(f"{BASE}/routing/", {"overdue": "on"}).content.decode()
    nonsense = client.get(f"{BASE}/routing/", {"purpose": "<script>"})

    assert "Mobile Team" in by_purpose and "Riverbend Crisis Line" not in by_purpose
    assert "PSAP line" in overdue and "Mobile Team" not in overdue
    assert nonsense.status_code == 200 and "Mobile Team" in nonsense.content.decode()


def test_the_directory_answers_htmx_with_the_results_only(client, viewer, coordinator, crisis_line):
    add_line(coordinator, crisis_line)
    client.force_login(viewer)

    response = client.get(f"{BASE}/routing/", headers={"HX-Request": "true"})

    assert "Warm-transfer line" in response.content.decode() and "<html" not in response.content.decode()


def test_the_directory_runs_as_many_queries_for_many_organizations_and_lines_as_for_one(
    client, coordinator, workgroup
):
    def populate(start: int, count: int, lines: int) -> None:
        for n in range(start, start + count):
            organization = OrganizationFactory(workgroup=workgroup, name=f"Partner {n:03d}")
            RoutingProfile.objects.create(workgroup=workgroup, organization=organization, answers_24_7=True)
            for k in range(lines):
                TransferLine.objects.create(workgroup=workgroup, organization=organization, name=f"Line {k}",
                                            purpose="from_911", number=f"+1 202-555-{100 + k:04d}",
                                            next_test_due=TODAY() - timedelta(days=1 - k % 2))

    def count(**params) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{BASE}/routing/", params)
        assert response.status_code == 200
        return len(captured)

    client.force_login(coordinator)
    populate(0, 1, 1)
    few = [count(), count(overdue="on", purpose="from_911")]
    populate(1, 45, 30)

    assert [count(), count(overdue="on", purpose="from_911"), count(page="3")] == [*few, few[0]]
    page = client.get(f"{BASE}/routing/").content.decode()
    assert "Partner 019" in page and "Partner 020" not in page  # 20 organizations a page
    assert "and 30 lines in all" in page  # an organization's lines are capped, not unbounded


# --- Editing ------------------------------------------------------------------------------


def test_a_member_saves_hours_and_coverage_and_sees_them_on_the_organization_page(client, member, workgroup):
    organization = OrganizationFactory(workgroup=workgroup, name="Mobile Team")
    client.force_login(member)

    response = client.post(f"{BASE}/organizations/{organization.pk}/routing/", {
        "hours": "Every day 7:00–23:00", "counties": "Riverbend County", "zip_codes": "20201 20202",
        "mobile_response_urban_minutes": "60", "mobile_response_rural_minutes": "90",
    })

    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.routing.zip_codes == "20201 20202"
    detail = client.get(organization.get_absolute_url()).content.decode()
    assert "Every day 7:00–23:00" in detail and "within 90 min in rural areas" in detail
    assert "Edit routing" in detail


def test_a_bad_zip_code_is_explained_and_everything_typed_is_kept(client, member, workgroup):
    organization = OrganizationFactory(workgroup=workgroup)
    client.force_login(member)

    response = client.post(f"{BASE}/organizations/{organization.pk}/routing/", {
        "hours": "Mon–Fri 8:00–17:00", "counties": "Riverbend County", "zip_codes": "20201 2020X",
    })

    page = response.content.decode()
    assert response.status_code == 400
    assert "ZIP codes are five digits each; these are not: 2020X." in page
    assert "Mon–Fri 8:00–17:00" in page and "Riverbend County" in page
    assert not RoutingProfile.objects.exists()


def test_a_member_adds_a_line_and_911_is_refused_with_the_reason(client, member, workgroup):
    organization = OrganizationFactory(workgroup=workgroup)
    client.force_login(member)
    data = {"name": "PSAP line", "purpose": "from_911", "number": "911", "test_interval_days": "90",
            "is_active": "on", "hours": "", "notes": "Ask for the shift lead"}

    refused = client.post(f"{BASE}/organizations/{organization.pk}/lines/new/", data)
    added = client.post(f"{BASE}/organizations/{organization.pk}/lines/new/", data | {"number": "(202) 555-0140"})

    assert refused.status_code == 400
    assert "cannot be dialled to transfer a call" in refused.content.decode()
    assert "Ask for the shift lead" in refused.content.decode()
    assert added.status_code == 302
    assert TransferLine.objects.get().number == "+1 202-555-0140"
    edit_page = client.get(added["Location"]).content.decode()
    assert "(202) 555-0140" in edit_page and "Not tested yet" in edit_page


def test_a_member_records_a_failed_test_and_the_line_shows_as_failed(client, member, coordinator, crisis_line):
    line = add_line(coordinator, crisis_line)
    client.force_login(member)

    response = client.post(f"{BASE}/lines/{line.pk}/test/", {"tested_on": TODAY().isoformat(),
                                                              "result": "failed", "note": "Rang out"})

    assert response.status_code == 302
    line.refresh_from_db()
    assert line.last_test_result == "failed" and line.last_tested_on == TODAY()
    assert "Last test failed" in client.get(f"{BASE}/routing/").content.decode()


def test_changing_the_interval_in_the_form_moves_the_next_test(client, member, coordinator, crisis_line):
    line = add_line(coordinator, crisis_line, test_interval_days=90)
    client.force_login(member)

    client.post(f"{BASE}/lines/{line.pk}/edit/", {"name": line.name, "purpose": "from_911",
                                                   "number": "(202) 555-0131", "test_interval_days": "30",
                                                   "is_active": "on"})

    line.refresh_from_db()
    assert line.next_test_due == TODAY() + timedelta(days=30)


def test_deleting_a_line_asks_first_and_says_transfers_keep_their_record(
    client, member, coordinator, crisis_line, workgroup
):
    from triage.tests.transfer_factories import TransferFactory

    line = add_line(coordinator, crisis_line)
    transfer = TransferFactory(workgroup=workgroup, line=line)
    client.force_login(member)

    confirm = client.get(f"{BASE}/lines/{line.pk}/delete/").content.decode()
    assert TransferLine.objects.exists()
    assert "1 transfer record names this line" in confirm

    response = client.post(f"{BASE}/lines/{line.pk}/delete/")

    assert response.status_code == 302 and not TransferLine.objects.exists()
    transfer.refresh_from_db()
    assert transfer.line is None


# --- Who may do what ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["organizations/{org}/routing/", "organizations/{org}/lines/new/",
                                  "lines/{line}/edit/", "lines/{line}/test/", "lines/{line}/delete/"])
def test_editing_pages_refuse_a_viewer_and_hide_from_an_outsider(
    client, path, viewer, outsider, coordinator, crisis_line
):
    line = add_line(coordinator, crisis_line)
    url = f"{BASE}/{path.format(org=crisis_line.pk, line=line.pk)}"

    client.force_login(viewer)
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "x"}).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert TransferLine.objects.filter(pk=line.pk).exists()


def test_the_directory_is_hidden_from_an_outsider_and_shows_none_of_another_workgroups_lines(
    client, outsider, viewer, other_workgroup
):
    theirs = OrganizationFactory(workgroup=other_workgroup, name="Secret Dispatch")
    add_line(outsider, theirs)
    client.force_login(outsider)
    assert client.get(f"{BASE}/routing/").status_code == 404

    client.force_login(viewer)
    assert "Secret Dispatch" not in client.get(f"{BASE}/routing/").content.decode()


def test_a_line_of_another_workgroup_is_not_found_even_for_a_coordinator(
    client, coordinator, outsider, other_workgroup
):
    their_line = add_line(outsider, OrganizationFactory(workgroup=other_workgroup))
    client.force_login(coordinator)

    assert client.get(f"{BASE}/lines/{their_line.pk}/edit/").status_code == 404
    assert client.post(f"{BASE}/lines/{their_line.pk}/delete/").status_code == 404


# --- Dashboard ----------------------------------------------------------------------------


def test_the_dashboard_card_warns_about_lines_overdue_with_constant_queries(coordinator, workgroup, crisis_line):
    membership = Membership.objects.select_related("workgroup").get(user=coordinator, workgroup=workgroup)
    make_overdue(coordinator, add_line(coordinator, crisis_line))
    with CaptureQueriesContext(connection) as few:
        one = dashboard_card(workgroup=workgroup, membership=membership)
    for n in range(2, 12):
        line = add_line(coordinator, crisis_line, name=f"Line {n}", number=f"(202) 555-01{n:02d}")
        if n < 3:
            make_overdue(coordinator, line)
    add_line(coordinator, crisis_line, name="Retired", number="(202) 555-0199", is_active=False,
             test_interval_days=1)

    with CaptureQueriesContext(connection) as many:
        two = dashboard_card(workgroup=workgroup, membership=membership)

    assert "1 transfer line is overdue for a test" in one.warnings
    assert "2 transfer lines are overdue for a test" in two.warnings
    assert len(many) == len(few)


def test_the_dashboard_card_says_nothing_about_lines_when_none_is_overdue(coordinator, workgroup, crisis_line):
    membership = Membership.objects.select_related("workgroup").get(user=coordinator, workgroup=workgroup)
    add_line(coordinator, crisis_line)

    card = dashboard_card(workgroup=workgroup, membership=membership)

    assert not [w for w in card.warnings if "overdue" in w]
