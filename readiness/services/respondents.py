"""Writes for respondents: inviting members, partner contacts and other people, resending, removing,
and their answers (save and come back, submit to lock).

Invitations are e-mailed after every row is saved, one by one: a refused address is recorded on
its respondent (the coordinator sees it and can resend) instead of undoing the batch, so nobody is
ever left holding a link to a row that was rolled back.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partners.selectors import contact_list
from readiness.messages import (
    MSG_ACCOUNT_DELETED,
    MSG_ALREADY_RESPONDENT,
    MSG_ALREADY_SUBMITTED,
    MSG_ANSWER_INVALID,
    MSG_CONTACT_NO_EMAIL,
    MSG_LINK_EXPIRED,
    MSG_LINK_ROUND_CLOSED,
    MSG_NOT_A_MEMBER,
    MSG_NOTHING_SELECTED,
    MSG_ORGANIZATION_REQUIRED,
    MSG_RESPONDENT_SUBMITTED,
    MSG_ROLE_REQUIRED,
    MSG_ROUND_CLOSED,
    MSG_UNANSWERED,
)
from readiness.models import (
    SCORED_TYPES,
    Answer,
    AnswerType,
    AssessmentRound,
    Item,
    Respondent,
)
from readiness.scoring import AGREEMENT_CHOICES, UNSURE, YES_PARTLY_NO_SCORES
from readiness.services.links import link_expiry, send_invitation
from readiness.services.rounds import lock_round
from readiness.services.saving import save as _save
from readiness.text import stored_text
from toolkit.models import Membership
from toolkit.permissions import Action, can, require

if TYPE_CHECKING:
    from partners.models import Contact, Organization
    from toolkit.models import User

VALID_CHOICES = {
    AnswerType.AGREEMENT: set(AGREEMENT_CHOICES) | {UNSURE},
    AnswerType.YES_PARTLY_NO: set(YES_PARTLY_NO_SCORES) | {UNSURE},
}

# --- Respondents ------------------------------------------------------------------------------


def _open_round_for_invites(actor: User, round_: AssessmentRound) -> AssessmentRound:
    require(actor, round_.workgroup, Action.MANAGE_READINESS)
    locked = lock_round(round_)
    if not locked.is_open:
        raise ValidationError(MSG_ROUND_CLOSED, code="closed")
    return locked


class _Invited:
    """Who is already in the round (one query), and who this batch adds, so duplicates are refused up front."""

    def __init__(self, round_: AssessmentRound):
        rows = round_.respondents.values_list("email", "user_id")
        self.emails = {email.lower() for email, _ in rows}
        self.users = {user_id for _, user_id in rows if user_id}

    def refuse_duplicate(self, *, email: str, name: str, user: User | None = None) -> None:
        if email.lower() in self.emails or (user is not None and user.pk in self.users):
            raise ValidationError(MSG_ALREADY_RESPONDENT.format(name=name), code="duplicate")
        self.emails.add(email.lower())
        if user is not None:
            self.users.add(user.pk)


def _deliver(respondents: list[Respondent], *, base_url: str, inviter: User) -> list[Respondent]:
    """E-mail each saved respondent; a refused address is recorded on its row, not raised."""
    for respondent in respondents:
        try:
            send_invitation(respondent, base_url=base_url, inviter=inviter)
        except ValidationError as exc:
            respondent.invitation_error = " ".join(exc.messages)[:300]
        else:
            respondent.invitation_sent_at, respondent.invitation_error = timezone.now(), ""
        respondent.save(update_fields=["invitation_sent_at", "invitation_error", "updated_at"])
    return respondents


@transaction.atomic
def respondents_invite_members(
    *, actor: User, round: AssessmentRound, users: Iterable[User], base_url: str
) -> list[Respondent]:
    """Members answer inside the app; they get an e-mail pointing there."""
    round_ = _open_round_for_invites(actor, round)
    users = list(users)
    if not users:
        raise ValidationError(MSG_NOTHING_SELECTED, code="empty")
    # Check everyone before inviting anyone: a refusal must not leave e-mails with dead links behind.
    members = set(Membership.objects.filter(workgroup=round_.workgroup, user__in=users).values_list("user_id",
                                                                                                     flat=True))
    invited = _Invited(round_)
    for user in users:
        if user.pk not in members:
            raise ValidationError(MSG_NOT_A_MEMBER.format(name=user), code="not_member")
        invited.refuse_duplicate(email=user.email, name=str(user), user=user)
    # A member listed as a partner contact answers for that contact's organization (they can change it).
    contacts = {}
    for contact in contact_list(workgroup=round_.workgroup).exclude(email="").order_by("-is_primary", "pk"):
        contacts.setdefault(contact.email.lower(), contact)
    created = []
    for user in users:
        contact = contacts.get(user.email.lower())
        created.append(_save(
            Respondent(workgroup=round_.workgroup, round=round_, user=user, name=stored_text(user), email=user.email,
                       invited_by=actor, organization=contact.organization if contact else None,
                       organization_name=stored_text(contact.organization.name) if contact else "",
                       role_title=stored_text(contact.title) if contact else ""),
            actor,
        ))
    return _deliver(created, base_url=base_url, inviter=actor)


def _new_link_respondent(actor: User, round_: AssessmentRound, *, typed: tuple[str, ...] = (),
                         **fields) -> Respondent:
    return _save(
        Respondent(workgroup=round_.workgroup, round=round_, invited_by=actor, token_nonce=secrets.token_hex(16),
                   link_expires_at=link_expiry(round_.due_date), **fields),
        actor, typed=typed,
    )


@transaction.atomic
def respondents_invite_contacts(
    *, actor: User, round: AssessmentRound, contacts: Iterable[Contact], base_url: str
) -> list[Respondent]:
    """Partner contacts get a one-time link: no account needed, and it reaches only their questionnaire."""
    round_ = _open_round_for_invites(actor, round)
    contacts = list(contacts)
    if not contacts:
        raise ValidationError(MSG_NOTHING_SELECTED, code="empty")
    # Check everyone before inviting anyone: a refusal must not leave e-mails with dead links behind.
    invited = _Invited(round_)  # also refuses two contacts sharing one address: one questionnaire each
    for contact in contacts:
        if contact.workgroup_id != round_.workgroup_id:
            raise ValidationError("That contact does not belong to this workgroup.")
        if not contact.email:
            raise ValidationError(MSG_CONTACT_NO_EMAIL.format(name=contact.name), code="no_email")
        invited.refuse_duplicate(email=contact.email, name=contact.name)
    created = [
        _new_link_respondent(
            actor, round_, contact=contact, name=stored_text(contact.name), email=contact.email.lower(),
            organization=contact.organization, organization_name=stored_text(contact.organization.name),
            role_title=stored_text(contact.title),
        )
        for contact in contacts
    ]
    return _deliver(created, base_url=base_url, inviter=actor)


@transaction.atomic
def respondent_invite_person(
    *, actor: User, round: AssessmentRound, name: str, email: str, organization: Organization | None,
    role_title: str = "", base_url: str,
) -> Respondent:
    """Someone who is neither a member nor in the partner directory, reached by a one-time link."""
    round_ = _open_round_for_invites(actor, round)
    # Results are read per organization, so everyone answers for one (add it to the partner map first).
    if organization is None:
        raise ValidationError({"organization": MSG_ORGANIZATION_REQUIRED})
    if organization.workgroup_id != round_.workgroup_id:
        raise ValidationError({"organization": "Choose an organization from this workgroup."})
    email = email.strip().lower()
    _Invited(round_).refuse_duplicate(email=email, name=name)
    respondent = _new_link_respondent(
        actor, round_, name=name.strip(), email=email, organization=organization,
        organization_name=stored_text(organization.name), role_title=role_title.strip(),
        typed=("name", "email", "role_title"),
    )
    return _deliver([respondent], base_url=base_url, inviter=actor)[0]


def _lock_respondent(respondent: Respondent) -> Respondent:
    # The round is locked too, so a submit and a close cannot cross. of=(…): PostgreSQL cannot lock
    # the nullable side of the outer join to ``user``.
    return (
        Respondent.objects.select_for_update(of=("self", "round"))
        .select_related("round", "workgroup", "user")
        .get(pk=respondent.pk)
    )


@transaction.atomic
def respondent_resend(*, actor: User, respondent: Respondent, base_url: str) -> Respondent:
    """Send the invitation again. For a link respondent this is a new link; the old one stops working."""
    require(actor, respondent.workgroup, Action.MANAGE_READINESS)
    respondent = _lock_respondent(respondent)
    if respondent.is_submitted:
        raise ValidationError(MSG_RESPONDENT_SUBMITTED.format(name=respondent.name), code="submitted")
    if respondent.account_deleted:
        raise ValidationError(MSG_ACCOUNT_DELETED.format(name=respondent.name), code="account_deleted")
    if not respondent.round.is_open:
        raise ValidationError(MSG_ROUND_CLOSED, code="closed")
    if respondent.uses_link:
        respondent.token_nonce = secrets.token_hex(16)
        respondent.link_expires_at = link_expiry(respondent.round.due_date)
    # One e-mail: if it is refused, the whole resend is undone and the earlier link keeps working.
    send_invitation(respondent, base_url=base_url, inviter=actor)
    respondent.invitation_sent_at, respondent.invitation_error = timezone.now(), ""
    return _save(respondent, actor)


@transaction.atomic
def respondent_remove(*, actor: User, respondent: Respondent) -> None:
    """Take someone off the round before they submit (their saved answers go with them)."""
    require(actor, respondent.workgroup, Action.MANAGE_READINESS)
    respondent = _lock_respondent(respondent)
    if respondent.is_submitted:
        raise ValidationError(MSG_RESPONDENT_SUBMITTED.format(name=respondent.name), code="submitted")
    respondent._history_user = actor
    respondent.delete()


# --- Answers ----------------------------------------------------------------------------------


def _clean_answer(item: Item, value) -> dict:
    """Turn a form value into Answer fields, refusing anything the statement does not offer."""
    if item.answer_type in SCORED_TYPES:
        choice = "" if value in (None, "") else str(value)
        if choice and choice not in VALID_CHOICES[item.answer_type]:
            raise ValidationError({f"item_{item.pk}": MSG_ANSWER_INVALID})
        return {"choice": choice, "number": None, "text": ""}
    if item.answer_type == AnswerType.NUMBER:
        if value in (None, ""):
            return {"choice": "", "number": None, "text": ""}
        if not isinstance(value, Decimal | int) or not Decimal(value).is_finite():
            raise ValidationError({f"item_{item.pk}": "Enter a number."})
        return {"choice": "", "number": Decimal(value), "text": ""}
    return {"choice": "", "number": None, "text": str(value or "").strip()}


@transaction.atomic
def response_save(
    *,
    respondent: Respondent,
    answers: Mapping[int, object],
    organization: Organization | None = None,
    role_title: str | None = None,
    actor: User | None = None,
) -> Respondent:
    """Save what the respondent has typed so far (``response_submit`` saves, then locks it).

    ``actor`` is the signed-in member answering (None for a link respondent, whose link the view
    has already resolved). Saving never loses anything typed: an incomplete submit still saves.
    """
    respondent = _lock_respondent(respondent)
    if respondent.account_deleted:  # nobody may answer in the place of a deleted account
        raise ValidationError(MSG_ACCOUNT_DELETED.format(name=respondent.name), code="account_deleted")
    if (actor is None) == (respondent.user_id is not None):  # members answer signed in, links without an account
        raise ValidationError("This questionnaire belongs to someone else.", code="not_yours")
    if actor is not None and (respondent.user_id != actor.pk or not can(actor, respondent.workgroup,
                                                                         Action.VIEW_WORKGROUP)):
        raise ValidationError("This questionnaire belongs to someone else.", code="not_yours")
    if respondent.is_submitted:
        raise ValidationError(MSG_ALREADY_SUBMITTED, code="submitted")
    if not respondent.round.is_open:
        raise ValidationError(MSG_LINK_ROUND_CLOSED, code="closed")
    if respondent.uses_link and respondent.link_expired:
        raise ValidationError(MSG_LINK_EXPIRED, code="expired")
    items = {item.pk: item for item in Item.objects.filter(version_id=respondent.round.instrument_version_id)}
    errors: dict[str, list] = {}
    cleaned: dict[int, dict] = {}
    for item_id, value in answers.items():
        item = items.get(item_id)
        if item is None:
            continue  # a statement of another version: ignore rather than store
        try:
            cleaned[item_id] = _clean_answer(item, value)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    existing = {a.item_id: a for a in respondent.answers.all()}
    for item_id, fields in cleaned.items():
        answer = existing.get(item_id)
        if answer is None:
            Answer.objects.create(respondent=respondent, item_id=item_id, **fields)
        elif any(getattr(answer, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(answer, k, v)
            answer.save()
    if organization is not None:
        if organization.workgroup_id != respondent.workgroup_id:
            raise ValidationError({"organization": "Choose an organization from this workgroup."})
        respondent.organization, respondent.organization_name = organization, stored_text(organization.name)
    if role_title is not None:
        respondent.role_title = role_title.strip()
    respondent.started_at = respondent.started_at or timezone.now()
    _save(respondent, actor, typed=("role_title",) if role_title is not None else ())
    return respondent


def _submit(respondent: Respondent, items: dict[int, Item], actor: User | None) -> None:
    given = {a.item_id: a for a in respondent.answers.all()}
    unanswered = [
        pk for pk, item in items.items()
        if item.answer_type in SCORED_TYPES and not (given.get(pk) and given[pk].choice)
    ]
    problems: dict[str, list[str]] = {}
    if unanswered:
        problems["__all__"] = [MSG_UNANSWERED.format(count=len(unanswered))]
        for pk in unanswered:
            problems[f"item_{pk}"] = ["Choose an answer, or “Don't know”."]
    if not respondent.role_title:
        problems["role_title"] = [MSG_ROLE_REQUIRED]
    if respondent.organization_id is None and not respondent.organization_name:
        problems["organization"] = [MSG_ORGANIZATION_REQUIRED]
    if problems:
        raise ValidationError(problems)
    respondent.submitted_at = timezone.now()
    _save(respondent, actor)


def response_submit(
    *,
    respondent: Respondent,
    answers: Mapping[int, object],
    organization: Organization | None = None,
    role_title: str | None = None,
    actor: User | None = None,
) -> Respondent:
    """Save, then submit in its own transaction: a refused submit keeps everything that was typed."""
    respondent = response_save(respondent=respondent, answers=answers, organization=organization,
                               role_title=role_title, actor=actor)
    with transaction.atomic():
        locked = _lock_respondent(respondent)
        if locked.is_submitted:
            raise ValidationError(MSG_ALREADY_SUBMITTED, code="submitted")
        items = {item.pk: item for item in Item.objects.filter(version_id=locked.round.instrument_version_id)}
        _submit(locked, items, actor)
        return locked


