"""Rounds as a coordinator runs them: the start page, opening, editing, closing, reopening, reminding."""

from __future__ import annotations

import html
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from readiness.messages import MSG_DUE_DATE_PAST, MSG_DUE_DATE_TOO_FAR
from readiness.models import AssessmentRound, InstrumentStatus
from readiness.tests.factories import RoundFactory, default_version, link_respondent, small_version

BASE = "/w/riverbend/readiness"


@pytest.fixture
def round_(workgroup):
    return RoundFactory(workgroup=workgroup, instrument_version=small_version(workgroup)[0], title="Spring round")


def text(response) -> str:
    return html.unescape(response.content.decode())


def round_data(version, **overrides) -> dict:
    due = timezone.localdate() + timedelta(days=21)
    return {"title": "Baseline readiness", "instrument_version": version.pk,
            "scope_statement": "Transfers between Riverbend 988 and the county PSAP.", "goal": "interoperability",
            "due_date": due.isoformat(), "action_threshold": "3.5"} | overrides


def test_the_index_explains_rounds_when_there_are_none(client, coordinator, workgroup):
    client.force_login(coordinator)

    page = text(client.get(f"{BASE}/"))

    assert "No readiness round yet" in page and "purpose and scope" in page and "leadership turnover" in page
    assert "Open a round" in page
    assert default_version(workgroup).status == InstrumentStatus.PUBLISHED  # the default instrument exists now


def test_the_index_lists_rounds_with_their_progress(client, viewer, round_):
    submitted_one = link_respondent(round_)
    submitted_one.submitted_at = timezone.now()
    submitted_one.save()
    link_respondent(round_)
    client.force_login(viewer)

    page = text(client.get(f"{BASE}/"))

    assert "Spring round" in page and "1 of 2 answered" in page and "Small instrument v1" in page
    assert f"{BASE}/rounds/{round_.pk}/results/" in page
    assert "Open a round" not in page


def test_a_coordinator_opens_a_round(client, coordinator, workgroup):
    version = default_version(workgroup)
    client.force_login(coordinator)
    assert "988–911 readiness for change — version 1" in text(client.get(f"{BASE}/rounds/new/"))

    response = client.post(f"{BASE}/rounds/new/", round_data(version))

    round_ = AssessmentRound.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{BASE}/rounds/{round_.pk}/"
    assert (round_.title, round_.instrument_version, str(round_.action_threshold)) == (
        "Baseline readiness", version, "3.50")
    assert round_.created_by == coordinator
    assert "is open. Now add the people who should answer" in text(client.get(response["Location"]))


def test_a_due_date_in_the_past_is_refused_and_the_input_kept(client, coordinator, workgroup):
    client.force_login(coordinator)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()

    response = client.post(f"{BASE}/rounds/new/", round_data(default_version(workgroup), due_date=yesterday))

    assert response.status_code == 400
    page = text(response)
    assert MSG_DUE_DATE_PAST in page
    assert 'value="Baseline readiness"' in page and "Transfers between Riverbend 988" in page
    assert not AssessmentRound.objects.exists()


def test_a_due_date_at_the_end_of_the_calendar_is_refused_not_a_server_error(client, coordinator, round_):
    """Bug (found by test_forms_hostile): reopening or moving a round to 9999-12-30 crashed (500, OverflowError)
    while the links' expiry (a grace period after the due date) was computed."""
    respondent = link_respondent(round_)
    expires = respondent.link_expires_at
    client.force_login(coordinator)
    too_far = MSG_DUE_DATE_TOO_FAR.format(years=5)

    edited = client.post(f"{BASE}/rounds/{round_.pk}/edit/", {
        "title": "Spring round (extended)", "scope_statement": "Wider scope.", "due_date": "9999-12-30",
        "action_threshold": "3"})

    assert edited.status_code == 400 and too_far in text(edited)
    assert 'value="Spring round (extended)"' in text(edited)
    round_.refresh_from_db()
    respondent.refresh_from_db()
    assert round_.title == "Spring round" and respondent.link_expires_at == expires
    client.post(f"{BASE}/rounds/{round_.pk}/close/")
    reopened = client.post(f"{BASE}/rounds/{round_.pk}/reopen/", {"due_date": "9999-12-30"})
    assert reopened.status_code == 400 and too_far in text(reopened)
    round_.refresh_from_db()
    assert not round_.is_open


def test_a_round_due_exactly_five_calendar_years_ahead_is_accepted_and_a_day_more_is_not():
    """"Within 5 years" means calendar years: 5 × 365 days fell a day short whenever a 29 February lay between."""
    from datetime import date

    from readiness.services.rounds import _years_after

    assert _years_after(date(2026, 12, 7), 5) == date(2031, 12, 7)
    assert _years_after(date(2028, 2, 29), 5) == date(2033, 2, 28)


def test_a_new_round_due_in_decades_is_refused(client, coordinator, workgroup):
    client.force_login(coordinator)

    response = client.post(f"{BASE}/rounds/new/", round_data(default_version(workgroup), due_date="9999-12-31"))

    assert response.status_code == 400 and MSG_DUE_DATE_TOO_FAR.format(years=5) in text(response)
    assert not AssessmentRound.objects.exists()


def test_a_draft_or_another_workgroups_version_cannot_be_chosen(client, coordinator, workgroup, other_workgroup):
    draft, _ = small_version(workgroup, name="Draft instrument", status=InstrumentStatus.DRAFT)
    theirs, _ = small_version(other_workgroup, name="Elsewhere instrument")
    client.force_login(coordinator)
    assert "Draft instrument" not in text(client.get(f"{BASE}/rounds/new/"))

    for version in (draft, theirs):
        response = client.post(f"{BASE}/rounds/new/", round_data(version))
        assert response.status_code == 400
        assert "Select a valid choice" in text(response)
    assert not AssessmentRound.objects.exists()


def test_a_coordinator_edits_a_round_and_unused_links_follow_the_due_date(client, coordinator, round_):
    respondent = link_respondent(round_)
    client.force_login(coordinator)
    new_due = timezone.localdate() + timedelta(days=40)

    response = client.post(f"{BASE}/rounds/{round_.pk}/edit/", {
        "title": "Spring round (extended)", "scope_statement": "Wider scope.", "due_date": new_due.isoformat(),
        "action_threshold": "3"})

    assert response.status_code == 302
    round_.refresh_from_db()
    respondent.refresh_from_db()
    assert round_.title == "Spring round (extended)" and round_.due_date == new_due
    assert timezone.localdate(respondent.link_expires_at) > new_due


def test_close_asks_first_and_reopen_needs_a_new_due_date(client, coordinator, round_):
    client.force_login(coordinator)
    assert "Close “Spring round”?" in text(client.get(f"{BASE}/rounds/{round_.pk}/close/"))
    round_.refresh_from_db()
    assert round_.is_open

    client.post(f"{BASE}/rounds/{round_.pk}/close/")
    round_.refresh_from_db()
    assert not round_.is_open and round_.closed_at
    page = text(client.get(f"{BASE}/rounds/{round_.pk}/"))
    assert "Reopen" in page and "Send reminders now" not in page and "Add people" not in page

    past = client.post(f"{BASE}/rounds/{round_.pk}/reopen/",
                       {"due_date": (timezone.localdate() - timedelta(days=2)).isoformat()})
    assert past.status_code == 400 and MSG_DUE_DATE_PAST in text(past)
    missing = client.post(f"{BASE}/rounds/{round_.pk}/reopen/", {})
    assert missing.status_code == 400
    new_due = timezone.localdate() + timedelta(days=10)
    client.post(f"{BASE}/rounds/{round_.pk}/reopen/", {"due_date": new_due.isoformat()})
    round_.refresh_from_db()
    assert round_.is_open and round_.due_date == new_due


def test_send_reminders_enqueues_the_task_after_the_commit(
    client, coordinator, round_, django_capture_on_commit_callbacks
):
    link_respondent(round_)
    link_respondent(round_)
    done = link_respondent(round_)
    done.submitted_at = timezone.now()
    done.save()
    client.force_login(coordinator)

    with mock.patch("readiness.views.rounds.send_round_reminders.delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = client.post(f"{BASE}/rounds/{round_.pk}/remind/")
        delay.assert_not_called()  # not before the commit
        for callback in callbacks:
            callback()

    delay.assert_called_once_with(round_.pk, "http://testserver/")
    assert "Reminders are being sent to 2 people who have not submitted" in text(client.get(response["Location"]))


def test_reminders_reach_everyone_who_has_not_submitted(client, coordinator, round_, settings,
                                                        django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    pending = link_respondent(round_, email="pending@partner.test")
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{BASE}/rounds/{round_.pk}/remind/")

    assert [m.to for m in mail.outbox] == [["pending@partner.test"]]
    assert "/respond/riverbend/" in mail.outbox[0].body
    pending.refresh_from_db()
    assert pending.reminders_sent == 1
