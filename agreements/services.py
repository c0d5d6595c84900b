"""Writes for agreements: the library, drafting (every save an immutable version), review, execution."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import RestrictedError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from agreements import defaults
from agreements.counsel import require_every_party_approved
from agreements.models import (
    Agreement,
    AgreementPacket,
    AgreementParty,
    AgreementStatus,
    AgreementTemplate,
    AgreementVersion,
    Clause,
    CommentReply,
    PacketSection,
    ReviewComment,
    ReviewDecision,
    TemplateClause,
    TemplateVariable,
)
from agreements.placeholders import check
from agreements.sanitize import clean_html
from agreements.selectors import comments_open_on
from agreements.variables import BOOL, CHOICE, clean_value
from toolkit.history import save_validated as _save
from toolkit.permissions import Action, can, require
from toolkit.text import normalise_text, xml_safe
from toolkit.uploads import check_pdf

if TYPE_CHECKING:
    from partners.models import Organization
    from toolkit.models import User, Workgroup

BUILT_IN_VALUES = frozenset({"agreement.title", "workgroup.name", "workgroup.jurisdiction", "parties", "party_count"})
BUILT_IN_FLAGS = {"has_substance_use_provider": None}

MSG_STALE = (
    "Someone else saved this agreement (version {current}) while you were editing version {base}. Your text is "
    "kept below: compare it with the latest version, then save again."
)
MSG_NOT_EDITABLE = "This agreement is {status}: it cannot be edited. Start a new draft from it instead."
MSG_NEEDS_PARTIES = "An agreement needs at least two parties."
MSG_OTHER_WORKGROUP = "That choice does not belong to this workgroup."
MSG_PARTY_TEXT = (
    "The {what} of “{organization}” cannot go into an agreement: {problem} "
    "Correct it on the partner map, then try again."
)
MSG_COMMENT_EMPTY = "Write the comment first."
MSG_COMMENT_CLAUSE = "That clause is not part of this version."
MSG_REPLY_EMPTY = "Write the reply first."
MSG_COMMENT_RESOLVED = "This comment is already resolved: reopen the discussion with a new comment."
MSG_OPEN_COMMENTS = (
    "{count} review comment{s} {are} still open on this version. Resolve {them} first, or record why you "
    "approve over {them}."
)
MSG_RESOLVE_OTHERS = (
    "Only the person who wrote this comment, or a legal reviewer, resolves it: it may hold up approval. "
    "Reply to say how it was answered instead."
)
QUOTE_MAX = 500
MSG_CLAUSE_IN_USE = "“{clause}” is part of the template{s} {templates}: take it out of {them} first."
MSG_TEMPLATE_IN_USE = (
    "{count} agreement{s} {were} drafted from “{template}”: the template stays as long as {they} do."
)


# --- Library ---------------------------------------------------------------------------------


def library_ensure_defaults(*, workgroup: Workgroup, actor: User | None = None) -> None:
    """Give a new workgroup its own copy of the default clauses and templates (idempotent).

    Runs once, as a setup step of ``workgroup_create`` (registered in ``apps.py``); workgroups that
    existed before got theirs from migration 0004. Pages never call it: what a coordinator deletes
    stays deleted.
    """
    if AgreementTemplate.objects.filter(workgroup=workgroup).exists():
        return
    with transaction.atomic():
        type(workgroup).objects.select_for_update().filter(pk=workgroup.pk).first()
        if AgreementTemplate.objects.filter(workgroup=workgroup).exists():
            return
        clauses = {}
        for spec in defaults.CLAUSES:
            clauses[spec.key] = _save(Clause(workgroup=workgroup, key=spec.key, title=spec.title,
                                             category=spec.category, body=clean_html(spec.body),
                                             guidance=spec.guidance, condition=spec.condition), actor)
        for spec in defaults.TEMPLATES:
            template = _save(AgreementTemplate(workgroup=workgroup, key=spec.key, name=spec.name, kind=spec.kind,
                                               description=spec.description), actor)
            TemplateClause.objects.bulk_create(
                TemplateClause(template=template, clause=clauses[key], order=order)
                for order, key in enumerate(spec.clauses)
            )
            TemplateVariable.objects.bulk_create(
                TemplateVariable(template=template, name=v.name, label=v.label, type=v.type, default=v.default,
                                 help=v.help, choices=list(v.choices), order=order)
                for order, v in enumerate(spec.variables)
            )


def _clause_in_use(clause: Clause) -> ValidationError | None:
    names = list(AgreementTemplate.objects.filter(template_clauses__clause=clause).order_by("name")
                 .values_list("name", flat=True))
    if not names:
        return None
    return ValidationError(MSG_CLAUSE_IN_USE.format(
        clause=clause.title, s="s" if len(names) > 1 else "", templates=", ".join(f"“{n}”" for n in names),
        them="them" if len(names) > 1 else "it"), code="in_use")


@transaction.atomic
def clause_delete(*, actor: User, clause: Clause) -> None:
    """Delete a clause from the library; refused while a template uses it (agreements keep their own copy)."""
    require(actor, clause.workgroup, Action.EDIT_AGREEMENTS)
    if (refusal := _clause_in_use(clause)) is not None:
        raise refusal
    clause._history_user = actor
    try:
        with transaction.atomic():
            clause.delete()
    except RestrictedError:  # a template took it up in the meantime
        raise _clause_in_use(clause) or ValidationError(
            f"“{clause.title}” is part of a template: take it out of it first.", code="in_use") from None


@transaction.atomic
def template_delete(*, actor: User, template: AgreementTemplate) -> None:
    """Delete a template; refused while agreements drafted from it exist. Its clauses stay in the library."""
    require(actor, template.workgroup, Action.EDIT_AGREEMENTS)
    count = template.agreements.count()
    if count:
        raise ValidationError(MSG_TEMPLATE_IN_USE.format(
            count=count, s="s" if count > 1 else "", were="were" if count > 1 else "was", template=template.name,
            they="they" if count > 1 else "it"), code="in_use")
    template._history_user = actor
    try:
        with transaction.atomic():
            template.delete()
    except RestrictedError:
        raise ValidationError(MSG_TEMPLATE_IN_USE.format(count=1, s="", were="was", template=template.name,
                                                         they="it"), code="in_use") from None


def language_for(template: AgreementTemplate) -> tuple[set[str], dict[str, frozenset[str] | None]]:
    """The names a clause of this template may use: its variables and the built-ins."""
    names = set(BUILT_IN_VALUES)
    flags: dict[str, frozenset[str] | None] = dict(BUILT_IN_FLAGS)
    for variable in template.variables.all():
        names.add(variable.name)
        if variable.type == BOOL:
            flags[variable.name] = None
        elif variable.type == CHOICE:
            flags[variable.name] = frozenset(variable.choices)
    return names, flags


def check_clause_text(body: str, *, template: AgreementTemplate) -> str:
    """Normalise the text, clean the HTML and check the placeholders; returns the cleaned text or raises.

    The normaliser runs first (Word's line breaks become newlines, which HTML reads as spaces; control
    characters are refused by name), so nh3 never sees a character it cannot encode. ``xml_safe`` then
    drops what nh3 itself makes of character references such as ``&#1;``.
    """
    cleaned = xml_safe(clean_html(normalise_text(body)))
    names, flags = language_for(template)
    problems = check(cleaned, names=names, flags=flags)
    if problems:
        raise ValidationError([str(problem) for problem in problems])
    return cleaned


# --- Drafting --------------------------------------------------------------------------------


def _clean_variables(template: AgreementTemplate, raw: dict[str, str]) -> dict[str, str]:
    stored, errors = {}, []
    for variable in template.variables.all():
        try:
            stored[variable.name] = clean_value(variable.type, raw.get(variable.name, variable.default),
                                                choices=tuple(variable.choices), label=variable.label)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return stored


def _snapshot_parties(agreement: Agreement) -> list[dict[str, Any]]:
    return [{"name": p.name, "signatory_name": p.signatory_name, "signatory_title": p.signatory_title,
             "substance_use": p.is_substance_use_provider, "organization_id": p.organization_id}
            for p in agreement.parties.all()]


def _one_line(field: str, value: str) -> str:
    """Single-line text of a version (title, change summary): normalised, or refused naming the field."""
    try:
        return normalise_text(value or "", multiline=False).strip()
    except ValidationError as exc:
        raise ValidationError({field: exc.error_list}) from None


def _party_text(value: str, *, what: str, organization: str) -> str:
    """Names copied from the partner map may predate the normaliser: clean them, or say where to fix them."""
    try:
        return normalise_text(value or "", multiline=False).strip()
    except ValidationError as exc:
        raise ValidationError(MSG_PARTY_TEXT.format(what=what, organization=xml_safe(organization),
                                                    problem=" ".join(exc.messages))) from None


def _new_version(*, actor: User, agreement: Agreement, title: str, variables: dict[str, str],
                 clauses: list[dict[str, str]], change_summary: str) -> AgreementVersion:
    agreement.current_version_number += 1
    agreement.title = title
    agreement.save(update_fields=["current_version_number", "title", "updated_at"])
    return AgreementVersion.objects.create(
        workgroup=agreement.workgroup, agreement=agreement, number=agreement.current_version_number, author=actor,
        change_summary=change_summary[:300], title=title, variables=variables, clauses=clauses,
        parties=_snapshot_parties(agreement),
    )


@transaction.atomic
def agreement_create(*, actor: User, workgroup: Workgroup, template: AgreementTemplate, title: str,
                     parties: list[dict[str, Any]], variables: dict[str, str] | None = None,
                     protocol=None) -> Agreement:
    """``parties``: [{"organization": Organization, "signatory_name": "", "signatory_title": "",
    "is_substance_use_provider": bool}], at least two, all of this workgroup."""
    require(actor, workgroup, Action.EDIT_AGREEMENTS)
    if template.workgroup_id != workgroup.pk or (protocol is not None and protocol.workgroup_id != workgroup.pk):
        raise ValidationError(MSG_OTHER_WORKGROUP)
    if len(parties) < 2:
        raise ValidationError(MSG_NEEDS_PARTIES)
    stored = _clean_variables(template, variables or {})
    agreement = _save(Agreement(workgroup=workgroup, title=_one_line("title", title), template=template,
                                protocol=protocol, protocol_version=_in_force(protocol)), actor)
    for order, party in enumerate(parties):
        organization: Organization = party["organization"]
        if organization.workgroup_id != workgroup.pk:
            raise ValidationError(MSG_OTHER_WORKGROUP)
        name = organization.name
        AgreementParty.objects.create(
            agreement=agreement, organization=organization, order=order,
            name=_party_text(name, what="name", organization=name),
            signatory_name=_party_text(party.get("signatory_name", ""), what="signatory's name", organization=name),
            signatory_title=_party_text(party.get("signatory_title", ""), what="signatory's title",
                                        organization=name),
            is_substance_use_provider=party.get("is_substance_use_provider", False),
        )
    clauses = [{"key": tc.clause.key, "title": tc.clause.title, "body": tc.clause.body,
                "condition": tc.clause.condition}
               for tc in template.template_clauses.select_related("clause")]
    _new_version(actor=actor, agreement=agreement, title=agreement.title, variables=stored, clauses=clauses,
                 change_summary="First draft from the template")
    return agreement


def _in_force(protocol):
    if protocol is None:
        return None
    from triage.selectors import version_in_force  # a read through triage's selectors, not its tables

    return version_in_force(protocol=protocol)


@transaction.atomic
def agreement_save(
    *, actor: User, agreement: Agreement, base_version_number: int, title: str, variables: dict[str, str],
    clause_bodies: dict[str, str], change_summary: str = "",
) -> AgreementVersion:
    """Save edits as a new immutable version. Refused when someone saved since ``base_version_number``."""
    require(actor, agreement.workgroup, Action.EDIT_AGREEMENTS)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if not agreement.is_editable:
        raise ValidationError(MSG_NOT_EDITABLE.format(status=agreement.get_status_display().lower()))
    if base_version_number != agreement.current_version_number:
        raise ValidationError(MSG_STALE.format(current=agreement.current_version_number, base=base_version_number),
                              code="stale")
    title = _one_line("title", title)
    change_summary = _one_line("change_summary", change_summary)
    latest = agreement.versions.get(number=agreement.current_version_number)
    stored = _clean_variables(agreement.template, {**latest.variables, **variables})
    clauses, errors = [], []
    for clause in latest.clauses:
        body = clause_bodies.get(clause["key"], clause["body"])
        try:
            body = check_clause_text(body, template=agreement.template)
        except ValidationError as exc:
            errors.extend(f"{clause['title']}: {message}" for message in exc.messages)
        clauses.append({**clause, "body": body})
    if errors:
        raise ValidationError(errors)
    version = _new_version(actor=actor, agreement=agreement, title=title or agreement.title, variables=stored,
                           clauses=clauses, change_summary=change_summary)
    changed = {c["key"] for c, before in zip(clauses, latest.clauses, strict=True) if c["body"] != before["body"]}
    if changed and ReviewComment.objects.filter(agreement=agreement, resolved_at__isnull=True,
                                                clause_key__in=changed).exists():
        from agreements.notices import COMMENT_ANSWERED, notice_enqueue

        notice_enqueue(agreement=agreement, kind=COMMENT_ANSWERED, version_number=version.number, actor=actor)
    return version


# --- Review and execution --------------------------------------------------------------------


def _transition(actor: User, agreement: Agreement, action: Action, allowed: tuple[str, ...], to: str) -> Agreement:
    require(actor, agreement.workgroup, action)
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if locked.status not in allowed:
        raise ValidationError(f"This agreement is {locked.get_status_display().lower()}; that step is not possible.")
    if to == AgreementStatus.APPROVED:
        locked.approved_at, locked.approved_by = timezone.now(), actor
    elif to != AgreementStatus.EXECUTED:  # back in drafting or review: the approval no longer stands
        locked.approved_at, locked.approved_by = None, None
    locked.status = to
    return _save(locked, actor)


@transaction.atomic
def agreement_submit(*, actor: User, agreement: Agreement) -> Agreement:
    from agreements.notices import SUBMITTED, notice_enqueue

    locked = _transition(actor, agreement, Action.EDIT_AGREEMENTS,
                         (AgreementStatus.DRAFT, AgreementStatus.CHANGES_REQUESTED), AgreementStatus.IN_REVIEW)
    notice_enqueue(agreement=locked, kind=SUBMITTED, version_number=locked.current_version_number, actor=actor)
    return locked


def _open_comment_count(agreement: Agreement) -> int:
    """Open comments on the current version: raised on it or on any earlier one and not resolved."""
    return comments_open_on(agreement_id=agreement.pk, version_number=agreement.current_version_number).count()


@transaction.atomic
def agreement_request_changes(*, actor: User, agreement: Agreement, note: str = "") -> Agreement:
    """Send the current version back to the drafters; ``note`` says what to change (kept with the decision)."""
    from agreements.notices import CHANGES_REQUESTED, notice_enqueue

    locked = _transition(actor, agreement, Action.REVIEW_AGREEMENTS, (AgreementStatus.IN_REVIEW,),
                         AgreementStatus.CHANGES_REQUESTED)
    version = locked.versions.get(number=locked.current_version_number)
    _save(ReviewDecision(workgroup=locked.workgroup, agreement=locked, version=version, reviewer=actor,
                         decision=ReviewDecision.Kind.CHANGES_REQUESTED, note=note.strip(),
                         open_comments=0), actor)
    notice_enqueue(agreement=locked, kind=CHANGES_REQUESTED, version_number=version.number, actor=actor)
    return locked


@transaction.atomic
def agreement_approve(*, actor: User, agreement: Agreement, override_reason: str = "") -> Agreement:
    """Approve the current version. Refused while comments are open, unless the reviewer records why they approve
    over them; the reason and the number of comments left open are kept with the version's decision."""
    require(actor, agreement.workgroup, Action.REVIEW_AGREEMENTS)
    current = Agreement.objects.select_for_update().get(pk=agreement.pk)  # comments counted under the lock
    if current.status != AgreementStatus.IN_REVIEW:  # the step itself first: "not possible" beats "comments open"
        raise ValidationError(f"This agreement is {current.get_status_display().lower()}; that step is not possible.")
    open_count = _open_comment_count(current)
    reason = override_reason.strip() if open_count else ""  # resolved meanwhile: nothing to approve over
    if open_count and not reason:
        raise ValidationError({"override_reason": MSG_OPEN_COMMENTS.format(
            count=open_count, s="s" if open_count != 1 else "", are="are" if open_count != 1 else "is",
            them="them" if open_count != 1 else "it")}, code="open_comments")
    locked = _transition(actor, agreement, Action.REVIEW_AGREEMENTS, (AgreementStatus.IN_REVIEW,),
                         AgreementStatus.APPROVED)
    version = locked.versions.get(number=locked.current_version_number)
    _save(ReviewDecision(workgroup=locked.workgroup, agreement=locked, version=version, reviewer=actor,
                         decision=ReviewDecision.Kind.APPROVED, open_comments=open_count,
                         override_reason=reason), actor)
    return locked


@transaction.atomic
def party_record_signature(*, actor: User, party: AgreementParty, signed_on: date) -> AgreementParty:
    agreement = Agreement.objects.get(pk=party.agreement_id)
    require(actor, agreement.workgroup, Action.EDIT_AGREEMENTS)
    if agreement.status != AgreementStatus.APPROVED:
        raise ValidationError("Signatures are recorded on an approved agreement.")
    if signed_on > timezone.localdate():
        raise ValidationError("A signature date cannot be in the future.")
    party.signed_on = signed_on
    party.save(update_fields=["signed_on"])
    return party


@transaction.atomic
def agreement_execute(*, actor: User, agreement: Agreement) -> Agreement:
    require(actor, agreement.workgroup, Action.EDIT_AGREEMENTS)
    # Counsel approvals and signatures are read under the lock.
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    require_every_party_approved(version=locked.versions.get(number=locked.current_version_number))
    unsigned = [p.name for p in AgreementParty.objects.filter(agreement=agreement, signed_on__isnull=True)]
    if unsigned:
        raise ValidationError("Record every party's signature date first: " + ", ".join(unsigned) + ".")
    return _transition(actor, agreement, Action.EDIT_AGREEMENTS, (AgreementStatus.APPROVED,),
                       AgreementStatus.EXECUTED)


@transaction.atomic
def agreement_new_draft(*, actor: User, agreement: Agreement) -> AgreementVersion:
    """Approved and executed agreements never change; revising starts a new draft version from them."""
    require(actor, agreement.workgroup, Action.EDIT_AGREEMENTS)
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if locked.status not in (AgreementStatus.APPROVED, AgreementStatus.EXECUTED):
        raise ValidationError("Only an approved or executed agreement starts a new draft.")
    latest = locked.versions.get(number=locked.current_version_number)
    locked.status = AgreementStatus.DRAFT
    locked.approved_at, locked.approved_by = None, None
    _save(locked, actor)
    locked.parties.update(signed_on=None)
    return _new_version(actor=actor, agreement=locked, title=latest.title, variables=dict(latest.variables),
                        clauses=list(latest.clauses), change_summary=f"New draft from version {latest.number}")


@transaction.atomic
def comment_add(*, actor: User, version: AgreementVersion, clause_key: str, body: str,
                quote: str = "") -> ReviewComment:
    """A comment on one clause of ``version``, optionally on a quoted passage; open on later versions until
    resolved."""
    require(actor, version.workgroup, Action.COMMENT_AGREEMENTS)
    if clause_key not in {clause["key"] for clause in version.clauses}:
        raise ValidationError({"clause_key": MSG_COMMENT_CLAUSE})
    if not body.strip():
        raise ValidationError({"body": MSG_COMMENT_EMPTY})
    quote = " ".join(quote.split())
    if len(quote) > QUOTE_MAX:
        raise ValidationError({"quote": f"Quote at most {QUOTE_MAX} characters of the clause."})
    return _save(ReviewComment(workgroup=version.workgroup, agreement_id=version.agreement_id, version=version,
                               clause_key=clause_key, quote=quote, author=actor, body=body.strip()), actor)


@transaction.atomic
def comment_reply(*, actor: User, comment: ReviewComment, body: str) -> CommentReply:
    """Add to a comment's thread (an answer from the drafter, a follow-up from the reviewer)."""
    require(actor, comment.workgroup, Action.COMMENT_AGREEMENTS)
    if not body.strip():
        raise ValidationError({"body": MSG_REPLY_EMPTY})
    locked = ReviewComment.objects.select_for_update().select_related("agreement").get(pk=comment.pk)
    if locked.resolved_at is not None:
        raise ValidationError({"body": MSG_COMMENT_RESOLVED})
    return _reply(locked, actor, body)


def _reply(comment: ReviewComment, actor: User, body: str) -> CommentReply:
    """A reply in the thread, noting the version the author was reading (the comment's agreement is loaded)."""
    return _save(CommentReply(workgroup=comment.workgroup, comment=comment, author=actor, body=body.strip(),
                              version_number=comment.agreement.current_version_number), actor)


@transaction.atomic
def comment_resolve(*, actor: User, comment: ReviewComment, reply: str = "") -> ReviewComment:
    """Resolve a comment (who, when, on which version), with an optional last word in its thread. Idempotent."""
    require(actor, comment.workgroup, Action.COMMENT_AGREEMENTS)
    locked = ReviewComment.objects.select_for_update().select_related("agreement").get(pk=comment.pk)
    if locked.author_id != actor.pk and not can(actor, comment.workgroup, Action.REVIEW_AGREEMENTS):
        # Open comments block approval: a partner member closing counsel's comment would lift that silently.
        raise ValidationError(MSG_RESOLVE_OTHERS)
    if locked.resolved_at is None:
        if reply.strip():
            _reply(locked, actor, reply)
        locked.resolved_at, locked.resolved_by = timezone.now(), actor
        locked.resolved_on_version = locked.agreement.current_version_number
        _save(locked, actor)
    return locked


MAX_SCAN_BYTES = 20 * 1024 * 1024
MSG_SCAN_NOT_YET = "Attach the signed copy once the agreement is approved."
MSG_SCAN_EMPTY = "That file is empty: choose the signed PDF to upload."
MSG_SCAN_TOO_BIG = "The file is {size}; a signed copy can be at most {limit}. Scan it at a lower resolution."


@transaction.atomic
def agreement_attach_signed_scan(*, actor: User, agreement: Agreement, uploaded) -> Agreement:
    """Keep the signed agreement (a PDF) with an approved or executed agreement.

    The size is checked before anything is read; then the content, by the same PDF check as incident
    attachments (``toolkit.uploads.check_pdf``): a damaged file, a web page behind a PDF header, or a PDF that
    runs scripts, starts programs or carries files is refused and nothing is stored."""
    require(actor, agreement.workgroup, Action.EDIT_AGREEMENTS)
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if locked.status not in (AgreementStatus.APPROVED, AgreementStatus.EXECUTED):
        raise ValidationError(MSG_SCAN_NOT_YET)
    if not uploaded.size:
        raise ValidationError({"file": MSG_SCAN_EMPTY}, code="empty")
    if uploaded.size > MAX_SCAN_BYTES:
        raise ValidationError({"file": MSG_SCAN_TOO_BIG.format(size=filesizeformat(uploaded.size),
                                                               limit=filesizeformat(MAX_SCAN_BYTES))},
                              code="too_big")
    check_pdf(uploaded)
    # The copy it replaces is deleted by django-cleanup once this transaction commits, never before:
    # a refused or rolled-back upload leaves the signed copy on record untouched.
    locked.signed_scan.save(f"agreement-{locked.pk}-signed.pdf", uploaded, save=False)
    locked._history_user = actor
    locked.save(update_fields=["signed_scan", "updated_at"])
    return locked


# --- Agreement packets ------------------------------------------------------------------------------


@transaction.atomic
def packet_request(*, actor: User, agreement: Agreement, version: AgreementVersion,
                   sections: list[str], as_zip: bool = False) -> tuple[AgreementPacket, bool]:
    """Ask for a packet of ``version``; returns (packet, created).

    A packet of the same version with the same sections that is still queued or being built is returned
    instead of starting another (a double click, two reviewers at once): the agreement row is locked while
    we look. Otherwise a packet and its job are recorded; the job is queued once the rows are committed.
    """
    from agreements import packets
    from toolkit.models import JobStatus
    from toolkit.services import job_create

    require(actor, agreement.workgroup, Action.EXPORT_AGREEMENTS)
    require(actor, agreement.workgroup, Action.RUN_JOBS)  # a packet is a new row: not in an archived workgroup
    if version.agreement_id != agreement.pk:
        raise ValidationError("That version belongs to another agreement.")
    chosen = packets.normalise_sections(sections)
    allowed = {section.value for section in packets.available_sections(agreement, version)}
    if not_here := [section for section in chosen if section not in allowed]:
        labels = dict(PacketSection.choices)
        raise ValidationError({"sections": "This version cannot have: "
                               + "; ".join(labels[section] for section in not_here) + "."})
    key = packets.options_key(chosen, as_zip=as_zip)
    Agreement.objects.select_for_update().filter(pk=agreement.pk).first()
    running = (AgreementPacket.objects.filter(version=version, options_key=key,
                                              job__status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
               .order_by("-created_at").first())
    if running is not None:
        return running, False
    packet = AgreementPacket(workgroup=agreement.workgroup, agreement=agreement, version=version, sections=chosen,
                             options_key=key, as_zip=as_zip, requested_by=actor)
    _save(packet, actor)
    packet.job = job_create(actor=actor, workgroup=agreement.workgroup, kind=packets.KIND,
                            params={"packet_id": packet.pk})
    _save(packet, actor)
    return packet, True


@transaction.atomic
def packet_retry(*, actor: User, packet: AgreementPacket) -> AgreementPacket:
    """Build a failed packet again (a new job; the packet follows it)."""
    from toolkit.services import job_retry

    require(actor, packet.workgroup, Action.EXPORT_AGREEMENTS)
    require(actor, packet.workgroup, Action.RUN_JOBS)  # a new build: not in an archived workgroup
    locked = AgreementPacket.objects.select_for_update(of=("self",)).select_related("job").get(pk=packet.pk)
    if locked.job is None:
        raise ValidationError("This packet has no build to retry; ask for a new packet.")
    locked.job = job_retry(actor=actor, job=locked.job)
    _save(locked, actor)
    return locked


@transaction.atomic
def packet_delete(*, actor: User, packet: AgreementPacket) -> None:
    """Delete a packet, its job and its file (the file once the deletion commits). Recorded in the audit trail."""
    from toolkit.models import Job, JobStatus

    require(actor, packet.workgroup, Action.EDIT_AGREEMENTS)
    locked = AgreementPacket.objects.select_for_update(of=("self",)).select_related("job").get(pk=packet.pk)
    if locked.job is not None and locked.job.status in (JobStatus.QUEUED, JobStatus.RUNNING):
        raise ValidationError("This packet is still being built; delete it once it has finished.")
    job_id = locked.job_id
    locked._history_user = actor
    locked.delete()
    if job_id:
        Job.objects.filter(pk=job_id).delete()
