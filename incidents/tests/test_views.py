"""The incident pages: report, list and read, each for whom it is meant."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident
from incidents.tests.test_services import report
from partners.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def url(workgroup, name="index", **kwargs):
    return reverse(f"incidents:{name}", kwargs={"slug": workgroup.slug, **kwargs})


def form_data(**overrides):
    now = timezone.localtime()
    data = {"incident_class": "near_miss", "category": "failed_transfer",
            "occurred_at": (now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "discovered_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "transfer_direction": "911_to_988", "cad_reference": "CAD-24-001187", "contact_reference": "",
            "narrative": "The warm transfer dropped when the counselor picked up; the call-taker called back.",
            "immediate_actions": "Called back within two minutes.", "harm_estimate": "none", "risk_level": ""}
    data.update(overrides)
    return data


def test_a_member_reports_an_incident_and_reads_it(client, member, workgroup):
    psap = OrganizationFactory(workgroup=workgroup, name="County 911")
    client.force_login(member)

    response = client.post(url(workgroup, "report"), form_data(organizations=[psap.pk]))

    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == incident.get_absolute_url()
    assert incident.reported_by == member and list(incident.organizations.all()) == [psap]
    page = client.get(incident.get_absolute_url())
    assert page.status_code == 200
    assert b"CAD-24-001187" in page.content and b"County 911" in page.content
    assert incident.reference.encode() in client.get(url(workgroup)).content


def test_a_refused_report_keeps_what_was_typed_and_says_why(client, member, workgroup):
    client.force_login(member)
    now = timezone.localtime()
    data = form_data(discovered_at=(now - timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M"))

    response = client.post(url(workgroup, "report"), data)

    assert response.status_code == 400
    assert "It cannot have been noticed before it happened." in response.content.decode()
    assert response.context["form"]["narrative"].value() == data["narrative"]
    assert not Incident.objects.exists()


def test_the_report_form_reminds_people_not_to_identify_the_caller(client, member, workgroup):
    client.force_login(member)
    page = client.get(url(workgroup, "report")).content.decode()
    assert "no names, phone numbers, addresses" in page


def test_members_read_their_own_reports_and_qa_reads_all(client, member, legal_reviewer, qa_reviewer, workgroup):
    mine, theirs = report(member, workgroup), report(legal_reviewer, workgroup)

    client.force_login(member)
    listed = client.get(url(workgroup)).content.decode()
    assert mine.reference in listed and theirs.reference not in listed
    assert client.get(theirs.get_absolute_url()).status_code == 404

    client.force_login(qa_reviewer)
    listed = client.get(url(workgroup)).content.decode()
    assert mine.reference in listed and theirs.reference in listed
    assert client.get(theirs.get_absolute_url()).status_code == 200


def test_viewers_read_no_report(client, member, viewer, workgroup):
    incident = report(member, workgroup)
    client.force_login(viewer)
    assert incident.reference not in client.get(url(workgroup)).content.decode()
    assert client.get(incident.get_absolute_url()).status_code == 403
    assert client.get(url(workgroup, "report")).status_code == 403


def test_the_list_pages_newest_first_with_a_fixed_number_of_queries(client, qa_reviewer, member, workgroup):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from incidents.views import incidents as views

    now = timezone.now()
    for hours in range(views.PAGE_SIZE + 5):
        report(member, workgroup, occurred_at=now - timedelta(hours=hours + 1),
               discovered_at=now - timedelta(hours=hours))
    client.force_login(qa_reviewer)
    with CaptureQueriesContext(connection) as first_page:
        page = client.get(url(workgroup))
    rows = page.context["page"].items
    assert len(rows) == views.PAGE_SIZE
    assert [r.occurred_at for r in rows] == sorted((r.occurred_at for r in rows), reverse=True)
    older = client.get(url(workgroup), {"after": page.context["page"].older})
    assert len(older.context["page"].items) == 5
    Incident.objects.filter(pk__in=[r.pk for r in rows[:20]]).delete()
    with CaptureQueriesContext(connection) as fewer:
        client.get(url(workgroup))
    assert len(fewer) == len(first_page)


def test_the_dashboard_card_counts_the_reports_this_person_reads(client, member, qa_reviewer, workgroup):
    report(member, workgroup)
    report(qa_reviewer, workgroup)
    dashboard = reverse("toolkit:dashboard", args=[workgroup.slug])
    client.force_login(member)
    assert "1 incident report you can read." in client.get(dashboard).content.decode()
    client.force_login(qa_reviewer)
    assert "2 incident reports." in client.get(dashboard).content.decode()


# --- Triage --------------------------------------------------------------------------------------


def test_a_qa_reviewer_triages_a_report_and_the_timeline_shows_it(client, member, qa_reviewer, workgroup):
    incident = report(member, workgroup)
    client.force_login(qa_reviewer)
    page = client.get(incident.get_absolute_url())
    assert b'data-testid="triage-form"' in page.content
    assert page.context["triage_form"].initial["reviewer"] == qa_reviewer.pk

    response = client.post(url(workgroup, "incident-triage", incident_id=incident.pk),
                           {"reviewer": qa_reviewer.pk, "priority": "urgent"})

    incident.refresh_from_db()
    assert response.status_code == 302
    assert (incident.status, incident.reviewer, incident.priority) == ("triaged", qa_reviewer, "urgent")
    page = client.get(incident.get_absolute_url()).content.decode()
    assert b'data-testid="triage-form"' not in page.encode()
    timeline = page.split('data-testid="timeline"')[1]
    assert "Created" in timeline and "Submitted → Triaged" in timeline
    assert f"reviewer — → {qa_reviewer.get_full_name()}" in timeline  # the person, not an id


def test_triage_refuses_a_reviewer_who_is_not_qa_and_a_second_triage_saying_why(
    client, member, qa_reviewer, coordinator, workgroup
):
    incident = report(member, workgroup)
    client.force_login(qa_reviewer)
    triage = url(workgroup, "incident-triage", incident_id=incident.pk)

    refused = client.post(triage, {"reviewer": member.pk, "priority": "routine"})
    assert refused.status_code == 400 and "Select a valid choice" in refused.content.decode()
    incident.refresh_from_db()
    assert incident.status == "submitted" and incident.reviewer is None

    assert client.post(triage, {"reviewer": coordinator.pk, "priority": "routine"}).status_code == 302
    again = client.post(triage, {"reviewer": qa_reviewer.pk, "priority": "urgent"})
    assert again.status_code == 400 and "is triaged; triage is done when it is submitted." in again.content.decode()
    incident.refresh_from_db()
    assert (incident.reviewer, incident.priority) == (coordinator, "routine")


def test_reporters_see_no_triage_and_no_timeline_and_cannot_triage(client, member, qa_reviewer, workgroup):
    incident = report(member, workgroup)
    client.force_login(member)
    page = client.get(incident.get_absolute_url()).content
    assert b"triage-form" not in page and b'data-testid="timeline"' not in page
    response = client.post(url(workgroup, "incident-triage", incident_id=incident.pk),
                           {"reviewer": qa_reviewer.pk, "priority": "urgent"})
    assert response.status_code == 403
    incident.refresh_from_db()
    assert incident.status == "submitted"
