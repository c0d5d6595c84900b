"""Who may see and run rounds: managers only manage, others see counts, outsiders see nothing at all."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from partners.tests.factories import ContactFactory, OrganizationFactory
from readiness.models import AssessmentRound, Respondent
from readiness.tests.factories import RoundFactory, link_respondent, small_version

BASE = "/w/riverbend/readiness"
ELSEWHERE_NAMES = ("Elsewhere Secret", "Elsewhere hidden round", "Hidden Harper", "Elsewhere Hidden Agency",
                   "hidden@elsewhere.test")


@pytest.fixture
def setting(workgroup, other_workgroup, member):
    """A Riverbend round with two link respondents (one submitted), and an Elsewhere round like it."""
    round_ = RoundFactory(workgroup=workgroup, instrument_version=small_version(workgroup)[0], title="Spring round")
    partner = OrganizationFactory(workgroup=workgroup, name="Riverbend Mobile Crisis")
    contact = ContactFactory(organization=partner, name="Tasha Greene", email="tasha@rbmobile.test")
    pending = link_respondent(round_, name="Pat Partner", organization=partner)
    done = link_respondent(round_, name="Sam Submitted")
    done.started_at = done.submitted_at = timezone.now()
    done.save()
    elsewhere = OrganizationFactory(workgroup=other_workgroup, name="Elsewhere Hidden Agency")
    ContactFactory(organization=elsewhere, name="Hidden Harper", email="hidden@elsewhere.test")
    their_round = RoundFactory(workgroup=other_workgroup, title="Elsewhere hidden round")
    link_respondent(their_round, name="Hidden Harper", email="hidden@elsewhere.test", organization=elsewhere)
    return {"round": round_, "respondent": pending, "contact": contact, "member": member, "partner": partner}


def manage_requests(s) -> list[tuple[str, str, dict]]:
    r, p = s["round"].pk, s["respondent"].pk
    due = (timezone.localdate() + timedelta(days=9)).isoformat()
    return [
        ("get", f"{BASE}/rounds/new/", {}),
        ("post", f"{BASE}/rounds/new/", {"title": "Sneaky", "instrument_version": s["round"].instrument_version_id,
                                         "scope_statement": "x", "goal": "interoperability", "due_date": due,
                                         "action_threshold": "3"}),
        ("get", f"{BASE}/rounds/{r}/edit/", {}),
        ("post", f"{BASE}/rounds/{r}/edit/", {"title": "Renamed", "scope_statement": "x", "due_date": due,
                                              "action_threshold": "3"}),
        ("get", f"{BASE}/rounds/{r}/close/", {}),
        ("post", f"{BASE}/rounds/{r}/close/", {}),
        ("get", f"{BASE}/rounds/{r}/reopen/", {}),
        ("post", f"{BASE}/rounds/{r}/reopen/", {"due_date": due}),
        ("post", f"{BASE}/rounds/{r}/remind/", {}),
        ("post", f"{BASE}/rounds/{r}/respondents/members/", {"users": [s["member"].pk]}),
        ("post", f"{BASE}/rounds/{r}/respondents/contacts/", {"contacts": [s["contact"].pk]}),
        ("post", f"{BASE}/rounds/{r}/respondents/person/", {"name": "X", "email": "x@x.test"}),
        ("get", f"{BASE}/respondents/{p}/", {}),
        ("post", f"{BASE}/respondents/{p}/resend/", {}),
        ("get", f"{BASE}/respondents/{p}/remove/", {}),
        ("post", f"{BASE}/respondents/{p}/remove/", {}),
    ]


def view_requests(s) -> list[tuple[str, str, dict]]:
    r = s["round"].pk
    return [("get", f"{BASE}/", {}), ("get", f"{BASE}/rounds/{r}/", {}), ("get", f"{BASE}/rounds/{r}/answer/", {})]


def assert_nothing_changed(s, nonce: str) -> None:
    round_ = AssessmentRound.objects.get(pk=s["round"].pk)
    assert round_.is_open and round_.title == "Spring round"
    assert AssessmentRound.objects.count() == 2
    assert Respondent.objects.filter(round=round_).count() == 2
    assert Respondent.objects.get(pk=s["respondent"].pk).token_nonce == nonce
    assert not mail.outbox


@pytest.mark.parametrize("role", ["member", "legal_reviewer", "qa_reviewer", "viewer"])
def test_only_coordinators_manage_rounds(client, people, setting, role):
    client.force_login(people[role])
    nonce = setting["respondent"].token_nonce

    for method, url, data in manage_requests(setting):
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, (method, url)

    assert_nothing_changed(setting, nonce)


def test_an_outsider_gets_404_everywhere_and_learns_nothing(client, outsider, setting):
    client.force_login(outsider)
    nonce = setting["respondent"].token_nonce

    for method, url, data in manage_requests(setting) + view_requests(setting):
        for address in (url, url.replace("/w/riverbend/", "/w/elsewhere/")):  # their own workgroup, our ids
            if address.endswith("/readiness/") or address.endswith("/rounds/new/"):
                continue  # their own start page and their own round form are theirs to use
            response = getattr(client, method)(address, data)
            assert response.status_code == 404, (method, address)
            page = html.unescape(response.content.decode())
            assert "Spring round" not in page and "Pat Partner" not in page and "Riverbend" not in page

    assert client.get(f"{BASE}/").status_code == 404
    assert_nothing_changed(setting, nonce)


def test_members_see_counts_but_never_who_answered_what(client, people, setting):
    for role in ("member", "legal_reviewer", "qa_reviewer", "viewer"):
        client.force_login(people[role])
        page = html.unescape(client.get(f"{BASE}/rounds/{setting['round'].pk}/").content.decode())

        assert "1 of 2 submitted" in page
        for private in ("Pat Partner", "Sam Submitted", "Riverbend Mobile Crisis", "Invited", "In progress",
                        "respondent-row", "/respondents/", "Send reminders", "Close round"):
            assert private not in page, (role, private)


def test_a_coordinator_sees_respondents_and_no_other_workgroups_names(client, coordinator, setting):
    client.force_login(coordinator)
    pages = [client.get(url) for method, url, _ in manage_requests(setting) + view_requests(setting)
             if method == "get"]

    detail = html.unescape(client.get(f"{BASE}/rounds/{setting['round'].pk}/").content.decode())
    assert "Pat Partner" in detail and "Sam Submitted" in detail and "Tasha Greene — Riverbend Mobile Crisis" in detail
    assert "Invited" in detail and "Submitted" in detail and "One-time link" in detail
    for response in pages:
        page = html.unescape(response.content.decode())
        for name in ELSEWHERE_NAMES:
            assert name not in page, (response.request["PATH_INFO"], name)
