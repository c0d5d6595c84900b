"""Deleting works: a workgroup takes every agreement row and file with it; a clause or template in use stays."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from agreements import services
from agreements.models import (
    Agreement,
    AgreementParty,
    AgreementTemplate,
    AgreementVersion,
    Clause,
    ReviewComment,
    TemplateClause,
    TemplateVariable,
)
from partners.tests.factories import OrganizationFactory
from toolkit import services as toolkit_services
from toolkit.files import stored_files
from toolkit.tests.factories import UserFactory
from toolkit.tests.upload_files import pdf_bytes

pytestmark = pytest.mark.django_db

FIRST, SECOND = pdf_bytes(text="first signed copy"), pdf_bytes(text="second signed copy")

AGREEMENT_MODELS = (Agreement, AgreementParty, AgreementTemplate, AgreementVersion, Clause, ReviewComment,
                    TemplateClause, TemplateVariable)


def _mou(workgroup, coordinator, title="County MOU") -> Agreement:
    services.library_ensure_defaults(workgroup=workgroup)
    return services.agreement_create(
        actor=coordinator, workgroup=workgroup, template=AgreementTemplate.objects.get(workgroup=workgroup, kind="mou"),
        title=title, parties=[{"organization": OrganizationFactory(workgroup=workgroup)},
                              {"organization": OrganizationFactory(workgroup=workgroup)}],
    )


def _approved_with_signed_copy(workgroup, coordinator, legal_reviewer, django_capture_on_commit_callbacks):
    agreement = _mou(workgroup, coordinator)
    services.comment_add(actor=legal_reviewer, version=agreement.versions.get(), clause_key="definitions", body="?")
    services.agreement_submit(actor=coordinator, agreement=agreement)
    services.agreement_approve(actor=legal_reviewer, agreement=agreement, override_reason="Answered in the meeting")
    with django_capture_on_commit_callbacks(execute=True):
        services.agreement_attach_signed_scan(actor=coordinator, agreement=agreement,
                                              uploaded=SimpleUploadedFile("s.pdf", FIRST))
    agreement.refresh_from_db()
    return agreement


def _rows(workgroup) -> dict[str, int]:
    counts = {}
    for model in AGREEMENT_MODELS:
        lookup = "workgroup" if any(f.name == "workgroup" for f in model._meta.fields) else (
            "agreement__workgroup" if model is AgreementParty else "template__workgroup")
        counts[model.__name__] = model.objects.filter(**{lookup: workgroup}).count()
    return counts


def test_the_signed_copy_is_stored_under_the_workgroups_prefix(workgroup, coordinator, legal_reviewer,
                                                               django_capture_on_commit_callbacks):
    agreement = _approved_with_signed_copy(workgroup, coordinator, legal_reviewer, django_capture_on_commit_callbacks)

    assert agreement.signed_scan.name.startswith(f"workgroups/{workgroup.pk}/agreements/signed/")
    assert agreement.signed_scan.name.endswith(f"/agreement-{agreement.pk}-signed.pdf")


def test_replacing_the_signed_copy_deletes_the_old_file_once_the_change_commits(
    workgroup, coordinator, legal_reviewer, django_capture_on_commit_callbacks
):
    agreement = _approved_with_signed_copy(workgroup, coordinator, legal_reviewer, django_capture_on_commit_callbacks)
    old = agreement.signed_scan.name

    with django_capture_on_commit_callbacks(execute=False) as pending:
        services.agreement_attach_signed_scan(actor=coordinator, agreement=agreement,
                                              uploaded=SimpleUploadedFile("s.pdf", SECOND))
        assert default_storage.exists(old)  # not before the commit: a rollback would leave no signed copy
    for callback in pending:
        callback()

    agreement.refresh_from_db()
    assert agreement.signed_scan.name != old and not default_storage.exists(old)
    assert agreement.signed_scan.read() == SECOND
    assert list(stored_files(prefix=f"workgroups/{workgroup.pk}/agreements")) == [agreement.signed_scan.name]


def test_a_refused_upload_keeps_the_signed_copy_on_record(workgroup, coordinator, legal_reviewer,
                                                          django_capture_on_commit_callbacks):
    agreement = _approved_with_signed_copy(workgroup, coordinator, legal_reviewer, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError, match="as a PDF"):
        services.agreement_attach_signed_scan(actor=coordinator, agreement=agreement,
                                              uploaded=SimpleUploadedFile("s.pdf", b"MZ not a pdf"))

    agreement.refresh_from_db()
    assert agreement.signed_scan.read() == FIRST


def test_deleting_a_workgroup_removes_every_agreement_row_and_the_signed_copy(
    workgroup, other_workgroup, coordinator, legal_reviewer, outsider, django_capture_on_commit_callbacks
):
    _approved_with_signed_copy(workgroup, coordinator, legal_reviewer, django_capture_on_commit_callbacks)
    _mou(other_workgroup, outsider, title="Their MOU")
    theirs = _rows(other_workgroup)
    assert all(_rows(workgroup).values()), _rows(workgroup)
    staff = UserFactory(is_staff=True)

    with django_capture_on_commit_callbacks(execute=True):
        toolkit_services.workgroup_delete_permanently(actor=staff, workgroup=workgroup)

    assert not any(_rows(workgroup).values())
    assert not Agreement.history.filter(workgroup_id=workgroup.pk).exists()
    assert not list(stored_files(prefix=f"workgroups/{workgroup.pk}"))
    assert _rows(other_workgroup) == theirs


def test_deleting_the_author_of_versions_and_comments_keeps_them_without_a_name(
    workgroup, coordinator, legal_reviewer, django_capture_on_commit_callbacks
):
    agreement = _approved_with_signed_copy(workgroup, coordinator, legal_reviewer, django_capture_on_commit_callbacks)
    comment = ReviewComment.objects.get()
    services.comment_resolve(actor=legal_reviewer, comment=comment)
    staff = UserFactory(is_staff=True)

    toolkit_services.user_delete(actor=staff, user=legal_reviewer, force=True)

    comment.refresh_from_db()
    assert (comment.author, comment.resolved_by) == (None, None)
    assert agreement.versions.get().author == coordinator


def test_a_clause_a_template_uses_cannot_be_deleted_on_its_own(workgroup, coordinator):
    services.library_ensure_defaults(workgroup=workgroup)
    clause = Clause.objects.get(workgroup=workgroup, key="purpose-scope")

    with pytest.raises(ValidationError, match="“Purpose and Scope” is part of the templates “Data Sharing"):
        services.clause_delete(actor=coordinator, clause=clause)

    assert Clause.objects.filter(pk=clause.pk).exists()


def test_a_template_with_agreements_cannot_be_deleted_but_an_unused_one_can(workgroup, coordinator, member):
    agreement = _mou(workgroup, coordinator)
    moa = AgreementTemplate.objects.get(workgroup=workgroup, kind="moa")

    with pytest.raises(ValidationError, match="1 agreement was drafted from “Memorandum of Understanding"):
        services.template_delete(actor=coordinator, template=agreement.template)
    with pytest.raises(PermissionDenied):  # members do not edit the library
        services.template_delete(actor=member, template=moa)
    services.template_delete(actor=coordinator, template=moa)

    assert AgreementTemplate.objects.filter(pk=agreement.template_id).exists()
    assert not AgreementTemplate.objects.filter(pk=moa.pk).exists()
    assert not TemplateClause.objects.filter(template_id=moa.pk).exists()
    assert Clause.objects.filter(workgroup=workgroup, key="indemnification").exists()  # clauses stay


def test_a_clause_no_template_uses_can_be_deleted(workgroup, coordinator):
    services.library_ensure_defaults(workgroup=workgroup)
    for template in AgreementTemplate.objects.filter(workgroup=workgroup):
        services.template_delete(actor=coordinator, template=template)
    clause = Clause.objects.get(workgroup=workgroup, key="purpose-scope")

    services.clause_delete(actor=coordinator, clause=clause)

    assert not Clause.objects.filter(pk=clause.pk).exists()
