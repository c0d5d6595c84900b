"""Answering a round: saving and returning, incomplete submits that lose nothing, locking, privacy."""

from __future__ import annotations

import html
import re

import pytest

from partners.tests.factories import OrganizationFactory
from readiness import services
from readiness.messages import MSG_ALREADY_SUBMITTED, MSG_ROLE_REQUIRED, MSG_UNANSWERED
from readiness.models import Answer
from readiness.tests.factories import RoundFactory, link_respondent, member_respondent, small_version, submitted


@pytest.fixture
def small(workgroup):
    return small_version(workgroup)


@pytest.fixture
def items(small):
    return small[1]


@pytest.fixture
def round_(workgroup, small):
    return RoundFactory(workgroup=workgroup, instrument_version=small[0], title="Spring transfer readiness")


@pytest.fixture
def as_member(round_, member):
    return member_respondent(round_, member, role_title="")


def answer_url(round_) -> str:
    return f"/w/riverbend/readiness/rounds/{round_.pk}/answer/"


def text(response) -> str:
    return html.unescape(response.content.decode())


def checked(page: str, item, value: str) -> bool:
    return re.search(rf'name="item_{item.pk}" value="{value}"[^>]*checked', page) is not None


def complete(items, **extra) -> dict:
    return {f"item_{items['L1'].pk}": "4", f"item_{items['L2'].pk}": "3", f"item_{items['L3'].pk}": "unsure",
            f"item_{items['D1'].pk}": "partly", f"item_{items['D2'].pk}": "5", f"item_{items['D3'].pk}": "12",
            f"item_{items['L4'].pk}": "Our night shift is thin.", "role_title": "Shift supervisor", **extra}


def stored(respondent) -> dict:
    return {a.item_id: (a.choice, a.number, a.text) for a in Answer.objects.filter(respondent=respondent)}


def test_a_member_saves_halfway_and_finds_the_answers_again(client, member, as_member, round_, items):
    client.force_login(member)
    page = text(client.get(answer_url(round_)))
    assert "Spring transfer readiness" in page and "Statement L1" in page
    assert "1 Strongly disagree" in page and "5 Strongly agree" in page and "Don't know" in page
    assert "Partly" in page

    response = client.post(answer_url(round_), {
        f"item_{items['L1'].pk}": "5", f"item_{items['D1'].pk}": "no", f"item_{items['D3'].pk}": "7.5",
        f"item_{items['L4'].pk}": "Staffing is the worry.", "role_title": "Shift supervisor", "save": "1",
    })

    assert response.status_code == 302
    page = text(client.get(response["Location"]))
    assert "Your answers are saved" in page
    assert checked(page, items["L1"], "5") and checked(page, items["D1"], "no")
    assert 'value="7.50"' in page and "Staffing is the worry." in page and 'value="Shift supervisor"' in page
    as_member.refresh_from_db()
    assert as_member.started_at and not as_member.submitted_at and as_member.role_title == "Shift supervisor"


def test_an_incomplete_submit_saves_what_was_typed_and_says_how_many_are_missing(
    client, member, as_member, round_, items
):
    client.force_login(member)
    response = client.post(answer_url(round_), {
        f"item_{items['L1'].pk}": "2", f"item_{items['L4'].pk}": "Half done.", "role_title": "", "submit": "1",
    })

    assert response.status_code == 400
    page = text(response)
    assert MSG_UNANSWERED.format(count=4) in page  # L2, L3, D1, D2 (text and number are optional)
    assert MSG_ROLE_REQUIRED in page
    assert "has been saved" in page
    assert checked(page, items["L1"], "2") and "Half done." in page  # still on the page...
    assert stored(as_member)[items["L1"].pk][0] == "2"  # ...and saved
    assert stored(as_member)[items["L4"].pk][2] == "Half done."
    as_member.refresh_from_db()
    assert as_member.submitted_at is None


def test_a_complete_submit_locks_the_answers(client, member, as_member, round_, items):
    client.force_login(member)
    response = client.post(answer_url(round_), complete(items, submit="1"))
    assert response.status_code == 302
    assert "Thank you" in text(client.get(response["Location"]))
    as_member.refresh_from_db()
    assert as_member.submitted_at is not None
    before = stored(as_member)

    again = client.post(answer_url(round_), complete(items, submit="1") | {f"item_{items['L1'].pk}": "1"})

    assert again.status_code == 400
    assert MSG_ALREADY_SUBMITTED in text(again)
    assert stored(as_member) == before
    assert "Your questionnaires" not in text(client.get("/w/riverbend/readiness/"))


def test_a_link_respondent_submits_after_an_incomplete_try_and_nothing_is_lost(client, round_, items):
    respondent = link_respondent(round_)
    link = f"/respond/riverbend/{services.respondent_token(respondent)}/"

    first = client.post(link, {f"item_{items['L2'].pk}": "1", f"item_{items['D3'].pk}": "3", "role_title": "Chief",
                               "submit": "1"})
    assert first.status_code == 400
    assert MSG_UNANSWERED.format(count=4) in text(first)
    assert checked(text(first), items["L2"], "1")

    rest = complete(items, submit="1")
    del rest[f"item_{items['L4'].pk}"], rest[f"item_{items['D3'].pk}"]
    rest[f"item_{items['L2'].pk}"] = "1"
    second = client.post(link, rest | {f"item_{items['D3'].pk}": "3"})

    assert second.status_code == 200 and "Thank you" in text(second)
    answers = stored(respondent)
    assert answers[items["L2"].pk][0] == "1" and answers[items["D3"].pk][1] == 3
    respondent.refresh_from_db()
    assert respondent.is_submitted and respondent.role_title == "Shift supervisor"


@pytest.mark.parametrize("field, value", [("L1", "7"), ("L1", "yes"), ("D1", "4"), ("D1", "maybe"),
                                          ("D3", "twelve"), ("D3", "NaN")])
def test_answers_the_statement_does_not_offer_are_refused(client, member, as_member, round_, items, field, value):
    client.force_login(member)

    response = client.post(answer_url(round_), complete(items, save="1") | {f"item_{items[field].pk}": value})

    assert response.status_code == 400
    page = text(response)
    assert "Select a valid choice" in page or "Enter a number" in page
    assert not Answer.objects.exists()


def test_a_member_picks_their_organization_but_not_another_workgroups(
    client, member, as_member, round_, items, other_workgroup
):
    ours = OrganizationFactory(workgroup=round_.workgroup, name="Riverbend 911")
    theirs = OrganizationFactory(workgroup=other_workgroup, name="Elsewhere PSAP")
    client.force_login(member)
    page = text(client.get(answer_url(round_)))
    assert "Riverbend 911" in page and "Elsewhere PSAP" not in page

    refused = client.post(answer_url(round_), complete(items, save="1", organization=theirs.pk))
    assert refused.status_code == 400 and "Select a valid choice" in text(refused)
    accepted = client.post(answer_url(round_), complete(items, save="1", organization=ours.pk))

    assert accepted.status_code == 302
    as_member.refresh_from_db()
    assert as_member.organization == ours and as_member.organization_name == "Riverbend 911"


def test_the_questionnaire_shows_only_the_respondents_own_answers(client, member, viewer, as_member, round_, items):
    other = member_respondent(round_, viewer)
    Answer.objects.create(respondent=other, item=items["L4"], text="The viewer's private remark")
    Answer.objects.create(respondent=other, item=items["L1"], choice="1")
    Answer.objects.create(respondent=as_member, item=items["L1"], choice="4")
    client.force_login(member)

    page = text(client.get(answer_url(round_)))

    assert "private remark" not in page and str(viewer) not in page
    assert checked(page, items["L1"], "4") and not checked(page, items["L1"], "1")


def test_a_member_who_was_not_asked_gets_404(client, member, legal_reviewer, round_, as_member):
    client.force_login(legal_reviewer)

    assert client.get(answer_url(round_)).status_code == 404
    assert client.post(answer_url(round_), {"role_title": "x", "save": "1"}).status_code == 404
    assert not Answer.objects.exists()


def test_an_outsider_gets_404_on_the_questionnaire(client, outsider, round_, as_member):
    client.force_login(outsider)

    assert client.get(answer_url(round_)).status_code == 404


def test_a_closed_round_no_longer_takes_a_members_answers(client, member, coordinator, as_member, round_, items):
    services.round_close(actor=coordinator, round=round_)
    client.force_login(member)

    page = text(client.get(answer_url(round_)))
    assert "This round is closed" in page and 'name="role_title"' not in page
    client.post(answer_url(round_), complete(items, submit="1"))
    assert not Answer.objects.exists()


def test_only_coordinators_see_one_respondents_answers(
    client, coordinator, member, viewer, legal_reviewer, qa_reviewer, outsider, round_, items
):
    respondent = submitted(link_respondent(round_, name="Pat Partner"), {items["L1"]: "4", items["D1"]: "partly",
                                                                         items["L4"]: "Needs a sponsor"})
    detail = f"/w/riverbend/readiness/respondents/{respondent.pk}/"
    for person in (member, viewer, legal_reviewer, qa_reviewer):
        client.force_login(person)
        assert client.get(detail).status_code == 403
    client.force_login(outsider)
    assert client.get(detail).status_code == 404

    client.force_login(coordinator)
    page = text(client.get(detail))
    assert "Pat Partner" in page and "4 Agree" in page and "Partly" in page and "Needs a sponsor" in page
    assert "No answer" in page  # the statements left blank


def test_the_index_lists_a_members_open_questionnaires(client, member, as_member, round_):
    client.force_login(member)

    page = text(client.get("/w/riverbend/readiness/"))

    assert "Your questionnaires" in page
    assert answer_url(round_) in page
