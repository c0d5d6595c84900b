"""Writes for assessment rounds: opening and closing, respondents, one-time links, answers, reminders.

One-time links carry a signed token naming the respondent, the workgroup and a random nonce
stored on the respondent. Sending a new link rotates the nonce (old links stop working);
submitting locks the answers (the link then only says thank you); the link stops working a
grace period after the due date, or when the round closes.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from readiness.messages import (
    MSG_ALREADY_RESPONDENT,
    MSG_ALREADY_SUBMITTED,
    MSG_ANSWER_INVALID,
    MSG_CONTACT_NO_EMAIL,
    MSG_DUE_DATE_PAST,
    MSG_EMAIL_FAILED,
    MSG_LINK_EXPIRED,
    MSG_LINK_INVALID,
    MSG_LINK_REPLACED,
    MSG_LINK_ROUND_CLOSED,
    MSG_LINK_SUBMITTED,
    MSG_NOT_A_MEMBER,
    MSG_NOTHING_SELECTED,
    MSG_RESPONDENT_SUBMITTED,
    MSG_ROLE_REQUIRED,
    MSG_ROUND_ALREADY_OPEN,
    MSG_ROUND_CLOSED,
    MSG_UNANSWERED,
    MSG_VERSION_NOT_PUBLISHED,
)
from readiness.models import (
    SCORED_TYPES,
    Answer,
    AnswerType,
    AssessmentRound,
    InstrumentStatus,
    InstrumentVersion,
    Item,
    Respondent,
    RoundStatus,
)
from readiness.scoring import AGREEMENT_CHOICES, UNSURE, YES_PARTLY_NO_SCORES
from toolkit.history import save_validated as _save
from toolkit.models import Membership
from toolkit.permissions import Action, can, require

if TYPE_CHECKING:
    from partners.models import Contact, Organization
    from toolkit.models import User, Workgroup

logger = logging.getLogger(__name__)

LINK_SALT = "readiness.respondent-link"
REMINDER_GAP = timedelta(hours=20)  # at most one reminder a day, however often the task runs
DUE_SOON = timedelta(days=3)

VALID_CHOICES = {
    AnswerType.AGREEMENT: set(AGREEMENT_CHOICES) | {UNSURE},
    AnswerType.YES_PARTLY_NO: set(YES_PARTLY_NO_SCORES) | {UNSURE},
}


# --- Rounds -----------------------------------------------------------------------------------


def _link_expiry(due_date: date) -> datetime:
    end_of_due_day = timezone.make_aware(datetime.combine(due_date, time.max))
    return end_of_due_day + settings.READINESS_LINK_GRACE


def _check_due_date(due_date: date) -> None:
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": MSG_DUE_DATE_PAST})


@transaction.atomic
def round_open(
    *,
    actor: User,
    workgroup: Workgroup,
    instrument_version: InstrumentVersion,
    title: str,
    scope_statement: str,
    goal: str,
    due_date: date,
    action_threshold: Decimal = Decimal("3.00"),
) -> AssessmentRound:
    require(actor, workgroup, Action.MANAGE_READINESS)
    if instrument_version.workgroup_id != workgroup.pk or instrument_version.status != InstrumentStatus.PUBLISHED:
        raise ValidationError({"instrument_version": MSG_VERSION_NOT_PUBLISHED})
    _check_due_date(due_date)
    return _save(
        AssessmentRound(workgroup=workgroup, instrument_version=instrument_version, title=title.strip(),
                        scope_statement=scope_statement, goal=goal, due_date=due_date,
                        action_threshold=action_threshold, created_by=actor),
        actor,
    )


def _lock_round(round_: AssessmentRound) -> AssessmentRound:
    return AssessmentRound.objects.select_for_update().select_related("workgroup").get(pk=round_.pk)


@transaction.atomic
def round_update(
    *, actor: User, round: AssessmentRound, title: str, scope_statement: str, due_date: date,
    action_threshold: Decimal,
) -> AssessmentRound:
    """Change the details; a new due date moves the expiry of every unanswered link with it."""
    require(actor, round.workgroup, Action.MANAGE_READINESS)
    locked = _lock_round(round)
    if due_date != locked.due_date:
        _check_due_date(due_date)
        locked.respondents.filter(user__isnull=True, submitted_at__isnull=True).update(
            link_expires_at=_link_expiry(due_date)
        )
    locked.title, locked.scope_statement = title.strip(), scope_statement
    locked.due_date, locked.action_threshold = due_date, action_threshold
    return _save(locked, actor)


@transaction.atomic
def round_close(*, actor: User, round: AssessmentRound) -> AssessmentRound:
    """Stop taking answers; results count submitted responses only."""
    require(actor, round.workgroup, Action.MANAGE_READINESS)
    locked = _lock_round(round)
    if not locked.is_open:
        return locked
    locked.status = RoundStatus.CLOSED
    locked.closed_at = timezone.now()
    return _save(locked, actor)


@transaction.atomic
def round_reopen(*, actor: User, round: AssessmentRound, due_date: date) -> AssessmentRound:
    require(actor, round.workgroup, Action.MANAGE_READINESS)
    locked = _lock_round(round)
    if locked.is_open:
        raise ValidationError(MSG_ROUND_ALREADY_OPEN, code="already_open")
    _check_due_date(due_date)
    locked.status, locked.closed_at, locked.due_date = RoundStatus.OPEN, None, due_date
    locked.respondents.filter(user__isnull=True, submitted_at__isnull=True).update(
        link_expires_at=_link_expiry(due_date)
    )
    return _save(locked, actor)


# --- Links --------------------------------------------------------------------------------------


def respondent_token(respondent: Respondent) -> str:
    return signing.dumps(
        {"r": respondent.pk, "w": respondent.workgroup_id, "n": respondent.token_nonce}, salt=LINK_SALT, compress=True
    )


def respondent_link(respondent: Respondent, *, base_url: str) -> str:
    path = reverse("readiness-public:respond", kwargs={"slug": respondent.workgroup.slug,
                                                       "token": respondent_token(respondent)})
    return base_url.rstrip("/") + path


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
        Respondent.objects.select_related("round", "workgroup", "round__instrument_version")
        .filter(pk=data["r"], workgroup_id=data["w"], workgroup__slug=slug, user__isnull=True)
        .first()
    )
    if respondent is None:
        raise ValidationError(MSG_LINK_INVALID, code="invalid")
    if not respondent.token_nonce or not secrets.compare_digest(respondent.token_nonce, data["n"]):
        raise ValidationError(MSG_LINK_REPLACED, code="replaced")
    if respondent.is_submitted:
        raise ValidationError(MSG_LINK_SUBMITTED, code="submitted")
    if not respondent.round.is_open:
        raise ValidationError(MSG_LINK_ROUND_CLOSED, code="closed")
    if respondent.link_expired:
        raise ValidationError(MSG_LINK_EXPIRED, code="expired")
    return respondent


def _send(subject: str, template: str, context: dict, to: str) -> None:
    body = render_to_string(template, context)
    try:
        send_mail(subject, body, None, [to], fail_silently=False)
    except (OSError, smtplib.SMTPException) as exc:
        logger.warning("Readiness e-mail to %s failed: %s", to, exc)
        raise ValidationError(MSG_EMAIL_FAILED, code="email_failed") from exc


def _questionnaire_url(respondent: Respondent, base_url: str) -> str:
    if respondent.uses_link:
        return respondent_link(respondent, base_url=base_url)
    return base_url.rstrip("/") + reverse(
        "readiness:respond", kwargs={"slug": respondent.workgroup.slug, "pk": respondent.round_id}
    )


def _send_invitation(respondent: Respondent, *, base_url: str, inviter: User) -> None:
    round_ = respondent.round
    _send(
        f"Readiness self-assessment: {round_.title}",
        "readiness/email/invitation.txt",
        {"respondent": respondent, "round": round_, "workgroup": respondent.workgroup, "inviter": inviter,
         "link": _questionnaire_url(respondent, base_url)},
        respondent.email,
    )


# --- Respondents ------------------------------------------------------------------------------


def _open_round_for_invites(actor: User, round_: AssessmentRound) -> AssessmentRound:
    require(actor, round_.workgroup, Action.MANAGE_READINESS)
    locked = _lock_round(round_)
    if not locked.is_open:
        raise ValidationError(MSG_ROUND_CLOSED, code="closed")
    return locked


def _refuse_duplicate(round_: AssessmentRound, *, email: str, name: str, user: User | None = None) -> None:
    existing = round_.respondents.filter(email__iexact=email)
    if user is not None:
        existing = round_.respondents.filter(user=user) | existing
    if existing.exists():
        raise ValidationError(MSG_ALREADY_RESPONDENT.format(name=name), code="duplicate")


def _organization_name(organization: Organization | None) -> str:
    return organization.name if organization is not None else ""


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
    for user in users:
        if not Membership.objects.filter(workgroup=round_.workgroup, user=user).exists():
            raise ValidationError(MSG_NOT_A_MEMBER.format(name=user), code="not_member")
        _refuse_duplicate(round_, email=user.email, name=str(user), user=user)
    created = []
    for user in users:
        respondent = _save(
            Respondent(workgroup=round_.workgroup, round=round_, user=user, name=str(user), email=user.email,
                       invited_by=actor),
            actor,
        )
        _send_invitation(respondent, base_url=base_url, inviter=actor)
        created.append(respondent)
    return created


def _new_link_respondent(actor: User, round_: AssessmentRound, **fields) -> Respondent:
    return _save(
        Respondent(workgroup=round_.workgroup, round=round_, invited_by=actor, token_nonce=secrets.token_hex(16),
                   link_expires_at=_link_expiry(round_.due_date), **fields),
        actor,
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
    emails: set[str] = set()
    for contact in contacts:
        if contact.workgroup_id != round_.workgroup_id:
            raise ValidationError("That contact does not belong to this workgroup.")
        if not contact.email:
            raise ValidationError(MSG_CONTACT_NO_EMAIL.format(name=contact.name), code="no_email")
        _refuse_duplicate(round_, email=contact.email, name=contact.name)
        if contact.email.lower() in emails:  # two contacts sharing one address: one questionnaire
            raise ValidationError(MSG_ALREADY_RESPONDENT.format(name=contact.name), code="duplicate")
        emails.add(contact.email.lower())
    created = []
    for contact in contacts:
        respondent = _new_link_respondent(
            actor, round_, contact=contact, name=contact.name, email=contact.email.lower(),
            organization=contact.organization, organization_name=contact.organization.name,
            role_title=contact.title,
        )
        _send_invitation(respondent, base_url=base_url, inviter=actor)
        created.append(respondent)
    return created


@transaction.atomic
def respondent_invite_person(
    *, actor: User, round: AssessmentRound, name: str, email: str, organization: Organization | None,
    role_title: str = "", base_url: str,
) -> Respondent:
    """Someone who is neither a member nor in the partner directory, reached by a one-time link."""
    round_ = _open_round_for_invites(actor, round)
    if organization is not None and organization.workgroup_id != round_.workgroup_id:
        raise ValidationError({"organization": "Choose an organization from this workgroup."})
    email = email.strip().lower()
    _refuse_duplicate(round_, email=email, name=name)
    respondent = _new_link_respondent(
        actor, round_, name=name.strip(), email=email, organization=organization,
        organization_name=_organization_name(organization), role_title=role_title.strip(),
    )
    _send_invitation(respondent, base_url=base_url, inviter=actor)
    return respondent


def _lock_respondent(respondent: Respondent) -> Respondent:
    # of=("self",): PostgreSQL cannot lock the nullable side of the outer join to ``user``.
    return (
        Respondent.objects.select_for_update(of=("self",))
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
    if not respondent.round.is_open:
        raise ValidationError(MSG_ROUND_CLOSED, code="closed")
    if respondent.uses_link:
        respondent.token_nonce = secrets.token_hex(16)
        respondent.link_expires_at = _link_expiry(respondent.round.due_date)
        _save(respondent, actor)
    _send_invitation(respondent, base_url=base_url, inviter=actor)
    return respondent


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
        respondent.organization, respondent.organization_name = organization, organization.name
    if role_title is not None:
        respondent.role_title = role_title.strip()
    respondent.started_at = respondent.started_at or timezone.now()
    _save(respondent, actor)
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


# --- Reminders --------------------------------------------------------------------------------


def round_send_reminders(
    *, round: AssessmentRound, base_url: str | None = None, now: datetime | None = None,
    actor: User | None = None,
) -> int:
    """E-mail everyone who has not submitted (at most once a day each). Returns how many were sent.

    Safe to run twice: a respondent reminded in the last REMINDER_GAP is skipped. Each reminder
    is its own transaction, so one refused address does not stop the others.
    """
    if actor is not None:
        require(actor, round.workgroup, Action.MANAGE_READINESS)
    now = now or timezone.now()
    base_url = base_url or settings.SITE_URL
    sent = 0
    pending = Respondent.objects.filter(round=round, submitted_at__isnull=True).values_list("pk", flat=True)
    for pk in list(pending):
        with transaction.atomic():
            respondent = Respondent.objects.select_for_update().select_related("round", "workgroup").get(pk=pk)
            if (
                respondent.is_submitted
                or not respondent.round.is_open
                or (respondent.last_reminded_at and now - respondent.last_reminded_at < REMINDER_GAP)
                or (respondent.uses_link and respondent.link_expires_at and respondent.link_expires_at <= now)
            ):
                continue
            if respondent.user_id and not Membership.objects.filter(
                workgroup=respondent.workgroup, user_id=respondent.user_id
            ).exists():
                continue  # left the workgroup since being invited
            try:
                _send(
                    f"Reminder: readiness self-assessment due {respondent.round.due_date:%-d %B %Y}",
                    "readiness/email/reminder.txt",
                    {"respondent": respondent, "round": respondent.round, "workgroup": respondent.workgroup,
                     "link": _questionnaire_url(respondent, base_url)},
                    respondent.email,
                )
            except ValidationError:
                continue
            respondent.last_reminded_at = now
            respondent.reminders_sent += 1
            respondent.save(update_fields=["last_reminded_at", "reminders_sent", "updated_at"])
            sent += 1
    return sent


def rounds_send_due_reminders(*, now: datetime | None = None) -> int:
    """For the daily beat task: remind non-respondents of open rounds due within three days."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rounds = AssessmentRound.objects.filter(status=RoundStatus.OPEN, due_date__gte=today,
                                            due_date__lte=today + DUE_SOON)
    return sum(round_send_reminders(round=r, now=now) for r in rounds)
