"""Accepting an invitation from the e-mailed link: /invitations/<token>/."""

from __future__ import annotations

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import escape

from toolkit import services
from toolkit.models import Invitation, Membership, Role, User
from toolkit.tests.factories import InvitationFactory, UserFactory

INVITED = "newcomer@x.test"
PASSWORD = "a-long-unusual-passphrase-988"
NEW_ACCOUNT = {"first_name": "Nia", "last_name": "Okafor", "password1": PASSWORD, "password2": PASSWORD}



@pytest.fixture
def invitation(workgroup, coordinator):
    return InvitationFactory(workgroup=workgroup, email=INVITED, role=Role.LEGAL_REVIEWER, invited_by=coordinator)


def _link(invitation) -> str:
    return services.invitation_url(invitation)


def _page(response) -> str:
    return response.content.decode()


# --- A new person, without an account -------------------------------------------


def test_a_new_person_sees_the_sign_up_form(client, invitation):
    response = client.get(_link(invitation))

    assert response.status_code == 200
    page = _page(response)
    assert "Join Riverbend County Workgroup" in page
    assert "Legal reviewer" in page
    assert "Create my account and join" in page


def test_a_new_person_creates_an_account_joins_and_is_signed_in(client, invitation, workgroup):
    response = client.post(_link(invitation), NEW_ACCOUNT)

    assert response.status_code == 302
    assert response.url == "/w/riverbend/"
    user = User.objects.get(email=INVITED)
    assert (user.first_name, user.last_name) == ("Nia", "Okafor")
    assert user.check_password(PASSWORD)
    assert Membership.objects.get(user=user, workgroup=workgroup).role == Role.LEGAL_REVIEWER
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert invitation.accepted_by == user
    dashboard = client.get(response.url)
    assert dashboard.status_code == 200
    assert "Your account is ready. Welcome to Riverbend County Workgroup." in _page(dashboard)
    assert int(client.session["_auth_user_id"]) == user.pk


def test_mismatched_passwords_keep_the_names_and_create_nobody(client, invitation):
    response = client.post(_link(invitation), {**NEW_ACCOUNT, "password2": PASSWORD + "x"})

    page = _page(response)
    assert "The two passwords do not match." in page
    assert 'value="Nia"' in page
    assert 'value="Okafor"' in page
    assert not User.objects.filter(email=INVITED).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_a_weak_password_is_refused_and_creates_nobody(client, invitation):
    response = client.post(_link(invitation), {**NEW_ACCOUNT, "password1": "password", "password2": "password"})

    page = _page(response)
    assert "This password is too common." in page
    assert 'value="Nia"' in page
    assert not User.objects.filter(email=INVITED).exists()
    assert not Membership.objects.filter(user__email=INVITED).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


# --- People who already have an account ---------------------------------------------


def test_someone_signed_in_with_the_invited_address_joins(client, invitation, workgroup):
    user = UserFactory(email=INVITED)
    client.force_login(user)
    assert "Accept and join" in _page(client.get(_link(invitation)))

    response = client.post(_link(invitation))

    assert response.status_code == 302
    assert response.url == "/w/riverbend/"
    assert Membership.objects.get(user=user, workgroup=workgroup).role == Role.LEGAL_REVIEWER
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert "Welcome to Riverbend County Workgroup." in _page(client.get(response.url))


def test_someone_with_an_account_who_is_signed_out_is_asked_to_sign_in(client, invitation):
    UserFactory(email=INVITED)

    response = client.post(_link(invitation), NEW_ACCOUNT)

    assert "Sign in to accept" in _page(response)
    assert User.objects.filter(email=INVITED).count() == 1
    assert not Membership.objects.filter(user__email=INVITED).exists()


def test_someone_signed_in_as_another_person_is_refused(client, invitation):
    other = UserFactory(email="someone.else@x.test")
    client.force_login(other)

    response = client.post(_link(invitation))

    assert response.status_code == 400
    message = services.MSG_INVITATION_WRONG_ACCOUNT.format(email=INVITED, current="someone.else@x.test")
    assert escape(message) in _page(response)
    assert not Membership.objects.filter(user=other).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


# --- Links that cannot be used ------------------------------------------------------


def _past_expiry_date(client, invitation) -> str:
    invitation.expires_at = timezone.now() - timedelta(minutes=1)
    invitation.save(update_fields=["expires_at"])
    return services.invitation_token(invitation)


def _signed_too_long_ago(client, invitation) -> str:
    issued = time.time() - settings.INVITATION_MAX_AGE.total_seconds() - 60
    with mock.patch("django.core.signing.time.time", return_value=issued):
        return services.invitation_token(invitation)


def _already_used(client, invitation) -> str:
    token = services.invitation_token(invitation)
    assert client.post(f"/invitations/{token}/", NEW_ACCOUNT).status_code == 302
    return token


def _revoked(client, invitation) -> str:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return services.invitation_token(invitation)


def _tampered(client, invitation) -> str:
    token = services.invitation_token(invitation)
    i = token.rindex(":") + 5  # a character inside the signature
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]


def _garbage(client, invitation) -> str:
    return "not-a-real-token"


def _deleted(client, invitation) -> str:
    token = services.invitation_token(invitation)
    invitation.delete()
    return token


UNUSABLE = [
    pytest.param(_past_expiry_date, services.MSG_INVITATION_EXPIRED, id="expiry-date-passed"),
    pytest.param(_signed_too_long_ago, services.MSG_INVITATION_EXPIRED, id="token-older-than-max-age"),
    pytest.param(_already_used, services.MSG_INVITATION_USED, id="used"),
    pytest.param(_revoked, services.MSG_INVITATION_REVOKED, id="revoked"),
    pytest.param(_tampered, services.MSG_INVITATION_INVALID, id="tampered"),
    pytest.param(_garbage, services.MSG_INVITATION_INVALID, id="garbage"),
    pytest.param(_deleted, services.MSG_INVITATION_INVALID, id="deleted-invitation"),
]


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("spoil", "message"), UNUSABLE)
def test_an_unusable_link_says_why_and_joins_nobody(client, invitation, spoil, message, method):
    token = spoil(client, invitation)
    memberships, users = Membership.objects.count(), User.objects.count()

    response = getattr(client, method)(f"/invitations/{token}/", NEW_ACCOUNT if method == "post" else None)

    assert response.status_code == 400
    assert escape(message) in _page(response)
    assert (Membership.objects.count(), User.objects.count()) == (memberships, users)


def test_a_signed_in_invitee_gets_the_same_refusal_for_an_expired_link(client, invitation):
    user = UserFactory(email=INVITED)
    client.force_login(user)
    token = _past_expiry_date(client, invitation)

    response = client.post(f"/invitations/{token}/")

    assert response.status_code == 400
    assert escape(services.MSG_INVITATION_EXPIRED) in _page(response)
    assert not Membership.objects.filter(user=user).exists()


# --- Independence ---------------------------------------------------------------


def test_invitations_to_two_workgroups_are_accepted_separately(
    client, invitation, workgroup, other_workgroup, outsider
):
    elsewhere = InvitationFactory(workgroup=other_workgroup, email=INVITED, role=Role.VIEWER, invited_by=outsider)

    client.post(_link(invitation), NEW_ACCOUNT)

    user = User.objects.get(email=INVITED)
    assert list(Membership.objects.filter(user=user).values_list("workgroup__slug", "role")) == [
        ("riverbend", Role.LEGAL_REVIEWER)
    ]
    elsewhere.refresh_from_db()
    assert elsewhere.accepted_at is None
    assert client.get("/w/elsewhere/").status_code == 404

    page = client.get(_link(elsewhere))
    assert "Join Elsewhere Secret Workgroup" in _page(page)
    assert client.post(_link(elsewhere)).url == "/w/elsewhere/"
    assert Membership.objects.get(user=user, workgroup=other_workgroup).role == Role.VIEWER
    assert Invitation.objects.get(pk=invitation.pk).accepted_by == user


def test_someone_signed_in_with_another_address_is_warned_before_they_try(client, workgroup, coordinator, outsider):
    invitation = services.invitation_create(
        actor=coordinator, workgroup=workgroup, email="invitee@x.test", role=Role.MEMBER, base_url="http://testserver"
    )
    client.force_login(outsider)

    page = client.get(services.invitation_url(invitation)).content.decode()

    assert "but you are signed in as outsider@elsewhere.test" in page
    assert "Accept and join" not in page


def test_a_removed_coordinator_cannot_get_back_in_through_an_invitation_they_sent(workgroup, coordinator):
    boss = UserFactory(email="boss@riverbend.test")
    Membership.objects.create(user=boss, workgroup=workgroup, role=Role.COORDINATOR)
    invitation = InvitationFactory(
        workgroup=workgroup, email="rogue-alt@x.test", role=Role.COORDINATOR, invited_by=coordinator
    )

    services.membership_remove(actor=boss, membership=Membership.objects.get(user=coordinator, workgroup=workgroup))

    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    with pytest.raises(ValidationError, match="withdrawn"):
        services.invitation_accept_with_new_account(
            token=services.invitation_token(invitation), first_name="R", last_name="A",
            password="a-long-and-unusual-passphrase",
        )
    assert not Membership.objects.filter(workgroup=workgroup, user__email="rogue-alt@x.test").exists()


def test_an_invitation_from_someone_demoted_since_is_refused(workgroup, coordinator):
    boss = UserFactory(email="boss@riverbend.test")
    Membership.objects.create(user=boss, workgroup=workgroup, role=Role.COORDINATOR)
    invitation = InvitationFactory(workgroup=workgroup, email="alt@x.test", role=Role.MEMBER, invited_by=coordinator)
    services.membership_change_role(
        actor=boss, membership=Membership.objects.get(user=coordinator, workgroup=workgroup), role=Role.VIEWER
    )
    # Even an invitation the withdrawal missed (say, reopened by hand) is refused at the door.
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=None)

    with pytest.raises(ValidationError) as refused:
        services.invitation_accept_with_new_account(
            token=services.invitation_token(invitation), first_name="A", last_name="L",
            password="a-long-and-unusual-passphrase",
        )

    assert services.MSG_INVITATION_INVITER_GONE in refused.value.messages
    assert not Membership.objects.filter(workgroup=workgroup, user__email="alt@x.test").exists()


def test_joining_through_an_invitation_is_recorded_in_the_audit_trail_as_the_new_member(client, invitation, workgroup):
    client.post(_link(invitation), NEW_ACCOUNT)

    membership = Membership.objects.get(user__email=INVITED, workgroup=workgroup)
    assert membership.history.first().history_user == membership.user
