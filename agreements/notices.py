"""E-mail notices of legal review, sent by Celery once the change that causes them is committed.

Three moments: an agreement is submitted for review (to the workgroup's legal reviewers), changes are
requested (to the people who drafted it), and a new version changes a clause that has an open comment
(to each comment's author). Only people who are still members with the right role, an e-mail address
and an active account are written to; the person who caused the notice is never told about their own act.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from agreements.models import Agreement, AgreementVersion, ReviewDecision
from agreements.selectors import comments_open_on
from toolkit.models import Membership, Role, User
from toolkit.permissions import Action, role_allows
from toolkit.text import xml_safe

logger = logging.getLogger(__name__)

SUBMITTED = "submitted"
CHANGES_REQUESTED = "changes_requested"
COMMENT_ANSWERED = "comment_answered"
KINDS = (SUBMITTED, CHANGES_REQUESTED, COMMENT_ANSWERED)


@dataclass(frozen=True)
class Notice:
    to: str
    subject: str
    body: str


def notice_enqueue(*, agreement: Agreement, kind: str, version_number: int, actor: User | None) -> None:
    """Queue a notice for after the commit (nothing is sent for a change that rolls back)."""
    from agreements.tasks import send_review_notice

    assert kind in KINDS
    actor_id = actor.pk if actor is not None else None
    transaction.on_commit(lambda: send_review_notice.delay(agreement.pk, kind, version_number, actor_id))


def _members_allowed(agreement: Agreement, action: Action, user_ids: set[int] | None = None) -> list[Membership]:
    """Active members of the agreement's workgroup with an e-mail address whose role allows ``action``."""
    memberships = (Membership.objects.filter(workgroup_id=agreement.workgroup_id, user__is_active=True)
                   .exclude(user__email="").select_related("user").order_by("user_id"))
    if user_ids is not None:
        memberships = memberships.filter(user_id__in=user_ids)
    return [m for m in memberships if role_allows(m.role, action)]


def _recipients(agreement: Agreement, kind: str, version: AgreementVersion) -> dict[int, tuple[User, list[str]]]:
    """{user id: (user, the clause titles that concern them)}."""
    if kind == SUBMITTED:
        # Legal reviewers; coordinators may review too, but they are told only when the workgroup has no reviewer.
        reviewers = _members_allowed(agreement, Action.REVIEW_AGREEMENTS)
        chosen = [m for m in reviewers if m.role == Role.LEGAL_REVIEWER] or reviewers
        return {m.user_id: (m.user, []) for m in chosen}
    if kind == CHANGES_REQUESTED:
        authors = set(agreement.versions.exclude(author=None).values_list("author_id", flat=True))
        return {m.user_id: (m.user, []) for m in _members_allowed(agreement, Action.EDIT_AGREEMENTS, authors)}
    # COMMENT_ANSWERED: the authors of open comments on clauses this version changed.
    previous = agreement.versions.filter(number=version.number - 1).first()
    if previous is None:
        return {}
    before = {c["key"]: c["body"] for c in previous.clauses}
    changed = {c["key"]: c["title"] for c in version.clauses if before.get(c["key"]) != c["body"]}
    comments = (comments_open_on(agreement_id=agreement.pk, version_number=previous.number)
                .filter(clause_key__in=list(changed)).exclude(author=None).values_list("author_id", "clause_key"))
    titles: dict[int, list[str]] = {}
    for author_id, key in comments:
        if changed[key] not in titles.setdefault(author_id, []):
            titles[author_id].append(changed[key])
    people = _members_allowed(agreement, Action.COMMENT_AGREEMENTS, set(titles))
    return {m.user_id: (m.user, titles[m.user_id]) for m in people}


def review_notices(*, agreement: Agreement, kind: str, version_number: int, actor_id: int | None,
                   base_url: str | None = None) -> list[Notice]:
    """The notices to send (pure reads; ``review_notice_send`` sends them)."""
    version = agreement.versions.filter(number=version_number).first()
    if version is None:
        return []
    base_url = (base_url or settings.SITE_URL).rstrip("/")
    url = base_url + reverse("agreements:review", kwargs={"slug": agreement.workgroup.slug,
                                                          "agreement_id": agreement.pk})
    decision = None
    if kind == CHANGES_REQUESTED:
        decision = (ReviewDecision.objects.filter(version=version, decision=ReviewDecision.Kind.CHANGES_REQUESTED)
                    .order_by("-created_at", "-id").first())
    subjects = {
        SUBMITTED: f"For legal review: {agreement.title} (version {version.number})",
        CHANGES_REQUESTED: f"Changes requested: {agreement.title} (version {version.number})",
        COMMENT_ANSWERED: f"Version {version.number} of {agreement.title} changes a clause you commented on",
    }
    notices = []
    for user_id, (user, clause_titles) in _recipients(agreement, kind, version).items():
        if user_id == actor_id:
            continue
        body = xml_safe(render_to_string("agreements/email/review_notice.txt", {
            "kind": kind, "person": user, "agreement": agreement, "version": version, "url": url,
            "clause_titles": clause_titles, "decision": decision, "workgroup": agreement.workgroup,
        }))
        notices.append(Notice(to=user.email, subject=xml_safe(subjects[kind]), body=body))
    return notices


def review_notice_send(*, agreement_id: int, kind: str, version_number: int, actor_id: int | None,
                       base_url: str | None = None) -> int:
    """Send one moment's notices; returns how many were sent. A failed address is logged and skipped."""
    agreement = Agreement.objects.select_related("workgroup").filter(pk=agreement_id).first()
    if agreement is None or agreement.workgroup.archived_at is not None:
        return 0
    sent = 0
    for notice in review_notices(agreement=agreement, kind=kind, version_number=version_number,
                                 actor_id=actor_id, base_url=base_url):
        try:
            send_mail(notice.subject, notice.body, None, [notice.to], fail_silently=False)
        except (OSError, smtplib.SMTPException, ValueError) as exc:
            logger.warning("Review notice (%s) to %s failed: %s", kind, notice.to, exc)
            continue
        sent += 1
    return sent
