"""Approval by each party's counsel: recorded through an account, or given through a one-time link.

Besides the workgroup's own legal reviewer, counsel for each party approves (or declines) the version the
parties will sign. A coordinator or legal reviewer records a decision counsel gave them (by e-mail, by phone,
in a meeting), naming the counsel; or sends counsel a one-time link that shows the version's text and takes
the decision directly, without an account.

The links work like readiness questionnaire links (``readiness.services.links``): a signed token names the
row, the workgroup and a random nonce stored on the row; sending again rotates the nonce (the earlier link
stops working); a link is used once; it expires; it only ever opens the version it was sent for, and only
while that version is the agreement's current one and is in legal review or approved. The token is the
credential: it is never logged, never put in a message or a task argument, and the pages it opens are not cached.

A party counts as approved on a version when its latest decision on that version is an approval; a decline,
or no decision, leaves it outstanding. Only a version every party has approved can be executed.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement, AgreementParty, AgreementStatus, AgreementVersion, PartyApproval
from toolkit.history import save_validated as _save
from toolkit.permissions import Action, require
from toolkit.text import xml_safe

if TYPE_CHECKING:
    from toolkit.models import User

logger = logging.getLogger(__name__)

LINK_SALT = "agreements.party-approval-link"
LINK_LIFETIME = timedelta(days=30)
OPEN_STATUSES = (AgreementStatus.IN_REVIEW, AgreementStatus.APPROVED)
DECISIONS = (PartyApproval.Decision.APPROVED, PartyApproval.Decision.DECLINED)

MSG_NOT_OPEN = (
    "Counsel approve a version while it is in legal review or approved; this agreement is {status}."
)
MSG_NOT_CURRENT = (
    "Version {number} is no longer the current text (the agreement is at version {current}). "
    "Counsel's decision is recorded on the current version only."
)
MSG_NOT_A_PARTY = "That organization is not a party to this agreement."
MSG_DECISION = "Choose whether counsel approves or declines this version."
MSG_NAME_REQUIRED = "Give the name of the counsel who decided."
MSG_DECLINE_NEEDS_NOTE = "Say why counsel declines, so the drafters know what to change."
MSG_EMAIL_INVALID = "Enter the e-mail address of the party's counsel."
MSG_OUTSTANDING = (
    "Counsel for every party must approve version {number} before it is executed. "
    "Still waiting for: {names}."
)

# What someone holding a link is told when it cannot be used (invalid and replaced: 404; the rest: 410).
MSG_LINK_INVALID = "This approval link is not valid. Check that you copied the whole link, or ask for a new one."
MSG_LINK_REPLACED = (
    "A newer approval link was sent for this party, so this one no longer works. Use the most recent e-mail."
)
MSG_LINK_USED = (
    "This link has already been used: the decision given through it is recorded and it cannot be used again. "
    "If something needs to change, reply to the e-mail that brought you here."
)
MSG_LINK_SUPERSEDED = (
    "The text has changed since this link was sent: version {number} is no longer the current version of the "
    "agreement. Ask the person who sent the link for a link to the current text."
)
MSG_LINK_CLOSED = (
    "This agreement is not open for counsel's approval at the moment (it is {status}). Ask the person who sent "
    "the link when it will be."
)
MSG_LINK_ARCHIVED = (
    "This workgroup has been archived: it no longer takes decisions through links. Contact the person who sent it."
)
MSG_LINK_EXPIRED = "This approval link has expired. Ask the person who sent it for a new one."


# --- Tokens ----------------------------------------------------------------------------------------


def approval_token(approval: PartyApproval) -> str:
    return signing.dumps({"a": approval.pk, "w": approval.workgroup_id, "n": approval.token_nonce},
                         salt=LINK_SALT, compress=True)


def approval_link(approval: PartyApproval, *, base_url: str) -> str:
    path = reverse("agreements-public:party-approval-link",
                   kwargs={"slug": approval.workgroup.slug, "link_token": approval_token(approval)})
    return base_url.rstrip("/") + path


def link_fingerprint(approval: PartyApproval) -> str:
    """Names one link (one nonce) in a task's arguments without carrying anything that could open it."""
    return hashlib.sha256(f"{LINK_SALT}:{approval.token_nonce}".encode()).hexdigest()[:16]


def _link_rows():
    return PartyApproval.objects.select_related("workgroup", "agreement", "agreement__template", "version",
                                                "party").exclude(token_nonce="")


def party_approval_for_token(*, token: str, slug: str) -> PartyApproval:
    """The unused link a token opens, or a ValidationError saying plainly why it cannot be used.

    The workgroup in the address must be the one the token was signed for, and the nonce the row's current one.
    """
    try:
        data = signing.loads(token or "", salt=LINK_SALT)
    except signing.BadSignature:
        raise ValidationError(MSG_LINK_INVALID, code="invalid") from None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), t) for k, t in (("a", int), ("w", int),
                                                                                     ("n", str))):
        raise ValidationError(MSG_LINK_INVALID, code="invalid")
    approval = _link_rows().filter(pk=data["a"], workgroup_id=data["w"], workgroup__slug=slug).first()
    if approval is None:
        raise ValidationError(MSG_LINK_INVALID, code="invalid")
    if not secrets.compare_digest(approval.token_nonce, data["n"]):
        raise ValidationError(MSG_LINK_REPLACED, code="replaced")
    _check_link_usable(approval, approval.agreement)
    return approval


def _check_link_usable(approval: PartyApproval, agreement: Agreement) -> None:
    if approval.workgroup.archived_at is not None:  # an archived workgroup takes no more decisions
        raise ValidationError(MSG_LINK_ARCHIVED, code="closed")
    if approval.decided_at is not None:
        raise ValidationError(MSG_LINK_USED, code="used")
    if approval.version.number != agreement.current_version_number:
        raise ValidationError(MSG_LINK_SUPERSEDED.format(number=approval.version.number), code="superseded")
    if agreement.status not in OPEN_STATUSES:
        raise ValidationError(MSG_LINK_CLOSED.format(status=agreement.get_status_display().lower()), code="closed")
    if approval.link_expires_at is None or timezone.now() >= approval.link_expires_at:
        raise ValidationError(MSG_LINK_EXPIRED, code="expired")


# --- Writes ----------------------------------------------------------------------------------------


def _lock_open(version: AgreementVersion) -> Agreement:
    """The agreement, locked (always before its approval rows), when ``version`` may take counsel's decision."""
    agreement = Agreement.objects.select_for_update().select_related("workgroup").get(pk=version.agreement_id)
    if version.number != agreement.current_version_number:
        raise ValidationError(MSG_NOT_CURRENT.format(number=version.number, current=agreement.current_version_number),
                              code="not_current")
    if agreement.status not in OPEN_STATUSES:
        raise ValidationError(MSG_NOT_OPEN.format(status=agreement.get_status_display().lower()), code="not_open")
    return agreement


def _check_party(party: AgreementParty, agreement: Agreement) -> None:
    if party.agreement_id != agreement.pk:
        raise ValidationError({"party": MSG_NOT_A_PARTY})


def _decision(decision: str, approver_name: str, note: str) -> None:
    errors = {}
    if decision not in DECISIONS:
        errors["decision"] = MSG_DECISION
    if not (approver_name or "").strip():
        errors["approver_name"] = MSG_NAME_REQUIRED
    if decision == PartyApproval.Decision.DECLINED and not (note or "").strip():
        errors["note"] = MSG_DECLINE_NEEDS_NOTE
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def party_approval_record(*, actor: User, version: AgreementVersion, party: AgreementParty, decision: str,
                          approver_name: str, approver_title: str = "", note: str = "") -> PartyApproval:
    """Record the decision counsel gave a coordinator or legal reviewer (who names the counsel)."""
    require(actor, version.workgroup, Action.REVIEW_AGREEMENTS)
    agreement = _lock_open(version)
    _check_party(party, agreement)
    _decision(decision, approver_name, note)
    return _save(PartyApproval(
        workgroup=agreement.workgroup, agreement=agreement, version=version, party=party, decision=decision,
        approver_name=approver_name.strip(), approver_title=(approver_title or "").strip(),
        note=(note or "").strip(), decided_at=timezone.now(), recorded_by=actor,
    ), actor)


@transaction.atomic
def party_approval_link_send(*, actor: User, version: AgreementVersion, party: AgreementParty, email: str,
                             base_url: str | None = None) -> tuple[PartyApproval, str]:
    """Make a one-time link for the party's counsel and e-mail it after the commit; returns it to show once.

    A link sent earlier for the same party and version, and not used, stops working: the row is reused with
    a new nonce, expiry and address. ``base_url`` is where the link points (the request's site; by default
    ``settings.SITE_URL``).
    """
    require(actor, version.workgroup, Action.REVIEW_AGREEMENTS)
    agreement = _lock_open(version)
    _check_party(party, agreement)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": MSG_EMAIL_INVALID}) from None
    approval = (PartyApproval.objects.filter(version=version, party=party, decision=PartyApproval.Decision.PENDING)
                .exclude(token_nonce="").order_by("-created_at", "-id").first()
                or PartyApproval(workgroup=agreement.workgroup, agreement=agreement, version=version, party=party))
    approval.approver_email = email
    approval.token_nonce = secrets.token_hex(16)
    approval.link_expires_at = timezone.now() + LINK_LIFETIME
    _save(approval, actor)
    base_url = base_url or settings.SITE_URL
    url = approval_link(approval, base_url=base_url)

    from agreements.tasks import send_party_approval_link

    # Only ids go to the broker; the worker rebuilds the link from the row (and sends nothing if it was replaced).
    args = (approval.pk, base_url, link_fingerprint(approval), actor.pk)
    transaction.on_commit(lambda: send_party_approval_link.delay(*args))
    return approval, url


@transaction.atomic
def party_approval_by_link(*, approval: PartyApproval, decision: str, approver_name: str,
                           approver_title: str = "", note: str = "") -> PartyApproval:
    """Counsel's own decision through the link (already resolved by the permission layer). Uses the link up."""
    agreement = Agreement.objects.select_for_update().get(pk=approval.agreement_id)
    locked = PartyApproval.objects.select_for_update().select_related("version").get(pk=approval.pk)
    if not locked.token_nonce or not secrets.compare_digest(locked.token_nonce, approval.token_nonce):
        raise ValidationError(MSG_LINK_REPLACED, code="replaced")
    _check_link_usable(locked, agreement)
    _decision(decision, approver_name, note)
    locked.decision, locked.decided_at = decision, timezone.now()
    locked.approver_name, locked.approver_title = approver_name.strip(), (approver_title or "").strip()
    locked.note = (note or "").strip()
    return _save(locked, None)


def party_approval_link_mail(*, approval_id: int, base_url: str, fingerprint: str,
                             sender_id: int | None = None) -> bool:
    """For the task: e-mail the link if it is still the one that was sent and can be used. True when sent.

    A mail server's refusal is raised (the task retries); the log names the address, never the link.
    """
    approval = _link_rows().select_related("agreement__workgroup").filter(pk=approval_id).first()
    if approval is None or link_fingerprint(approval) != fingerprint:
        return False  # gone, or replaced by a newer link (whose own task sends it)
    try:
        _check_link_usable(approval, approval.agreement)
    except ValidationError:
        return False
    from django.contrib.auth import get_user_model

    sender = get_user_model().objects.filter(pk=sender_id).first() if sender_id else None
    version = approval.version
    context = {"approval": approval, "agreement": approval.agreement, "version": version, "party": approval.party,
               "workgroup": approval.workgroup, "sender": sender, "link": approval_link(approval, base_url=base_url)}
    subject = " ".join(xml_safe(f"Counsel approval requested: {version.title}, version {version.number}").split())
    body = xml_safe(render_to_string("agreements/email/counsel_link.txt", context))
    try:
        send_mail(subject, body, None, [approval.approver_email], fail_silently=False)
    except (OSError, ValueError) as exc:  # smtplib's errors are OSErrors; ValueError: an address no header holds
        logger.warning("Counsel approval e-mail to %s failed: %s", approval.approver_email, type(exc).__name__)
        raise
    return True


# --- Reads -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyStatus:
    """One party's standing on one version: its latest decision, and an unused link if one was sent."""

    party: AgreementParty
    decision: PartyApproval | None  # the latest decided row on this version
    pending_link: PartyApproval | None  # the unused link for this version, if any

    @property
    def approved(self) -> bool:
        return self.decision is not None and self.decision.decision == PartyApproval.Decision.APPROVED

    @property
    def outstanding(self) -> bool:
        return not self.approved

    @property
    def by_link(self) -> bool:
        return self.decision is not None and self.decision.recorded_by_id is None and bool(self.decision.token_nonce)

    @property
    def link_expired(self) -> bool:
        link = self.pending_link
        return link is not None and (link.link_expires_at is None or link.link_expires_at <= timezone.now())


class PartyStatusList(list):
    """A list of ``PartyStatus`` that also answers the questions a page asks of the whole (templates cannot count)."""

    def __init__(self, statuses: list[PartyStatus], *, version_number: int):
        super().__init__(statuses)
        self.version_number = version_number

    @property
    def approved_count(self) -> int:
        return sum(1 for status in self if status.approved)

    @property
    def outstanding_names(self) -> list[str]:
        return [status.party.name for status in self if status.outstanding]

    @property
    def all_approved(self) -> bool:
        return bool(self) and not self.outstanding_names


def party_status(*, version: AgreementVersion) -> PartyStatusList:
    """Every party of the version's agreement, in order, with its latest decision on this version (two queries)."""
    parties = list(AgreementParty.objects.filter(agreement_id=version.agreement_id).order_by("order", "pk"))
    decided: dict[int, PartyApproval] = {}
    links: dict[int, PartyApproval] = {}
    rows = (PartyApproval.objects.filter(version=version).select_related("recorded_by")
            .order_by("-decided_at", "-created_at", "-id"))
    for row in rows:
        if row.decided_at is not None:
            decided.setdefault(row.party_id, row)
        elif row.token_nonce:
            links.setdefault(row.party_id, row)
    return PartyStatusList([PartyStatus(party=p, decision=decided.get(p.pk), pending_link=links.get(p.pk))
                            for p in parties], version_number=version.number)


def parties_outstanding(*, version: AgreementVersion) -> list[str]:
    """Names of the parties whose counsel has not approved this version (a decline counts as outstanding)."""
    return party_status(version=version).outstanding_names


def require_every_party_approved(*, version: AgreementVersion) -> None:
    """For ``agreement_execute``: refuse unless counsel for every party approved ``version``."""
    outstanding = parties_outstanding(version=version)
    if outstanding:
        raise ValidationError(MSG_OUTSTANDING.format(number=version.number, names=", ".join(outstanding)),
                              code="counsel_outstanding")
