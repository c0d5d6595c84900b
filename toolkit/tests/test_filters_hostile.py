"""The list filters in the query string (GET forms) with the calendar's last day: a page, never a 500.

Bug (found while hunting hostile input for test_forms_hostile): "To" = 9999-12-31 on the transfer list
and the audit log, and a custom metrics period ending then, crashed with OverflowError (the day after
the last day of the calendar). Such a date is now a value that does not validate (toolkit.forms.
plausible_date, the range the incident trends already kept to): the lists leave it out and say so,
the metrics form refuses it.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from toolkit.forms import MSG_DATE_OUT_OF_RANGE
from triage.transfers.metric_forms import MSG_CUSTOM_NEEDS_DATES

pytestmark = pytest.mark.django_db

LAST_DAY, FIRST_DAY = "9999-12-31", "0001-01-01"


def _get(client, person, name: str, **query):
    client.force_login(person)
    return client.get(reverse(name, args=["riverbend"]), query)


@pytest.mark.parametrize("day", [LAST_DAY, FIRST_DAY])
def test_the_transfer_list_with_a_date_at_the_end_of_the_calendar_leaves_it_out(client, viewer, day):
    response = _get(client, viewer, "transfers:index", since=day, until=day)

    assert response.status_code == 200
    assert f"From: {MSG_DATE_OUT_OF_RANGE}" in response.content.decode()  # which filter, once each
    assert f"To: {MSG_DATE_OUT_OF_RANGE}" in response.content.decode()


@pytest.mark.parametrize("day", [LAST_DAY, FIRST_DAY])
def test_the_audit_log_with_a_date_at_the_end_of_the_calendar_leaves_it_out(client, coordinator, day):
    response = _get(client, coordinator, "toolkit:audit-log", since=day, until=day)

    assert response.status_code == 200
    assert MSG_DATE_OUT_OF_RANGE in response.content.decode()


def test_a_custom_metrics_period_ending_on_the_calendars_last_day_is_refused(client, viewer):
    response = _get(client, viewer, "transfers:metrics", period="custom", start="9999-12-01", end=LAST_DAY)

    assert response.status_code in {200, 400}
    assert MSG_DATE_OUT_OF_RANGE in response.content.decode()
    assert MSG_CUSTOM_NEEDS_DATES not in response.content.decode()  # both were given; one is out of range
