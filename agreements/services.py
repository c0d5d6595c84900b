"""Writes for agreements: the library, drafting (every save an immutable version), review, execution."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agreements import defaults
from agreements.models import (
    Agreement,
    AgreementParty,
    AgreementStatus,
    AgreementTemplate,
    AgreementVersion,
    Clause,
    ReviewComment,
    TemplateClause,
    TemplateVariable,
)
from agreements.placeholders import check
from agreements.sanitize import clean_html
from agreements.variables import BOOL, CHOICE, clean_value
from toolkit.history import save_validated as _save
from toolkit.permissions import Action, require

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


# --- Library ---------------------------------------------------------------------------------


def library_ensure_defaults(*, workgroup: Workgroup, actor: User | None = None) -> None:
    """Give the workgroup its own copy of the default clauses and templates (idempotent)."""
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
    """Clean the HTML and check the placeholders; returns the cleaned text or raises with positions."""
    cleaned = clean_html(body)
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
             "substance_use": p.is_substance_use_provider} for p in agreement.parties.all()]


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
    agreement = _save(Agreement(workgroup=workgroup, title=title.strip(), template=template, protocol=protocol,
                                protocol_version=_in_force(protocol)), actor)
    for order, party in enumerate(parties):
        organization: Organization = party["organization"]
        if organization.workgroup_id != workgroup.pk:
            raise ValidationError(MSG_OTHER_WORKGROUP)
        AgreementParty.objects.create(
            agreement=agreement, organization=organization, name=organization.name, order=order,
            signatory_name=party.get("signatory_name", ""), signatory_title=party.get("signatory_title", ""),
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
    return _new_version(actor=actor, agreement=agreement, title=title.strip() or agreement.title, variables=stored,
                        clauses=clauses, change_summary=change_summary)


# --- Review and execution --------------------------------------------------------------------


def _transition(actor: User, agreement: Agreement, action: Action, allowed: tuple[str, ...], to: str) -> Agreement:
    require(actor, agreement.workgroup, action)
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if locked.status not in allowed:
        raise ValidationError(f"This agreement is {locked.get_status_display().lower()}; that step is not possible.")
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
    _save(locked, actor)
    locked.parties.update(signed_on=None)
    return _new_version(actor=actor, agreement=locked, title=latest.title, variables=dict(latest.variables),
                        clauses=list(latest.clauses), change_summary=f"New draft from version {latest.number}")


@transaction.atomic
def comment_add(*, actor: User, version: AgreementVersion, clause_key: str, body: str) -> ReviewComment:
    require(actor, version.workgroup, Action.COMMENT_AGREEMENTS)
    if clause_key not in {clause["key"] for clause in version.clauses}:
        raise ValidationError("That clause is not part of this version.")
    if not body.strip():
        raise ValidationError("Write the comment first.")
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
    if locked.signed_scan:
        locked.signed_scan.delete(save=False)
    locked.signed_scan.save(f"agreement-{locked.pk}-signed.pdf", uploaded, save=False)
    locked._history_user = actor
    locked.save(update_fields=["signed_scan", "updated_at"])
    return locked
