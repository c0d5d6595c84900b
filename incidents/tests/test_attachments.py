"""Attachments: the type read from the content, the limits, who adds, reads and deletes, and files leaving storage."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from incidents import attachments, workflow
from incidents.models import Attachment, Incident
from incidents.tests.test_services import report
from partners.tests.factories import OrganizationFactory
from toolkit.models import AuditAction, AuditEvent, Membership, Role
from toolkit.tests.factories import UserFactory
from toolkit.tests.upload_files import pdf_bytes

pytestmark = pytest.mark.django_db


def image_bytes(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(out, fmt)
    return out.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, "application/pdf")  # what the browser claims never matters


def url(name, incident, attachment=None):
    kwargs = {"slug": incident.workgroup.slug, "incident_id": incident.pk}
    if attachment is not None:
        kwargs["attachment_id"] = attachment.pk
    return reverse(f"incidents:{name}", kwargs=kwargs)


# --- What a file is -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content", "content_type", "stored_as"), [
    ("timeline.pdf", pdf_bytes(), "application/pdf", "timeline.pdf"),
    ("screen.png", image_bytes("PNG"), "image/png", "screen.png"),
    ("photo.JPEG", image_bytes("JPEG"), "image/jpeg", "photo.jpeg"),
    ("transcript.txt", "Call-taker: “warm transfer to 988” — 14:02\r\n".encode(), "text/plain; charset=utf-8",
     "transcript.txt"),
    ("screen.pdf", image_bytes("PNG"), "image/png", "screen.png"),  # the content decides, and names it
    ("../../etc/notes", b"plain words", "text/plain; charset=utf-8", "notes.txt"),
])
def test_accepted_files_are_named_for_what_they_contain(name, content, content_type, stored_as):
    kind = attachments.sniff(upload(name, content))

    assert kind.content_type == content_type
    assert attachments.clean_filename(name, kind) == stored_as


@pytest.mark.parametrize(("content", "message"), [
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "it looks like a Windows program"),
    (b"\x7fELF\x02\x01\x01\x00" + bytes(40), "it looks like a program for Linux"),
    (b"#!/bin/sh\nrm -rf /\n", "it looks like a script"),
    (b"PK\x03\x04\x14\x00\x06\x00" + bytes(30), "it looks like a ZIP archive"),
    (b"<!DOCTYPE html><script>alert(1)</script>", "it looks like an HTML web page"),
    (pdf_bytes("javascript"), "This PDF contains JavaScript"),
    (pdf_bytes("launch"), "an action that starts a program"),
    (pdf_bytes("embedded"), "embedded files"),
    (b"%PDF-1.7\nnot really", "cannot be read as one"),
    (b"\x89PNG\r\n\x1a\n" + b"truncated", "cannot be read as one"),
    ("café notes".encode("latin-1"), "not in UTF-8"),
    (b"", "The file is empty."),
])
def test_other_files_are_refused_saying_what_they_look_like(content, message):
    with pytest.raises(ValidationError) as refused:
        attachments.sniff(upload("evidence.pdf", content))

    assert message in refused.value.message_dict["file"][0]


class _NeverRead(io.BytesIO):
    def read(self, *args):
        raise AssertionError("the content was read before the size was checked")


def test_the_size_is_checked_before_the_content_is_read(settings):
    settings.INCIDENT_ATTACHMENT_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.pdf", b"")
    big.file, big.size = _NeverRead(), 4096

    with pytest.raises(ValidationError) as refused:
        attachments.sniff(big)

    assert refused.value.message_dict["file"] == ["The file is 4.0\xa0KB; an attachment can be at most 1.0\xa0KB."]


# --- Who adds --------------------------------------------------------------------------------------------


def test_qa_and_the_reporter_add_files_others_cannot(qa_reviewer, member, legal_reviewer, viewer, workgroup):
    incident = report(member, workgroup)

    attachments.attachment_add(actor=qa_reviewer, incident=incident, upload=upload("a.pdf", pdf_bytes()))
    mine = attachments.attachment_add(actor=member, incident=incident, upload=upload("b.png", image_bytes("PNG")))
    for stranger in (legal_reviewer, viewer):
        with pytest.raises(PermissionDenied):
            attachments.attachment_add(actor=stranger, incident=incident, upload=upload("c.txt", b"x"))

    assert mine.uploaded_by == member and mine.file.name.startswith(f"workgroups/{workgroup.pk}/incidents/")
    assert incident.attachments.count() == 2
    Incident.objects.filter(pk=incident.pk).update(status="closed", closed_at=timezone.now())
    incident.refresh_from_db()
    with pytest.raises(ValidationError, match="This report is closed"):
        attachments.attachment_add(actor=member, incident=incident, upload=upload("d.txt", b"x"))


def test_an_incident_holds_a_bounded_number_of_files(qa_reviewer, workgroup, settings):
    settings.INCIDENT_ATTACHMENTS_PER_INCIDENT = 2
    incident = report(qa_reviewer, workgroup)
    for name in ("one.txt", "two.txt"):
        attachments.attachment_add(actor=qa_reviewer, incident=incident, upload=upload(name, b"words"))

    with pytest.raises(ValidationError, match="at most 2 attachments"):
        attachments.attachment_add(actor=qa_reviewer, incident=incident, upload=upload("three.txt", b"words"))


def test_a_refused_upload_on_the_page_says_why_and_stores_nothing(client, qa_reviewer, workgroup):
    incident = report(qa_reviewer, workgroup)
    client.force_login(qa_reviewer)

    response = client.post(url("attachment-upload", incident), {"file": upload("invoice.pdf", b"\x7fELF" + bytes(60))})

    assert response.status_code == 400
    assert "program for Linux" in response.context["attachment_form"].errors["file"][0]
    assert not Attachment.objects.exists()
    ok = client.post(url("attachment-upload", incident), {"file": upload("shot.png", image_bytes("PNG"))})
    assert ok.status_code == 302 and ok["Location"].endswith("#attachments")


# --- Who reads ------------------------------------------------------------------------------------------


@pytest.fixture
def attached(member, qa_reviewer, workgroup):
    org = OrganizationFactory(workgroup=workgroup, name="County 911")
    incident = report(member, workgroup, organizations=[org])
    attachment = attachments.attachment_add(actor=member, incident=incident,
                                            upload=upload("transcript.txt", b"14:02 transfer started\n"))
    return incident, attachment, org


def test_qa_and_the_reporter_download_with_safe_headers(client, attached, member, coordinator, qa_reviewer):
    incident, attachment, _ = attached
    for person in (qa_reviewer, coordinator, member):
        client.force_login(person)
        response = client.get(url("attachment-download", incident, attachment))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"14:02 transfer started\n"
        assert response["Content-Disposition"] == 'attachment; filename="transcript.txt"'
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOADED).exists()  # not marked


def test_nobody_else_downloads_it(client, attached, workgroup, legal_reviewer, viewer, outsider, qa_reviewer):
    incident, attachment, org = attached
    joint = UserFactory(email="joint@riverbend.test")
    Membership.objects.create(user=joint, workgroup=workgroup, role=Role.MEMBER)
    workflow.share_add(actor=qa_reviewer, incident=incident, user=joint, organization=org)
    other_member = UserFactory(email="m2@riverbend.test")
    Membership.objects.create(user=other_member, workgroup=workgroup, role=Role.MEMBER)

    expected = {other_member: 404, legal_reviewer: 404, joint: 404, viewer: 403, outsider: 404}
    for person, status in expected.items():
        client.force_login(person)
        assert client.get(url("attachment-download", incident, attachment)).status_code == status, person
    client.force_login(joint)
    assert client.get(incident.get_absolute_url()).status_code == 200  # they read the incident, not its files


def test_downloading_a_marked_incidents_file_is_audited(client, attached, qa_reviewer, member):
    incident, attachment, _ = attached
    Incident.objects.filter(pk=incident.pk).update(confidentiality="privileged")
    client.force_login(qa_reviewer)

    assert client.get(url("attachment-download", incident, attachment)).status_code == 200

    event = AuditEvent.objects.get(action=AuditAction.DOWNLOADED)
    assert (event.actor, event.object_id) == (qa_reviewer, str(incident.pk))
    assert "transcript.txt" in str(event.changes)
    client.force_login(member)  # a marked incident is QA's only, even for its reporter
    assert client.get(url("attachment-download", incident, attachment)).status_code == 404


# --- Deleting -------------------------------------------------------------------------------------------


def test_qa_deletes_a_file_after_confirming_and_it_leaves_storage(
    client, attached, qa_reviewer, member, django_capture_on_commit_callbacks
):
    incident, attachment, _ = attached
    path = attachment.file.name
    client.force_login(member)
    assert client.post(url("attachment-delete", incident, attachment), {"confirm": "on"}).status_code == 403
    client.force_login(qa_reviewer)
    unconfirmed = client.post(url("attachment-delete", incident, attachment), follow=True)
    assert "Tick “Yes, delete this file for good”" in unconfirmed.content.decode()
    assert Attachment.objects.filter(pk=attachment.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("attachment-delete", incident, attachment), {"confirm": "on"})

    assert response.status_code == 302 and not Attachment.objects.exists()
    assert not default_storage.exists(path)
    assert AuditEvent.objects.filter(object_type="incidents.attachment", action="deleted", actor=qa_reviewer).exists()


def test_deleting_an_incident_deletes_its_files(attached, django_capture_on_commit_callbacks):
    incident, attachment, _ = attached
    path = attachment.file.name
    assert default_storage.exists(path)

    with django_capture_on_commit_callbacks(execute=True):
        incident.delete()

    assert not Attachment.objects.exists()
    assert not default_storage.exists(path)
