"""Overdue corrective actions: on QA's dashboard, and e-mailed once a week by the daily beat task."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents import workflow
from incidents.models import CorrectiveAction
from incidents.reminders import overdue_action_reminders_send
from incidents.tests.test_services import report
from incidents.tests.test_workflow import under_review
from partners.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(workgroup, member, qa_reviewer):
    psap = OrganizationFactory(workgroup=workgroup, name="County 911")
    incident = under_review(report(member, workgroup, organizations=[psap]), qa_reviewer)
    cause = workflow.root_cause_add(actor=qa_reviewer, incident=incident, description="No backup line.")
    action = workflow.action_add(actor=qa_reviewer, incident=incident, root_cause=cause,
                                 description="Install a backup transfer line.", owner_organization=psap,
                                 due_date=timezone.localdate() + timedelta(days=1))
    CorrectiveAction.objects.filter(pk=action.pk).update(due_date=timezone.localdate() - timedelta(days=3))
    return action


def test_the_reviewer_is_reminded_once_a_week_with_a_link_to_the_action(overdue, qa_reviewer, mailoutbox):
    today = timezone.localdate()
    assert overdue_action_reminders_send(today=today, base_url="https://toolkit.example.org") == 1
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [qa_reviewer.email] and mail.subject == "1 corrective action is past due"
    assert "Install a backup transfer line." in mail.body
    assert f"https://toolkit.example.org/w/{overdue.workgroup.slug}/incidents/{overdue.incident_id}/actions/" \
           f"{overdue.pk}/" in mail.body

    assert overdue_action_reminders_send(today=today + timedelta(days=1)) == 0  # not again the next day
    assert overdue_action_reminders_send(today=today + timedelta(days=7)) == 1  # a week later, yes
    assert len(mailoutbox) == 2


def test_the_assignee_is_reminded_instead_and_done_actions_are_not(overdue, member, qa_reviewer, mailoutbox):
    CorrectiveAction.objects.filter(pk=overdue.pk).update(assignee=member)
    overdue_action_reminders_send()
    assert [mail.to for mail in mailoutbox] == [[member.email]]
    CorrectiveAction.objects.filter(pk=overdue.pk).update(status="done", completed_at=timezone.now(),
                                                          last_reminded_on=None)
    assert overdue_action_reminders_send() == 0


def test_someone_who_left_the_workgroup_is_not_reminded(overdue, qa_reviewer, mailoutbox):
    qa_reviewer.memberships.all().delete()
    assert overdue_action_reminders_send() == 0 and not mailoutbox


def test_qa_sees_overdue_actions_on_the_dashboard_and_members_do_not(client, overdue, qa_reviewer, member):
    dashboard = reverse("toolkit:dashboard", kwargs={"slug": overdue.workgroup.slug})
    client.force_login(qa_reviewer)
    assert "1 corrective action is past due." in client.get(dashboard).content.decode()
    client.force_login(member)
    page = client.get(dashboard).content.decode()
    assert "past due" not in page and "1 incident report you can read." in page


def test_the_dashboard_card_costs_the_same_queries_with_many_incidents(client, workgroup, qa_reviewer, member,
                                                                      django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dashboard = reverse("toolkit:dashboard", kwargs={"slug": workgroup.slug})
    report(member, workgroup)
    client.force_login(qa_reviewer)
    client.get(dashboard)
    with CaptureQueriesContext(connection) as one:
        client.get(dashboard)
    for _ in range(30):
        report(member, workgroup)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(dashboard)
    assert "Triage 31 new reports" in page.content.decode()


def test_the_dashboard_card_counts_each_status_only_up_to_a_cap_in_the_same_queries(
    client, workgroup, qa_reviewer, member, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from incidents import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    dashboard = reverse("toolkit:dashboard", kwargs={"slug": workgroup.slug})
    report(member, workgroup)
    client.force_login(qa_reviewer)
    client.get(dashboard)
    with CaptureQueriesContext(connection) as one:
        page = client.get(dashboard).content.decode()
    assert "1 incident report." in page and "Triage 1 new report" in page
    for _ in range(3):
        report(member, workgroup)
    with CaptureQueriesContext(connection) as four:
        page = client.get(dashboard).content.decode()
    assert "More than 2 incident reports." in page
    assert "Triage more than 2 new reports" in page and "Submitted: more than 2" in page
    assert len(four.captured_queries) == len(one.captured_queries)
