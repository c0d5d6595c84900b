"""One-time questionnaire links and the e-mails that carry them.

A link carries a signed token naming the respondent, the workgroup and a random nonce stored on
the respondent. Sending a new link rotates the nonce (old links stop working); submitting locks
the answers (the link then only says thank you); the link stops working a grace period after the
due date, or when the round closes.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from readiness.messages import (
    MSG_ACCOUNT_DELETED,
    MSG_EMAIL_FAILED,
    MSG_LINK_EXPIRED,
    MSG_LINK_INVALID,
    MSG_LINK_REPLACED,
    MSG_LINK_ROUND_CLOSED,
    MSG_LINK_SUBMITTED,
)
from readiness.models import LINK_RESPONDENT, Respondent
from toolkit.audit import record_access
from toolkit.models import AuditAction
from toolkit.text import xml_safe

if TYPE_CHECKING:
    from toolkit.models import User

logger = logging.getLogger(__name__)

LINK_SALT = "readiness.respondent-link"


def link_expiry(due_date: date, *, now: datetime | None = None) -> datetime:
    """A grace period after the due date, and never less than that from now (a late invite still works)."""
    end_of_due_day = timezone.make_aware(datetime.combine(due_date, time.max))
    return max(end_of_due_day, now or timezone.now()) + settings.READINESS_LINK_GRACE


# --- Tokens --------------------------------------------------------------------------------------


def respondent_token(respondent: Respondent) -> str:
    return signing.dumps(
        {"r": respondent.pk, "w": respondent.workgroup_id, "n": respondent.token_nonce}, salt=LINK_SALT, compress=True
    )


def respondent_link(respondent: Respondent, *, base_url: str) -> str:
    path = reverse("readiness-public:respond", kwargs={"slug": respondent.workgroup.slug,
                                                       "link_token": respondent_token(respondent)})
    return base_url.rstrip("/") + path


def respondent_link_shown(*, actor: User, respondent: Respondent, base_url: str) -> str:
    """The respondent's working one-time link, for a coordinator to copy when the e-mail did not arrive; "" when
    there is none. Showing it is recorded as an access: the link lets anyone answer as that partner."""
    if not respondent.uses_link or respondent.is_submitted or not respondent.round.is_open or respondent.link_expired:
        return ""
    record_access(actor=actor, obj=respondent, action=AuditAction.VIEWED, detail="Questionnaire link shown")
    return respondent_link(respondent, base_url=base_url)


def respondent_for_token(*, token: str, slug: str) -> Respondent:
    """The respondent a link is for, or a ValidationError saying plainly why it cannot be used.

    A link only ever reaches its own questionnaire: the workgroup in the address must be the
    one the token was signed for, and the nonce must be the respondent's current one.
    """
    try:
        data = signing.loads(token, salt=LINK_SALT)
    except signing.BadSignature:
        raise ValidationError(MSG_LINK_INVALID, code="invalid") from None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), v) for k, v in (("r", int), ("w", int),
                                                                                      ("n", str))):
        raise ValidationError(MSG_LINK_INVALID, code="invalid")
    respondent = (
        Respondent.objects.select_related("round", "workgroup", "round__instrument_version", "invited_by")
        .filter(LINK_RESPONDENT, pk=data["r"], workgroup_id=data["w"], workgroup__slug=slug)
        .first()
    )
    if respondent is None:
        raise ValidationError(MSG_LINK_INVALID, code="invalid")
    if not respondent.token_nonce or not secrets.compare_digest(respondent.token_nonce, data["n"]):
        raise ValidationError(MSG_LINK_REPLACED, code="replaced", params={"contact": link_contact(respondent)})
    # From here on the link is genuine: a refusal names who to ask (the coordinator who invited them).
    for refused, message, code in ((respondent.is_submitted, MSG_LINK_SUBMITTED, "submitted"),
                                   (not respondent.round.is_open, MSG_LINK_ROUND_CLOSED, "closed"),
                                   (respondent.link_expired, MSG_LINK_EXPIRED, "expired")):
        if refused:
            raise ValidationError(message, code=code, params={"contact": link_contact(respondent)})
    return respondent


def link_contact(respondent: Respondent) -> dict[str, str] | None:
    """Who a link's holder can ask for a new one: the coordinator who invited them, while they have an account."""
    inviter = respondent.invited_by
    if inviter is None or not inviter.is_active or not inviter.email:
        return None
    return {"name": inviter.get_full_name() or inviter.email, "email": inviter.email}


def send_email(subject: str, template: str, context: dict, to: str, *, reply_to: str = "") -> None:
    """Send one readiness e-mail. ``reply_to``: the coordinator who invited them, since the sender address
    (DEFAULT_FROM_EMAIL) usually takes no replies."""
    # Names written before the text normaliser existed may hold control characters or broken text that no
    # mail header (or body) can carry: scrub them, and keep the subject on one line.
    subject = " ".join(xml_safe(subject).split())
    body = xml_safe(render_to_string(template, context))
    try:
        EmailMessage(subject, body, None, [to], reply_to=[reply_to] if reply_to else None).send()
    except (OSError, smtplib.SMTPException, ValueError) as exc:  # ValueError: an address no header can hold
        logger.warning("Readiness e-mail to %s failed: %s", to, exc)
        raise ValidationError(MSG_EMAIL_FAILED, code="email_failed") from exc


def questionnaire_url(respondent: Respondent, base_url: str) -> str:
    if respondent.account_deleted:  # nobody is left to open it; callers check first
        raise ValidationError(MSG_ACCOUNT_DELETED.format(name=respondent.name), code="account_deleted")
    if respondent.uses_link:
        return respondent_link(respondent, base_url=base_url)
    return base_url.rstrip("/") + reverse(
        "readiness:respond", kwargs={"slug": respondent.workgroup.slug, "round_id": respondent.round_id}
    )


def send_invitation(respondent: Respondent, *, base_url: str, inviter: User) -> None:
    """E-mail the invitation; raises ValidationError(MSG_EMAIL_FAILED) when the mail server refuses it."""
    round_ = respondent.round
    send_email(
        f"Readiness self-assessment: {round_.title}",
        "readiness/email/invitation.txt",
        {"respondent": respondent, "round": round_, "workgroup": respondent.workgroup, "inviter": inviter,
         "link": questionnaire_url(respondent, base_url)},
        respondent.email, reply_to=inviter.email if inviter else "",
    )


