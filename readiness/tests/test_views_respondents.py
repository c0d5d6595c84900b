"""Respondents as a coordinator manages them: inviting members, contacts and others, resending, removing."""

from __future__ import annotations

import html
import re
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from partners.tests.factories import ContactFactory, OrganizationFactory
from readiness import services
from readiness.messages import MSG_ALREADY_RESPONDENT, MSG_CONTACT_NO_EMAIL, MSG_LINK_REPLACED
from readiness.models import Respondent
from readiness.tests.factories import RoundFactory, link_respondent, member_respondent, small_version

BASE = "/w/riverbend/readiness"


@pytest.fixture
def round_(workgroup):
    return RoundFactory(workgroup=workgroup, instrument_version=small_version(workgroup)[0], title="Spring round")


@pytest.fixture
def partner(workgroup):
    return OrganizationFactory(workgroup=workgroup, name="Riverbend Mobile Crisis")


def text(response) -> str:
    return html.unescape(response.content.decode())


def link_in(message) -> str:
    return re.search(r"http://testserver(/\S+)", message.body).group(1)


def test_inviting_members_sends_each_an_email_pointing_into_the_app(client, coordinator, member, viewer, round_):
    client.force_login(coordinator)
    page = text(client.get(f"{BASE}/rounds/{round_.pk}/"))
    assert member.email in page and viewer.email in page

    response = client.post(f"{BASE}/rounds/{round_.pk}/respondents/members/", {"users": [member.pk, viewer.pk]})

    assert response.status_code == 302
    assert set(round_.respondents.values_list("user__email", flat=True)) == {member.email, viewer.email}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([member.email, viewer.email])
    assert link_in(mail.outbox[0]) == f"{BASE}/rounds/{round_.pk}/answer/"
    client.force_login(member)
    assert client.get(link_in(mail.outbox[0])).status_code == 200


def test_inviting_a_partner_contact_mails_a_link_that_works_without_an_account(client, coordinator, round_, partner):
    contact = ContactFactory(organization=partner, name="Tasha Greene", email="tasha@rbmobile.test", title="Director")
    client.force_login(coordinator)
    assert "Tasha Greene — Riverbend Mobile Crisis" in text(client.get(f"{BASE}/rounds/{round_.pk}/"))

    response = client.post(f"{BASE}/rounds/{round_.pk}/respondents/contacts/", {"contacts": [contact.pk]})

    assert response.status_code == 302
    assert "Invited Tasha Greene" in text(client.get(response["Location"]))
    respondent = round_.respondents.get()
    assert (respondent.contact, respondent.organization_name, respondent.uses_link) == (
        contact, "Riverbend Mobile Crisis", True)
    assert mail.outbox[0].to == ["tasha@rbmobile.test"] and "Spring round" in mail.outbox[0].body
    client.logout()
    page = text(client.get(link_in(mail.outbox[0])))
    assert "Spring round" in page and "Statement L1" in page


def test_a_contact_without_email_is_refused(client, coordinator, round_, partner):
    contact = ContactFactory(organization=partner, name="No Mail Person", email="")
    client.force_login(coordinator)
    assert "No Mail Person" not in text(client.get(f"{BASE}/rounds/{round_.pk}/"))  # not offered

    response = client.post(f"{BASE}/rounds/{round_.pk}/respondents/contacts/", {"contacts": [contact.pk]})

    assert response.status_code == 400
    assert MSG_CONTACT_NO_EMAIL.format(name="No Mail Person") in text(response)
    assert not Respondent.objects.exists() and not mail.outbox


def test_inviting_someone_twice_is_refused_and_nobody_is_mailed(client, coordinator, member, round_, partner):
    invited = ContactFactory(organization=partner, name="Already There", email="there@partner.test")
    fresh = ContactFactory(organization=partner, name="Fresh Face", email="fresh@partner.test")
    services.respondents_invite_contacts(actor=coordinator, round=round_, contacts=[invited], base_url="http://x/")
    member_respondent(round_, member)
    mail.outbox.clear()
    client.force_login(coordinator)

    by_contact = client.post(f"{BASE}/rounds/{round_.pk}/respondents/contacts/", {"contacts": [fresh.pk, invited.pk]})
    by_member = client.post(f"{BASE}/rounds/{round_.pk}/respondents/members/", {"users": [member.pk]})
    by_person = client.post(f"{BASE}/rounds/{round_.pk}/respondents/person/",
                            {"name": "Same Address", "email": "THERE@partner.test", "organization": partner.pk})

    assert MSG_ALREADY_RESPONDENT.format(name="Already There") in text(by_contact)
    assert MSG_ALREADY_RESPONDENT.format(name=str(member)) in text(by_member)
    assert MSG_ALREADY_RESPONDENT.format(name="Same Address") in text(by_person)
    assert all(r.status_code == 400 for r in (by_contact, by_member, by_person))
    assert round_.respondents.count() == 2 and not mail.outbox  # Fresh Face was not invited either


def test_another_workgroups_contact_or_organization_is_an_invalid_choice(
    client, coordinator, round_, other_workgroup
):
    elsewhere = OrganizationFactory(workgroup=other_workgroup, name="Elsewhere Hidden Agency")
    contact = ContactFactory(organization=elsewhere, name="Hidden Person", email="hidden@elsewhere.test")
    client.force_login(coordinator)

    by_contact = client.post(f"{BASE}/rounds/{round_.pk}/respondents/contacts/", {"contacts": [contact.pk]})
    by_person = client.post(f"{BASE}/rounds/{round_.pk}/respondents/person/",
                            {"name": "Someone", "email": "someone@x.test", "organization": elsewhere.pk})

    for response in (by_contact, by_person):
        assert response.status_code == 400
        page = text(response)
        assert "Select a valid choice" in page
        assert "Hidden" not in page and "Elsewhere" not in page
    assert not Respondent.objects.exists() and not mail.outbox


def test_a_coordinator_adds_one_person_by_email(client, coordinator, round_, partner):
    client.force_login(coordinator)

    response = client.post(f"{BASE}/rounds/{round_.pk}/respondents/person/", {
        "name": "Dana Ortiz", "email": "Dana@County.test", "organization": partner.pk, "role_title": "EMS chief"})

    assert response.status_code == 302
    respondent = round_.respondents.get()
    assert (respondent.email, respondent.organization, respondent.role_title) == (
        "dana@county.test", partner, "EMS chief")
    page = text(client.get(f"{BASE}/rounds/{round_.pk}/"))
    assert "Dana Ortiz" in page and "One-time link" in page and "Invited" in page


def test_resend_sends_a_new_link_and_the_old_one_stops_working(client, coordinator, round_):
    respondent = link_respondent(round_, name="Pat Partner")
    old = f"/respond/riverbend/{services.respondent_token(respondent)}/"
    client.force_login(coordinator)
    confirm = client.get(f"{BASE}/respondents/{respondent.pk}/resend/")
    assert confirm.status_code == 200 and "the link they have now stops working" in text(confirm)
    assert not mail.outbox and client.get(old).status_code == 200  # asking changed nothing

    response = client.post(f"{BASE}/respondents/{respondent.pk}/resend/")

    assert response.status_code == 302
    assert "A new link was sent to Pat Partner" in text(client.get(response["Location"]))
    assert len(mail.outbox) == 1
    client.logout()
    assert MSG_LINK_REPLACED in text(client.get(old))
    assert client.get(link_in(mail.outbox[0])).status_code == 200


def test_remove_asks_first_then_takes_the_respondent_off(client, coordinator, round_):
    respondent = link_respondent(round_, name="Pat Partner")
    client.force_login(coordinator)

    confirm = client.get(f"{BASE}/respondents/{respondent.pk}/remove/")
    assert confirm.status_code == 200 and "Remove Pat Partner" in text(confirm)
    assert Respondent.objects.filter(pk=respondent.pk).exists()

    response = client.post(f"{BASE}/respondents/{respondent.pk}/remove/")

    assert response.status_code == 302
    assert not Respondent.objects.filter(pk=respondent.pk).exists()
    assert "Pat Partner was removed" in text(client.get(response["Location"]))


def test_a_submitted_respondent_cannot_be_removed(client, coordinator, round_):
    respondent = link_respondent(round_, name="Pat Partner")
    respondent.submitted_at = timezone.now()
    respondent.save()
    client.force_login(coordinator)

    response = client.post(f"{BASE}/respondents/{respondent.pk}/remove/", follow=True)

    assert "Pat Partner has already submitted" in text(response)
    assert Respondent.objects.filter(pk=respondent.pk).exists()




def test_an_undelivered_invitation_is_shown_and_can_be_resent(client, coordinator, round_, partner):
    client.force_login(coordinator)
    with mock.patch.object(mail.EmailMessage, "send", side_effect=OSError("refused")):
        response = client.post(f"{BASE}/rounds/{round_.pk}/respondents/person/", {
            "name": "Dana Ortiz", "email": "dana@county.test", "organization": partner.pk}, follow=True)
    page = text(response)
    assert "could not be sent" in page and "Dana Ortiz" in page
    assert "E-mail not delivered" in page
    respondent = round_.respondents.get()
    client.post(f"{BASE}/respondents/{respondent.pk}/resend/")
    respondent.refresh_from_db()
    assert respondent.invitation_error == "" and respondent.invitation_sent_at is not None
    assert "E-mail not delivered" not in text(client.get(f"{BASE}/rounds/{round_.pk}/"))


def test_opening_one_respondents_answers_is_on_the_audit_trail_and_an_unanswered_one_is_not(
        client, coordinator, round_):
    from readiness.tests.factories import submitted
    from toolkit.models import AuditAction, AuditEvent

    version_items = {item.statement: item for item in round_.instrument_version.items.all()}
    answered = submitted(link_respondent(round_, name="Ana Answered"), {version_items["Statement L1"]: "4"})
    waiting = link_respondent(round_, name="Will Wait")
    client.force_login(coordinator)

    assert client.get(f"{BASE}/respondents/{waiting.pk}/").status_code == 200
    assert not AuditEvent.objects.filter(action=AuditAction.VIEWED, changes__0__new="Answers viewed").exists()
    assert client.get(f"{BASE}/respondents/{answered.pk}/").status_code == 200

    event = AuditEvent.objects.get(action=AuditAction.VIEWED, object_id=str(answered.pk))
    assert (event.actor, event.object_type, event.object_repr) == (coordinator, "readiness.respondent", str(answered))
    assert event.changes[0]["new"] == "Answers viewed"
