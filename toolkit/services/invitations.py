"""Invitations by e-mail with an expiring, signed, one-time link."""

from __future__ import annotations

import logging
import smtplib
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from toolkit.models import Invitation, Membership, Workgroup
from toolkit.permissions import Action, can, require
from toolkit.services.messages import (
    MSG_ALREADY_MEMBER,
    MSG_INVITATION_ACCOUNT_EXISTS,
    MSG_INVITATION_ALREADY_ACCEPTED,
    MSG_INVITATION_EMAIL_FAILED,
    MSG_INVITATION_EXPIRED,
    MSG_INVITATION_INVALID,
    MSG_INVITATION_INVITER_GONE,
    MSG_INVITATION_REVOKED,
    MSG_INVITATION_USED,
    MSG_INVITATION_WRONG_ACCOUNT,
)

if TYPE_CHECKING:
    from toolkit.models import User

logger = logging.getLogger(__name__)

INVITATION_SALT = "toolkit.invitation"


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"invitation": invitation.pk}, salt=INVITATION_SALT, compress=True)


def invitation_url(invitation: Invitation) -> str:
    return reverse("toolkit:invitation-accept", kwargs={"invitation_token": invitation_token(invitation)})


@transaction.atomic
def invitation_create(
    *, actor: User, workgroup: Workgroup, email: str, role: str, base_url: str
) -> Invitation:
    """Invite someone by e-mail; a newer invitation to the same address replaces an open one."""
    require(actor, workgroup, Action.MANAGE_MEMBERS)
    email = get_user_model().objects.normalize_email(email).lower()
    if Membership.objects.filter(workgroup=workgroup, user__email__iexact=email).exists():
        raise ValidationError({"email": MSG_ALREADY_MEMBER.format(email=email)})
    now = timezone.now()
    for previous in Invitation.objects.filter(
        workgroup=workgroup, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ):
        previous.revoked_at = now
        previous._history_user = actor
        previous.save(update_fields=["revoked_at"])
    invitation = Invitation(
        workgroup=workgroup,
        email=email,
        role=role,
        invited_by=actor,
        expires_at=now + settings.INVITATION_MAX_AGE,
    )
    invitation.full_clean()
    invitation._history_user = actor
    invitation.save()
    link = base_url.rstrip("/") + invitation_url(invitation)
    body = render_to_string(
        "toolkit/email/invitation.txt", {"invitation": invitation, "link": link, "inviter": actor}
    )
    # Sent before commit: if the mail server refuses, the invitation is rolled back and the
    # coordinator is told, rather than left with an invitation nobody received.
    try:
        send_mail(f"You are invited to the {workgroup.name} workgroup", body, None, [email], fail_silently=False)
    except (OSError, smtplib.SMTPException) as exc:
        logger.warning("Invitation e-mail to %s failed: %s", email, exc)
        raise ValidationError(MSG_INVITATION_EMAIL_FAILED, code="email_failed") from exc
    return invitation


def invitation_resolve(*, token: str) -> Invitation:
    """Turn a link token into an open invitation, or say plainly why it cannot be used."""
    try:
        data = signing.loads(
            token, salt=INVITATION_SALT, max_age=settings.INVITATION_MAX_AGE.total_seconds()
        )
    except signing.SignatureExpired:
        raise ValidationError(MSG_INVITATION_EXPIRED, code="expired") from None
    except signing.BadSignature:
        raise ValidationError(MSG_INVITATION_INVALID, code="invalid") from None
    invitation = Invitation.objects.select_related("workgroup").filter(pk=data.get("invitation")).first()
    if invitation is None:
        raise ValidationError(MSG_INVITATION_INVALID, code="invalid")
    _refuse_unless_open(invitation)
    return invitation


def _refuse_unless_open(invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise ValidationError(MSG_INVITATION_USED, code="used")
    if invitation.revoked_at is not None:
        raise ValidationError(MSG_INVITATION_REVOKED, code="revoked")
    if invitation.is_expired:
        raise ValidationError(MSG_INVITATION_EXPIRED, code="expired")
    # Only someone who may still manage members can bring people in.
    if invitation.invited_by is None or not can(invitation.invited_by, invitation.workgroup, Action.MANAGE_MEMBERS):
        raise ValidationError(MSG_INVITATION_INVITER_GONE, code="inviter_gone")


def _lock_open_invitation(token: str) -> Invitation:
    """Resolve the token, then check again on the locked row: a withdrawal, an expiry or
    another click may have landed in between."""
    invitation = invitation_resolve(token=token)
    invitation = (
        Invitation.objects.select_for_update(of=("self",)).select_related("workgroup").get(pk=invitation.pk)
    )
    _refuse_unless_open(invitation)
    return invitation


def _accept(invitation: Invitation, user: User) -> Membership:
    membership = Membership.objects.filter(user=user, workgroup=invitation.workgroup).first()
    if membership is None:
        membership = Membership(user=user, workgroup=invitation.workgroup, role=invitation.role)
        membership._history_user = user
        membership.save()
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation._history_user = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    invitation = _lock_open_invitation(token)
    if invitation.email.lower() != user.email.lower():
        raise ValidationError(
            MSG_INVITATION_WRONG_ACCOUNT.format(email=invitation.email, current=user.email), code="wrong_account"
        )
    return _accept(invitation, user)


@transaction.atomic
def invitation_accept_with_new_account(
    *, token: str, first_name: str, last_name: str, password: str
) -> Membership:
    invitation = _lock_open_invitation(token)
    user_model = get_user_model()
    if user_model.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(MSG_INVITATION_ACCOUNT_EXISTS.format(email=invitation.email), code="account_exists")
    user = user_model(email=invitation.email, first_name=first_name, last_name=last_name)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return _accept(invitation, user)


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    require(actor, invitation.workgroup, Action.MANAGE_MEMBERS)
    if invitation.accepted_at is not None:
        raise ValidationError(MSG_INVITATION_ALREADY_ACCEPTED.format(email=invitation.email), code="accepted")
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation._history_user = actor
        invitation.save(update_fields=["revoked_at"])
    return invitation
