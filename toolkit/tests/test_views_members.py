"""The members page: inviting people, changing roles, removing members."""

from __future__ import annotations

import re

import pytest
from django.utils.html import escape

from toolkit import services
from toolkit.models import Invitation, Membership, Role
from toolkit.tests.factories import InvitationFactory, MembershipFactory, UserFactory

MEMBERS_URL = "/w/riverbend/members/"
INVITE_URL = "/w/riverbend/members/invite/"



def _membership(user, workgroup) -> Membership:
    return Membership.objects.get(user=user, workgroup=workgroup)


def _email_input_value(response) -> str | None:
    """The value the e-mail box of the invite form shows."""
    tag = re.search(r'<input[^>]*name="email"[^>]*>', response.content.decode())
    value = re.search(r'value="([^"]*)"', tag.group(0)) if tag else None
    return value.group(1) if value else None


# --- Inviting -----------------------------------------------------------------


def test_a_coordinator_invites_someone_who_gets_an_email_with_a_working_link(
    client, coordinator, workgroup, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INVITE_URL, {"email": "new@x.test", "role": Role.LEGAL_REVIEWER})

    assert response.status_code == 302
    assert response.url == MEMBERS_URL
    page = client.get(response.url).content.decode()
    assert "Invitation sent to new@x.test." in page
    assert "new@x.test · Legal reviewer" in page  # listed under open invitations

    invitation = Invitation.objects.get(workgroup=workgroup, email="new@x.test")
    assert invitation.role == Role.LEGAL_REVIEWER
    assert invitation.invited_by == coordinator
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["new@x.test"]
    assert "Riverbend County Workgroup" in mail.subject
    link = re.search(r"http://testserver/invitations/([^/\s]+)/", mail.body)
    assert link is not None
    assert services.invitation_resolve(token=link.group(1)) == invitation


def test_inviting_the_same_address_again_replaces_the_first_invitation(
    client, coordinator, workgroup, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(INVITE_URL, {"email": "new@x.test", "role": Role.MEMBER})
        client.post(INVITE_URL, {"email": "New@X.test", "role": Role.VIEWER})

    first, second = Invitation.objects.filter(workgroup=workgroup).order_by("pk")
    assert first.revoked_at is not None
    assert second.revoked_at is None
    assert second.role == Role.VIEWER
    assert Invitation.objects.filter(
        workgroup=workgroup, email__iexact="new@x.test", revoked_at__isnull=True, accepted_at__isnull=True
    ).count() == 1
    assert len(mailoutbox) == 2
    assert client.get(MEMBERS_URL).content.decode().count("new@x.test ·") == 1


def test_inviting_an_existing_member_is_refused_and_keeps_the_typed_address(
    client, coordinator, member, workgroup, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INVITE_URL, {"email": "member@riverbend.test", "role": Role.VIEWER})

    assert response.status_code == 400
    assert escape(services.MSG_ALREADY_MEMBER.format(email="member@riverbend.test")) in response.content.decode()
    assert _email_input_value(response) == "member@riverbend.test"
    assert not Invitation.objects.exists()
    assert mailoutbox == []
    assert _membership(member, workgroup).role == Role.MEMBER


def test_an_invalid_address_is_refused_and_keeps_what_was_typed(
    client, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INVITE_URL, {"email": "not-an-address", "role": Role.MEMBER})

    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert _email_input_value(response) == "not-an-address"
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_a_coordinator_withdraws_an_open_invitation(client, coordinator, workgroup, django_capture_on_commit_callbacks):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(INVITE_URL, {"email": "new@x.test", "role": Role.MEMBER})
    invitation = Invitation.objects.get(workgroup=workgroup)

    response = client.post(f"/w/riverbend/invitations/{invitation.pk}/revoke/", follow=True)

    assert "The invitation for new@x.test was withdrawn." in response.content.decode()
    assert "No open invitations." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_withdrawing_an_invitation_accepted_meanwhile_does_not_claim_it_was_withdrawn(client, coordinator, workgroup):
    # The coordinator's page still shows the invitation; the invitee accepts before the click.
    invitation = InvitationFactory(workgroup=workgroup, email="late@x.test", invited_by=coordinator)
    joiner = UserFactory(email="late@x.test")
    services.invitation_accept(token=services.invitation_token(invitation), user=joiner)
    client.force_login(coordinator)

    response = client.post(f"/w/riverbend/invitations/{invitation.pk}/revoke/", follow=True)

    assert "The invitation for late@x.test was withdrawn." not in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert Membership.objects.filter(user=joiner, workgroup=workgroup).exists()


# --- Roles ----------------------------------------------------------------------


def test_a_coordinator_changes_a_members_role(client, coordinator, member, workgroup):
    client.force_login(coordinator)
    membership = _membership(member, workgroup)

    response = client.post(f"{MEMBERS_URL}{membership.pk}/role/", {"role": Role.QA_REVIEWER}, follow=True)

    assert response.redirect_chain == [(MEMBERS_URL, 302)]
    assert f"{member} is now QA reviewer." in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.QA_REVIEWER


def test_the_last_coordinator_cannot_step_down(client, coordinator, member, workgroup):
    client.force_login(coordinator)
    membership = _membership(coordinator, workgroup)

    response = client.post(f"{MEMBERS_URL}{membership.pk}/role/", {"role": Role.MEMBER}, follow=True)

    assert response.redirect_chain == [(MEMBERS_URL, 302)]
    assert escape(services.MSG_LAST_COORDINATOR) in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.COORDINATOR


def test_a_coordinator_can_step_down_once_someone_else_coordinates(client, coordinator, member, workgroup):
    client.force_login(coordinator)
    client.post(f"{MEMBERS_URL}{_membership(member, workgroup).pk}/role/", {"role": Role.COORDINATOR})

    client.post(f"{MEMBERS_URL}{_membership(coordinator, workgroup).pk}/role/", {"role": Role.MEMBER})

    assert _membership(coordinator, workgroup).role == Role.MEMBER
    assert _membership(member, workgroup).role == Role.COORDINATOR


def test_an_unknown_role_is_refused_with_a_message(client, coordinator, member, workgroup):
    client.force_login(coordinator)
    membership = _membership(member, workgroup)

    response = client.post(f"{MEMBERS_URL}{membership.pk}/role/", {"role": "superhero"}, follow=True)

    assert "Choose one of the listed roles." in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.MEMBER


# --- Removing -----------------------------------------------------------------


def test_the_last_coordinator_cannot_be_removed(client, coordinator, member, workgroup):
    client.force_login(coordinator)
    membership = _membership(coordinator, workgroup)

    response = client.post(f"{MEMBERS_URL}{membership.pk}/remove/", follow=True)

    assert response.redirect_chain == [(MEMBERS_URL, 302)]
    assert escape(services.MSG_LAST_COORDINATOR) in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_removing_a_member_asks_first_and_happens_only_on_post(client, coordinator, member, workgroup):
    client.force_login(coordinator)
    membership = _membership(member, workgroup)
    url = f"{MEMBERS_URL}{membership.pk}/remove/"

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert f"Remove {member} from Riverbend County Workgroup?" in confirm.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()

    response = client.post(url, follow=True)

    assert response.redirect_chain == [(MEMBERS_URL, 302)]
    page = response.content.decode()
    assert f"{member} was removed from the workgroup." in page
    assert "member@riverbend.test" not in page
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert client.get("/w/riverbend/").status_code == 200  # the coordinator still has access


# --- Who sees what --------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MEMBER, Role.LEGAL_REVIEWER, Role.QA_REVIEWER, Role.VIEWER])
def test_other_roles_see_the_member_list_but_cannot_manage_it(client, people, role):
    client.force_login(people[role])

    response = client.get(MEMBERS_URL)

    page = response.content.decode()
    assert response.status_code == 200
    for person in ("coordinator@riverbend.test", "member@riverbend.test", "viewer@riverbend.test"):
        assert person in page
    assert "Send invitation" not in page
    assert "Open invitations" not in page
    assert "Remove…" not in page
    assert "outsider@elsewhere.test" not in page


def test_the_coordinator_sees_the_invite_form_and_open_invitations(client, coordinator):
    client.force_login(coordinator)

    page = client.get(MEMBERS_URL).content.decode()

    assert "Send invitation" in page
    assert "Open invitations" in page
    assert "Remove…" in page


def test_an_invitation_whose_email_cannot_be_sent_is_not_kept_and_the_coordinator_is_told(
    client, coordinator, workgroup, monkeypatch
):
    import smtplib

    def refuse(*args, **kwargs):
        raise smtplib.SMTPException("relay refused")

    monkeypatch.setattr("toolkit.services.invitations.send_mail", refuse)
    client.force_login(coordinator)

    response = client.post(f"/w/{workgroup.slug}/members/invite/", {"email": "lost@x.test", "role": Role.MEMBER})

    assert response.status_code == 400
    assert "could not be sent" in response.content.decode()
    assert 'value="lost@x.test"' in response.content.decode()
    assert not Invitation.objects.filter(email="lost@x.test").exists()


def test_a_coordinator_who_steps_out_of_the_workgroup_lands_on_the_start_page(client, coordinator, workgroup):
    second = MembershipFactory(workgroup=workgroup, role=Role.COORDINATOR)
    own = Membership.objects.get(user=coordinator, workgroup=workgroup)
    client.force_login(coordinator)

    response = client.post(f"/w/{workgroup.slug}/members/{own.pk}/remove/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not Membership.objects.filter(pk=own.pk).exists()
    assert Membership.objects.filter(pk=second.pk).exists()
