"""Incident trends: numbers on hand-computed data, filters, who sees the page, and queries that do not grow."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents import trends as trend_selectors
from incidents.models import ActionStatus, CorrectiveAction, Incident, IncidentStatus, RootCause
from incidents.trends import incident_trends, month_range, workgroup_incidents
from partners.tests.factories import OrganizationFactory
from toolkit.models import Job

pytestmark = pytest.mark.django_db
_numbers = count(1)


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=hour))


def make_incident(workgroup, *, occurred: date, category="delay", incident_class="near_miss", agreed_harm="",
                  closed_after_days: float | None = None, organizations=(), confidentiality="normal",
                  **fields) -> Incident:
    """A report as the review leaves it, written directly: the trends only read these columns."""
    when = at(occurred)
    values = dict(narrative="The warm transfer dropped twice.", status=IncidentStatus.SUBMITTED)
    values.update(fields)
    if closed_after_days is not None:
        values.update(status=IncidentStatus.CLOSED, closed_at=when + timedelta(days=closed_after_days))
    incident = Incident.objects.create(
        workgroup=workgroup, reference=f"INC-{occurred.year}-{next(_numbers):04d}", category=category,
        incident_class=incident_class, occurred_at=when, discovered_at=when, agreed_harm=agreed_harm,
        confidentiality=confidentiality, **values)
    Incident.objects.filter(pk=incident.pk).update(created_at=when)  # reported when it happened
    incident.organizations.set(organizations)
    return incident


def make_action(incident, *, status=ActionStatus.OPEN, due: date) -> CorrectiveAction:
    cause = RootCause.objects.create(workgroup=incident.workgroup, incident=incident, description="No backup line.")
    return CorrectiveAction.objects.create(
        workgroup=incident.workgroup, incident=incident, root_cause=cause, description="Add a backup line.",
        due_date=due, status=status, completed_at=timezone.now() if status == ActionStatus.DONE else None)


def spring(workgroup):
    """3 delays in March 2025, 2 delays and a failed transfer in April; 4 closed after 2, 4, 6 and 10 days."""
    a = OrganizationFactory(workgroup=workgroup, name="Riverbend 988")
    b = OrganizationFactory(workgroup=workgroup, name="County 911")
    c = OrganizationFactory(workgroup=workgroup, name="Mobile Crisis East")
    march = [make_incident(workgroup, occurred=date(2025, 3, d), closed_after_days=days, organizations=orgs,
                           agreed_harm=harm)
             for d, days, orgs, harm in ((3, 2, [a, b], "mild"), (10, 4, [a], "mild"), (20, None, [], "none"))]
    april = [make_incident(workgroup, occurred=date(2025, 4, 2), closed_after_days=6, organizations=[a, b, c]),
             make_incident(workgroup, occurred=date(2025, 4, 9), closed_after_days=10, incident_class="no_harm",
                           confidentiality="privileged"),
             make_incident(workgroup, occurred=date(2025, 4, 28), category="failed_transfer", incident_class="harm")]
    today = timezone.localdate()
    make_action(march[0], due=today - timedelta(days=3))  # open, overdue
    make_action(march[1], status=ActionStatus.IN_PROGRESS, due=today + timedelta(days=10))
    make_action(april[0], status=ActionStatus.DONE, due=today - timedelta(days=30))  # done: not open
    make_action(april[2], status=ActionStatus.IN_PROGRESS, due=today - timedelta(days=1))  # overdue
    return march, april


def _counts(rows) -> dict[str, int]:
    return {row.label: row.count for row in rows}


def _spring_trends(workgroup):
    return incident_trends(workgroup=workgroup, incidents=workgroup_incidents(workgroup=workgroup),
                           months=month_range(start=date(2025, 3, 1), end=date(2025, 4, 30)))


def test_trend_numbers_match_the_hand_counted_reports(workgroup, monkeypatch):
    spring(workgroup)
    monkeypatch.setattr(trend_selectors, "TOP_ORGANIZATIONS", 2)

    found = _spring_trends(workgroup)

    assert found.total == 6
    assert _counts(found.by_month) == {"Mar 2025": 3, "Apr 2025": 3}
    assert _counts(found.by_category)["Delay"] == 5 and _counts(found.by_category)["Failed or dropped transfer"] == 1
    assert _counts(found.by_category)["Sentinel event"] == 0
    assert _counts(found.by_class) == {"Incident with harm": 1, "Incident without harm": 1, "Near miss": 4,
                                       "Unsafe condition": 0}
    assert _counts(found.by_harm) == {"No harm": 1, "Mild harm": 2, "Moderate harm": 0, "Severe harm": 0,
                                      "Death": 0, "Unknown": 0, "Not yet agreed": 3}
    # Riverbend in 3 incidents, County in 2, Mobile Crisis East summed as the other; 3 incidents name none.
    assert _counts(found.by_organization) == {"Riverbend 988": 3, "County 911": 2, "1 other organization": 1,
                                              "No organization named": 3}
    assert found.organizations_named == 3
    assert found.closed == 4 and found.median_days_to_close == 5.0  # middle of 2, 4, 6, 10
    assert (found.actions_open, found.actions_overdue) == (3, 2)


def test_the_portable_median_agrees_with_percentile_cont_for_odd_and_even_counts(workgroup, monkeypatch):
    for days in (2, 4, 10):
        make_incident(workgroup, occurred=date(2025, 3, 1), closed_after_days=days)
    make_incident(workgroup, occurred=date(2025, 3, 1))  # open: not counted
    incidents = workgroup_incidents(workgroup=workgroup)

    assert trend_selectors.median_days_to_close(incidents=incidents) == 4.0
    monkeypatch.setattr(trend_selectors, "_uses_percentile_cont", lambda: False)
    assert trend_selectors.median_days_to_close(incidents=incidents) == 4.0
    make_incident(workgroup, occurred=date(2025, 3, 1), closed_after_days=7)
    assert trend_selectors.median_days_to_close(incidents=incidents) == 5.5
    monkeypatch.undo()
    assert trend_selectors.median_days_to_close(incidents=incidents) == 5.5


def _page(client, workgroup, **params):
    return client.get(reverse("incidents:trends", kwargs={"slug": workgroup.slug}), params)


def _table(response, key: str) -> dict[str, int]:
    section = next(s for s in response.context["sections"] if s["key"] == key)
    return {row.label: row.count for row in section["rows"]}


def test_the_page_shows_charts_with_the_same_numbers_in_tables(client, workgroup, qa_reviewer):
    spring(workgroup)
    client.force_login(qa_reviewer)

    response = _page(client, workgroup, occurred_from="2025-03-01", occurred_to="2025-04-30")

    assert response.status_code == 200
    body = response.content.decode()
    assert _table(response, "month") == {"Mar 2025": 3, "Apr 2025": 3}
    assert body.count("<svg") == 5 and body.count("<title>") >= 5 and body.count("<desc>") == 5
    assert 'data-testid="table-category"' in body and "Mar 2025: 3" in body  # the chart's description
    assert 'data-testid="median-days">5.0<' in body
    assert 'data-testid="build-quarterly-report"' in body


def test_filters_narrow_every_count(client, workgroup, qa_reviewer):
    march, april = spring(workgroup)
    client.force_login(qa_reviewer)
    riverbend = march[0].organizations.get(name="Riverbend 988")

    by_category = _page(client, workgroup, category="failed_transfer").context["trends"]
    by_class = _page(client, workgroup, incident_class="near_miss").context["trends"]
    by_org = _page(client, workgroup, organization=riverbend.pk).context["trends"]
    in_march = _page(client, workgroup, occurred_from="2025-03-01", occurred_to="2025-03-31").context["trends"]

    assert by_category.total == 1 and by_category.actions_overdue == 1
    assert by_class.total == 4
    assert by_org.total == 3 and by_org.median_days_to_close == 4.0  # closed after 2, 4 and 6 days
    assert in_march.total == 3 and [r.label for r in in_march.by_month] == ["Mar 2025"]


def test_a_filter_that_does_not_validate_is_left_out_and_said(client, workgroup, qa_reviewer, other_workgroup):
    spring(workgroup)
    foreign = OrganizationFactory(workgroup=other_workgroup, name="Elsewhere PSAP")
    client.force_login(qa_reviewer)

    response = _page(client, workgroup, organization=foreign.pk, occurred_from="2025-05-01",
                     occurred_to="2025-04-01")

    assert response.status_code == 200
    assert 'data-testid="filter-errors"' in response.content.decode()
    assert "The end of the range is before its start" in response.content.decode()
    assert response.context["trends"].total == 0  # from May on: none (the wrong end and foreign org are left out)


def test_viewers_see_the_counts_but_no_report(client, workgroup, viewer, qa_reviewer):
    march, april = spring(workgroup)
    client.force_login(qa_reviewer)
    assert _page(client, workgroup).context["trends"].total == 6  # QA count the privileged one
    client.force_login(viewer)

    response = _page(client, workgroup)

    body = response.content.decode()
    # Left out for them: filtered to one day, a count of one would tell a marked incident's harm and class.
    assert response.status_code == 200 and response.context["trends"].total == 5
    assert not any(incident.reference in body for incident in march + april)
    assert "warm transfer dropped" not in body
    assert 'data-testid="quarterly-report"' not in body


def test_dates_no_calendar_can_count_are_left_out_with_a_message(client, workgroup, viewer):
    client.force_login(viewer)
    for query in ({"occurred_to": "0001-01-15"}, {"occurred_from": "9999-12-31"}):
        response = client.get(reverse("incidents:trends", kwargs={"slug": workgroup.slug}), query)
        assert response.status_code == 200
        assert "Give a date between 1900 and 2200; it is left out." in response.content.decode()


def test_with_no_incidents_the_page_says_so(client, workgroup, member, other_workgroup):
    make_incident(other_workgroup, occurred=date(2025, 3, 1))
    client.force_login(member)

    response = _page(client, workgroup)

    assert response.status_code == 200 and response.context["trends"].total == 0
    assert 'data-testid="trends-empty"' in response.content.decode()
    assert "No incident reports yet" in response.content.decode()
    assert "<svg" not in response.content.decode()


def test_people_outside_the_workgroup_get_404(client, workgroup, outsider):
    client.force_login(outsider)
    assert _page(client, workgroup).status_code == 404


def _queries(client, workgroup) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert _page(client, workgroup, occurred_from="2024-01-01").status_code == 200
    return len(queries.captured_queries)


def test_the_page_costs_the_same_queries_for_3_or_30_incidents(client, workgroup, qa_reviewer,
                                                               django_assert_max_num_queries):
    organizations = [OrganizationFactory(workgroup=workgroup) for _ in range(12)]
    client.force_login(qa_reviewer)
    for i in range(3):
        incident = make_incident(workgroup, occurred=date(2025, 1 + i, 5), closed_after_days=i + 1,
                                 organizations=organizations[i:i + 3])
        make_action(incident, due=timezone.localdate())
    few = _queries(client, workgroup)
    for i in range(27):
        incident = make_incident(workgroup, occurred=date(2025, 1 + i % 12, 7), closed_after_days=i % 9,
                                 organizations=organizations[i % 12:i % 12 + 2], category="technical")
        make_action(incident, due=timezone.localdate())

    with django_assert_max_num_queries(few):
        assert _page(client, workgroup, occurred_from="2024-01-01").context["trends"].total == 30


def test_qa_starts_the_quarterly_report_and_lands_on_the_job(client, workgroup, qa_reviewer):
    client.force_login(qa_reviewer)

    response = client.post(reverse("incidents:quarterly-report", kwargs={"slug": workgroup.slug}),
                           {"year": 2025, "quarter": 2})

    job = Job.objects.get(workgroup=workgroup)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.kind == "incidents_quarterly_report_pdf" and job.params == {"year": 2025, "quarter": 2}


def test_a_quarter_not_started_is_refused_with_the_choice_kept(client, workgroup, coordinator):
    client.force_login(coordinator)
    next_year = timezone.localdate().year + 1

    response = client.post(reverse("incidents:quarterly-report", kwargs={"slug": workgroup.slug}),
                           {"year": timezone.localdate().year, "quarter": 9})
    later = client.post(reverse("incidents:quarterly-report", kwargs={"slug": workgroup.slug}),
                        {"year": next_year, "quarter": 1})

    assert response.status_code == 400 and later.status_code == 400
    assert not Job.objects.exists()
    assert "Select a valid choice" in response.content.decode()
    assert response.context["report_form"]["quarter"].value() == "9"


@pytest.mark.parametrize("role", ["member", "viewer", "legal_reviewer"])
def test_only_qa_and_coordinators_start_the_quarterly_report(client, workgroup, people, role):
    client.force_login(people[role])

    response = client.post(reverse("incidents:quarterly-report", kwargs={"slug": workgroup.slug}),
                           {"year": 2025, "quarter": 1})

    assert response.status_code == 403 and not Job.objects.exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_coordinator_reads_the_trends_then_sets_up_sharing_in_the_browser(page, workgroup, coordinator,
                                                                           artifacts_dir):
    from toolkit.tests.test_browser import _sign_in

    _sign_in(page, coordinator.email)
    page.get_by_role("heading", name=workgroup.name).wait_for()
    page.goto(reverse("incidents:trends", kwargs={"slug": workgroup.slug}))
    assert page.get_by_text("No incident reports yet").is_visible()
    page.screenshot(path=artifacts_dir / "incidents-trends-empty.png", full_page=True)

    spring(workgroup)
    page.goto(reverse("incidents:trends", kwargs={"slug": workgroup.slug}))
    page.get_by_label("Happened from").fill("2025-03-01")
    page.get_by_role("button", name="Apply").click()
    assert page.get_by_test_id("total").inner_text() == "6"
    assert page.get_by_role("img", name="Incidents by month").is_visible()
    page.screenshot(path=artifacts_dir / "incidents-trends.png", full_page=True)

    page.goto(reverse("incidents:data-sharing", kwargs={"slug": workgroup.slug}))
    page.get_by_label("De-identified, and a limited data set", exact=False).check()
    page.get_by_role("button", name="Save data-sharing settings").click()
    assert page.get_by_text("A limited data set can only be shared under a data use agreement").first.is_visible()
    page.screenshot(path=artifacts_dir / "incidents-data-sharing-refused.png", full_page=True)
    page.get_by_label("De-identified only", exact=False).check()
    page.get_by_role("button", name="Save data-sharing settings").click()
    page.get_by_role("heading", name="Exports for post-response data sharing").wait_for()
    assert page.get_by_test_id("left-out").is_visible()
    page.screenshot(path=artifacts_dir / "incidents-exports.png", full_page=True)
    assert [e for e in page.console_errors if "status of 400" not in e] == []  # the refused form answers 400
