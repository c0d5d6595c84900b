"""The routing directory's services and selectors: the test-overdue rule, numbers, ZIP codes, permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from partners import routing
from partners.models import LineTestResult, TransferLine
from partners.tests.factories import OrganizationFactory
from partners.validators import MSG_TRANSFER_NUMBER, normalize_transfer_number

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def add_line(actor, organization, **fields) -> TransferLine:
    values = {"name": "Warm-transfer line", "purpose": "from_911", "number": "(202) 555-0131",
              "test_interval_days": 90} | fields
    return routing.transfer_line_create(actor=actor, organization=organization, **values)


def overdue_names(workgroup, today) -> set[str]:
    return set(routing.lines_overdue(workgroup=workgroup, today=today).values_list("name", flat=True))


# --- The overdue rule ---------------------------------------------------------------------


def test_a_line_never_tested_falls_due_one_interval_after_it_was_added(coordinator, workgroup):
    line = add_line(coordinator, OrganizationFactory(workgroup=workgroup), test_interval_days=30)

    assert line.last_tested_on is None
    assert line.next_test_due == TODAY() + timedelta(days=30)
    assert overdue_names(workgroup, TODAY() + timedelta(days=30)) == set()
    assert overdue_names(workgroup, TODAY() + timedelta(days=31)) == {"Warm-transfer line"}


def test_a_line_tested_recently_is_not_overdue_and_an_old_test_is(coordinator, workgroup):
    organization = OrganizationFactory(workgroup=workgroup)
    recent = add_line(coordinator, organization, name="Recent", number="(202) 555-0131")
    old = add_line(coordinator, organization, name="Old", number="(202) 555-0132")
    routing.transfer_line_record_test(actor=coordinator, line=recent, tested_on=TODAY() - timedelta(days=10),
                                      result=LineTestResult.ANSWERED)
    routing.transfer_line_record_test(actor=coordinator, line=old, tested_on=TODAY() - timedelta(days=120),
                                      result=LineTestResult.ANSWERED)

    assert overdue_names(workgroup, TODAY()) == {"Old"}
    recent.refresh_from_db()
    assert recent.next_test_due == TODAY() + timedelta(days=80)


def test_the_due_day_itself_is_not_overdue_and_the_day_after_is(coordinator, workgroup):
    line = add_line(coordinator, OrganizationFactory(workgroup=workgroup), test_interval_days=90)
    routing.transfer_line_record_test(actor=coordinator, line=line, tested_on=TODAY() - timedelta(days=90),
                                      result=LineTestResult.ANSWERED)

    assert TransferLine.objects.get().next_test_due == TODAY()
    assert overdue_names(workgroup, TODAY()) == set()
    assert overdue_names(workgroup, TODAY() + timedelta(days=1)) == {"Warm-transfer line"}


def test_shortening_the_interval_moves_the_next_test_and_can_make_a_line_overdue(coordinator, workgroup):
    line = add_line(coordinator, OrganizationFactory(workgroup=workgroup), test_interval_days=90)
    routing.transfer_line_record_test(actor=coordinator, line=line, tested_on=TODAY() - timedelta(days=60),
                                      result=LineTestResult.ANSWERED)
    assert overdue_names(workgroup, TODAY()) == set()

    line.refresh_from_db()
    routing.transfer_line_update(actor=coordinator, line=line, test_interval_days=30)

    assert TransferLine.objects.get().next_test_due == TODAY() - timedelta(days=30)
    assert overdue_names(workgroup, TODAY()) == {"Warm-transfer line"}


def test_a_line_not_in_use_is_never_overdue(coordinator, workgroup):
    line = add_line(coordinator, OrganizationFactory(workgroup=workgroup), test_interval_days=7)
    routing.transfer_line_record_test(actor=coordinator, line=line, tested_on=TODAY() - timedelta(days=300),
                                      result=LineTestResult.ANSWERED)
    line.refresh_from_db()
    routing.transfer_line_update(actor=coordinator, line=line, is_active=False)

    assert overdue_names(workgroup, TODAY() + timedelta(days=400)) == set()


def test_a_failed_test_is_recorded_and_counts_as_tested(coordinator, workgroup):
    line = add_line(coordinator, OrganizationFactory(workgroup=workgroup))

    test = routing.transfer_line_record_test(actor=coordinator, line=line, tested_on=TODAY(),
                                             result=LineTestResult.FAILED, note="Rang out after 20 rings")

    line.refresh_from_db()
    assert (line.last_tested_on, line.last_test_result) == (TODAY(), LineTestResult.FAILED)
    assert line.next_test_due == TODAY() + timedelta(days=90)
    assert test.recorded_by == coordinator and line.tests.get().note == "Rang out after 20 rings"


def test_a_test_entered_late_is_logged_without_rewinding_the_schedule(coordinator, workgroup):
    line = add_line(coordinator, OrganizationFactory(workgroup=workgroup))
    routing.transfer_line_record_test(actor=coordinator, line=line, tested_on=TODAY(), result="answered")

    routing.transfer_line_record_test(actor=coordinator, line=line, tested_on=TODAY() - timedelta(days=40),
                                      result="failed")

    line.refresh_from_db()
    assert (line.last_tested_on, line.last_test_result) == (TODAY(), "answered")
    assert line.tests.count() == 2


def test_a_test_dated_tomorrow_is_refused(coordinator, workgroup):
    line = add_line(coordinator, OrganizationFactory(workgroup=workgroup))

    with pytest.raises(ValidationError) as refused:
        routing.transfer_line_record_test(actor=coordinator, line=line, tested_on=TODAY() + timedelta(days=1),
                                          result="answered")

    assert routing.MSG_TEST_IN_FUTURE in refused.value.messages
    assert not line.tests.exists()


# --- Numbers and ZIP codes --------------------------------------------------------------------


@pytest.mark.parametrize("number", ["911", "988", "555-0143", "+44 20 7946 0958", "211", "1-800-FLOWERS-X", ""])
def test_short_codes_seven_digit_and_foreign_numbers_are_refused_as_transfer_lines(number):
    with pytest.raises(ValidationError) as refused:
        normalize_transfer_number(number)

    assert refused.value.messages == [MSG_TRANSFER_NUMBER.format(value=number)]


@pytest.mark.parametrize("number", ["(202) 555-0143", "202-555-0143", "202.555.0143", "+1 202 555 0143"])
def test_a_full_ten_digit_number_is_accepted_in_any_usual_style(number):
    assert normalize_transfer_number(number) == "+1 202-555-0143"


def test_the_service_stores_the_number_normalised_and_refuses_it_twice_for_one_organization(coordinator, workgroup):
    organization = OrganizationFactory(workgroup=workgroup, name="Riverbend 988")
    line = add_line(coordinator, organization, number="202.555.0131")
    assert line.number == "+1 202-555-0131"

    with pytest.raises(ValidationError) as refused:
        add_line(coordinator, organization, name="Second", number="(202) 555-0131")

    assert refused.value.message_dict["number"] == [
        routing.MSG_NUMBER_TAKEN.format(organization="Riverbend 988", number="(202) 555-0131")]


def test_the_service_refuses_911_as_a_line(coordinator, workgroup):
    with pytest.raises(ValidationError):
        add_line(coordinator, OrganizationFactory(workgroup=workgroup), number="911")

    assert not TransferLine.objects.exists()


def test_zip_codes_are_stored_once_each_and_anything_else_is_refused_with_the_bad_ones_named(coordinator, workgroup):
    organization = OrganizationFactory(workgroup=workgroup)
    profile = routing.routing_profile_save(actor=coordinator, organization=organization, answers_24_7=True,
                                           zip_codes="20201, 20202\n20201;20203")
    assert profile.zip_codes == "20201 20202 20203"

    with pytest.raises(ValidationError) as refused:
        routing.routing_profile_save(actor=coordinator, organization=organization, zip_codes="20201 2020 ABCDE")

    assert refused.value.message_dict["zip_codes"] == [routing.MSG_ZIP_INVALID.format(codes="2020, ABCDE")]
    profile.refresh_from_db()
    assert profile.zip_codes == "20201 20202 20203"


def test_saving_a_profile_twice_updates_the_one_profile_and_24_7_clears_stale_hours(coordinator, workgroup):
    organization = OrganizationFactory(workgroup=workgroup)
    routing.routing_profile_save(actor=coordinator, organization=organization, hours="Mon–Fri 8–17")

    profile = routing.routing_profile_save(actor=coordinator, organization=organization, answers_24_7=True,
                                           hours="Mon–Fri 8–17")

    assert organization.routing == profile and profile.hours == ""
    assert profile.history.first().history_user == coordinator


# --- Permissions --------------------------------------------------------------------------


def test_a_viewer_cannot_add_edit_test_or_delete_lines_or_save_a_profile(coordinator, viewer, workgroup):
    organization = OrganizationFactory(workgroup=workgroup)
    line = add_line(coordinator, organization)

    for attempt in (
        lambda: add_line(viewer, organization, number="(202) 555-0199"),
        lambda: routing.transfer_line_update(actor=viewer, line=line, name="Renamed"),
        lambda: routing.transfer_line_record_test(actor=viewer, line=line, tested_on=TODAY(), result="answered"),
        lambda: routing.transfer_line_delete(actor=viewer, line=line),
        lambda: routing.routing_profile_save(actor=viewer, organization=organization, answers_24_7=True),
    ):
        with pytest.raises(PermissionDenied):
            attempt()

    line.refresh_from_db()
    assert line.name == "Warm-transfer line" and not line.tests.exists()


def test_a_coordinator_cannot_touch_another_workgroups_organization_or_lines(coordinator, outsider, other_workgroup):
    theirs = OrganizationFactory(workgroup=other_workgroup)
    their_line = add_line(outsider, theirs)

    with pytest.raises(PermissionDenied):
        add_line(coordinator, theirs, number="(202) 555-0199")
    with pytest.raises(PermissionDenied):
        routing.transfer_line_delete(actor=coordinator, line=their_line)
    with pytest.raises(PermissionDenied):
        routing.routing_profile_save(actor=coordinator, organization=theirs, answers_24_7=True)

    assert TransferLine.objects.filter(organization=theirs).count() == 1


# --- Documents ----------------------------------------------------------------------------


def test_packets_get_the_parties_lines_in_use_in_national_format_with_hours(coordinator, workgroup):
    party = OrganizationFactory(workgroup=workgroup, name="Riverbend 988")
    other = OrganizationFactory(workgroup=workgroup, name="Not a party")
    routing.routing_profile_save(actor=coordinator, organization=party, answers_24_7=True)
    add_line(coordinator, party, name="PSAP line")
    add_line(coordinator, party, name="Old line", number="(202) 555-0132", is_active=False)
    add_line(coordinator, other, name="Elsewhere")

    lines = routing.lines_for_documents(workgroup=workgroup, organization_ids=[party.pk])

    assert [(x.organization, x.name, x.number, x.hours) for x in lines] == [
        ("Riverbend 988", "PSAP line", "(202) 555-0131", "24/7")]


# --- Demo ---------------------------------------------------------------------------------


def test_the_demo_gives_the_988_center_psaps_and_mobile_team_lines_with_one_overdue(coordinator, workgroup):
    from partners.demo import seed_partner_demo

    seed_partner_demo(workgroup=workgroup, actor=coordinator)
    seed_partner_demo(workgroup=workgroup, actor=coordinator)  # twice: nothing doubles

    purposes = set(TransferLine.objects.filter(workgroup=workgroup).values_list("purpose", flat=True))
    assert {"from_911", "from_988", "mobile_dispatch"} <= purposes
    assert TransferLine.objects.filter(workgroup=workgroup).count() == 5
    assert list(routing.lines_overdue(workgroup=workgroup, today=TODAY()).values_list("name", flat=True)) == [
        "Overflow line for PSAPs"]
