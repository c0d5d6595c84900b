"""Writes for agreements: the library, drafting (every save an immutable version), review, execution."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import RestrictedError
from django.utils import timezone

from agreements import defaults
from agreements.models import (
    Agreement,
    AgreementPacket,
    AgreementParty,
    AgreementStatus,
    AgreementTemplate,
    AgreementVersion,
    Clause,
    PacketSection,
    ReviewComment,
    TemplateClause,
    TemplateVariable,
)
from agreements.placeholders import check
from agreements.sanitize import clean_html
from agreements.variables import BOOL, CHOICE, clean_value
from toolkit.history import save_validated as _save
from toolkit.permissions import Action, require
from toolkit.text import normalise_text, xml_safe

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
    return _new_version(actor=actor, agreement=agreement, title=title or agreement.title, variables=stored,
                        clauses=clauses, change_summary=change_summary)


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
    return _transition(actor, agreement, Action.EDIT_AGREEMENTS,
                       (AgreementStatus.DRAFT, AgreementStatus.CHANGES_REQUESTED), AgreementStatus.IN_REVIEW)


@transaction.atomic
def agreement_request_changes(*, actor: User, agreement: Agreement) -> Agreement:
    return _transition(actor, agreement, Action.REVIEW_AGREEMENTS, (AgreementStatus.IN_REVIEW,),
                       AgreementStatus.CHANGES_REQUESTED)


@transaction.atomic
def agreement_approve(*, actor: User, agreement: Agreement) -> Agreement:
    return _transition(actor, agreement, Action.REVIEW_AGREEMENTS, (AgreementStatus.IN_REVIEW,),
                       AgreementStatus.APPROVED)


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
    Agreement.objects.select_for_update().filter(pk=agreement.pk).first()  # signatures read under the lock
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
def comment_add(*, actor: User, version: AgreementVersion, clause_key: str, body: str) -> ReviewComment:
    require(actor, version.workgroup, Action.COMMENT_AGREEMENTS)
    if clause_key not in {clause["key"] for clause in version.clauses}:
        raise ValidationError({"clause_key": MSG_COMMENT_CLAUSE})
    if not body.strip():
        raise ValidationError({"body": MSG_COMMENT_EMPTY})
    return _save(ReviewComment(workgroup=version.workgroup, version=version, clause_key=clause_key,
                               author=actor, body=body.strip()), actor)


@transaction.atomic
def comment_resolve(*, actor: User, comment: ReviewComment) -> ReviewComment:
    require(actor, comment.workgroup, Action.COMMENT_AGREEMENTS)
    if comment.resolved_at is None:
        comment.resolved_at, comment.resolved_by = timezone.now(), actor
        _save(comment, actor)
    return comment


MAX_SCAN_BYTES = 20 * 1024 * 1024


@transaction.atomic
def agreement_attach_signed_scan(*, actor: User, agreement: Agreement, uploaded) -> Agreement:
    """Keep the signed agreement (a PDF) with an approved or executed agreement."""
    require(actor, agreement.workgroup, Action.EDIT_AGREEMENTS)
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if locked.status not in (AgreementStatus.APPROVED, AgreementStatus.EXECUTED):
        raise ValidationError("Attach the signed copy once the agreement is approved.")
    if uploaded.size > MAX_SCAN_BYTES:
        raise ValidationError("The file is larger than 20 MB.")
    head = uploaded.read(5)
    uploaded.seek(0)
    if head != b"%PDF-":
        raise ValidationError("Upload the signed agreement as a PDF file.")
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
