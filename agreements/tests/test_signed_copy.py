"""The signed agreement copy is checked by its content: hostile or broken PDFs are refused on the agreement's page,
and nothing is stored; a genuine PDF is kept."""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agreements import services
from agreements.models import Agreement
from agreements.tests.test_views_review import make_mou
from toolkit.files import stored_files
from toolkit.models import AuditEvent
from toolkit.tests import upload_files as pdfs
from toolkit.uploads import (
    MSG_BROKEN_PDF,
    MSG_NOT_PDF,
    MSG_PDF_ACTIVE,
    MSG_PDF_LOCKED,
    MSG_PDF_WEB_PAGE,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(workgroup, coordinator, legal_reviewer) -> Agreement:
    agreement = make_mou(workgroup, coordinator)
    services.agreement_submit(actor=coordinator, agreement=agreement)
    return services.agreement_approve(actor=legal_reviewer, agreement=agreement)


def _upload(client, agreement, content: bytes, name: str = "signed.pdf"):
    return client.post(f"/w/{agreement.workgroup.slug}/agreements/{agreement.pk}/signed-copy/",
                       {"file": SimpleUploadedFile(name, content, "application/pdf")})


def _stored(agreement) -> list[str]:
    return list(stored_files(prefix=f"workgroups/{agreement.workgroup_id}/agreements"))


ACTIVE = MSG_PDF_ACTIVE.split("{what}")[0]


@pytest.mark.parametrize(("content", "message"), [
    (pdfs.pdf_bytes("javascript"), ACTIVE + "JavaScript"),
    (pdfs.pdf_bytes("names_javascript"), ACTIVE + "JavaScript"),
    (pdfs.pdf_bytes("link_javascript"), ACTIVE + "JavaScript"),
    (pdfs.pdf_bytes("form_script"), ACTIVE + "JavaScript"),
    (pdfs.pdf_bytes("launch"), ACTIVE + "an action that starts a program"),
    (pdfs.pdf_bytes("embedded"), ACTIVE + "embedded files"),
    (pdfs.pdf_bytes("xfa"), ACTIVE + "a scripted (XFA) form"),
    (pdfs.web_page_with_pdf_header(), MSG_PDF_WEB_PAGE),
    (pdfs.web_page_before_the_objects(), MSG_PDF_WEB_PAGE),
    (pdfs.web_page_after_the_end(), MSG_PDF_WEB_PAGE),
    (pdfs.truncated_pdf_bytes(), MSG_BROKEN_PDF),
    (b"%PDF-1.4\n" + bytes(range(256)) * 8, MSG_BROKEN_PDF),
    (pdfs.encrypted_pdf_bytes(user_password="open-sesame"), MSG_PDF_LOCKED),
    (b"PK\x03\x04\x14\x00\x06\x00" + bytes(40), MSG_NOT_PDF.format(what="a ZIP archive (Word and Excel documents "
                                                                         "are ZIP archives too)")),
], ids=["open-action-js", "names-js", "link-js", "form-field-script", "launch", "embedded-file", "xfa",
        "html-after-pdf-header", "html-before-objects", "html-after-end", "truncated", "garbage", "password", "zip"])
def test_a_hostile_or_broken_pdf_is_refused_on_the_page_and_nothing_is_stored(client, coordinator, approved, content,
                                                                              message):
    client.force_login(coordinator)
    before = Agreement.objects.values().get(pk=approved.pk)
    events = AuditEvent.objects.count()

    response = _upload(client, approved, content)

    assert response.status_code == 400
    shown = html.unescape(response.content.decode())
    assert 'data-testid="signed-scan-errors"' in shown and message in shown
    assert Agreement.objects.values().get(pk=approved.pk) == before
    assert AuditEvent.objects.count() == events
    assert _stored(approved) == []


def test_a_genuine_pdf_is_kept_and_one_restricting_edits_is_accepted(client, coordinator, approved):
    client.force_login(coordinator)

    assert _upload(client, approved, pdfs.pdf_bytes(text="signed")).status_code == 302
    restricted = pdfs.encrypted_pdf_bytes(user_password="")  # e-signature services write these
    assert _upload(client, approved, restricted).status_code == 302

    approved.refresh_from_db()
    assert approved.signed_scan.read() == restricted


def test_a_scan_of_several_megabytes_is_checked_from_its_temporary_file_and_kept(client, coordinator, approved):
    scan = pdfs.pdf_bytes(scanned_bytes=4 * 1024 * 1024)  # past FILE_UPLOAD_MAX_MEMORY_SIZE: Django writes it to disk
    client.force_login(coordinator)

    assert _upload(client, approved, scan).status_code == 302
    assert _upload(client, approved, pdfs.pdf_bytes("launch", scanned_bytes=4 * 1024 * 1024)).status_code == 400

    approved.refresh_from_db()
    assert approved.signed_scan.read() == scan


def test_a_refused_replacement_leaves_the_signed_copy_on_record(client, coordinator, approved,
                                                                django_capture_on_commit_callbacks):
    client.force_login(coordinator)
    genuine = pdfs.pdf_bytes(text="the one signed")
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, approved, genuine)
        response = _upload(client, approved, pdfs.pdf_bytes("javascript"))

    assert response.status_code == 400
    approved.refresh_from_db()
    assert approved.signed_scan.read() == genuine and _stored(approved) == [approved.signed_scan.name]


def test_a_file_over_the_size_cap_is_refused_with_the_limit(client, coordinator, approved, monkeypatch):
    monkeypatch.setattr(services, "MAX_SCAN_BYTES", 1024)
    client.force_login(coordinator)

    response = _upload(client, approved, pdfs.pdf_bytes() + b" " * 2048)

    assert response.status_code == 400
    assert "a signed copy can be at most 1.0\xa0KB" in response.content.decode()
    assert _stored(approved) == []


def test_an_empty_file_is_refused_with_a_message(client, coordinator, approved):
    client.force_login(coordinator)

    response = _upload(client, approved, b"")

    assert response.status_code == 400 and "That file is empty" in response.content.decode()
