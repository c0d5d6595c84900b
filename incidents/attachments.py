"""Attachments of an incident (screenshots, call transcripts, PDFs): what a file is, and who may add or remove one.

The type is read from the content, never from the name or the browser's claim: PNG and JPEG images (opened
with Pillow), PDFs (``toolkit.uploads.check_pdf``, the check the signed agreement copy goes through too: parsed
with pikepdf, and refused when damaged or when they carry JavaScript, actions that start programs, embedded files
or scripted forms) and plain UTF-8 text. Anything else is refused with a message naming what
it looks like. The size is checked before the content is read.

Files are stored privately under the workgroup (``WorkgroupUploadTo``), with a neutral name; the name the
person gave is kept, cleaned, for the download. They are served only by the permission-checked download view
and deleted (by django-cleanup, after the commit) with their row — and so with their incident.

Who reads them: QA reviewers and coordinators, and the person who reported the incident. Joint reviewers
and legal reviewers of partner agencies do not (``may_read``).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import warnings
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat

from incidents.models import Attachment, Incident, IncidentStatus, SubmittedVia
from toolkit.history import save_validated
from toolkit.permissions import Action, can, require
from toolkit.uploads import PROGRAM_SIGNATURES, check_pdf, looks_like, markup_start

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from incidents.sharing import Access
    from toolkit.models import User

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PER_INCIDENT = 20
HEAD_BYTES = 4096
CHUNK_BYTES = 64 * 1024


def max_bytes() -> int:
    """``INCIDENT_ATTACHMENT_MAX_BYTES`` (10 MB unless set)."""
    return int(getattr(settings, "INCIDENT_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_per_incident() -> int:
    """``INCIDENT_ATTACHMENTS_PER_INCIDENT`` (20 unless set)."""
    return int(getattr(settings, "INCIDENT_ATTACHMENTS_PER_INCIDENT", DEFAULT_MAX_PER_INCIDENT))


ACCEPTED = "a PDF, a PNG or JPEG image, or a plain text (.txt) file"
# For the file input's ``accept``: a hint to the browser's file picker only; the content decides.
ACCEPT_ATTRIBUTE = ".pdf,.png,.jpg,.jpeg,.txt,application/pdf,image/png,image/jpeg,text/plain"

MSG_EMPTY = "The file is empty."
MSG_TOO_BIG = "The file is {size}; an attachment can be at most {limit}."
MSG_NOT_ACCEPTED = "This file is not " + ACCEPTED + ": it looks like {what}."
MSG_TEXT_NOT_UTF8 = ("This looks like a text file, but not in UTF-8. Save it as UTF-8 text (most editors offer "
                     "it under “Save as”) and attach it again.")
MSG_BROKEN_IMAGE = "This file starts like a {kind} image but cannot be read as one; it may be damaged."
MSG_TOO_MANY = "An incident holds at most {limit} attachments. Delete one that is no longer needed first."
MSG_CLOSED = "This report is closed, so files can no longer be added. Ask the QA team if something is missing."
MSG_NOT_YOURS = "Only QA reviewers, coordinators and the person who reported it add files to an incident."


@dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str  # what the stored name ends with
    label: str  # for people: "PDF", "PNG image"
    extensions: tuple[str, ...] = ()  # the person's own extension is kept when it is one of these


PDF = Kind("application/pdf", "pdf", "PDF", ("pdf",))
PNG = Kind("image/png", "png", "PNG image", ("png",))
JPEG = Kind("image/jpeg", "jpg", "JPEG image", ("jpg", "jpeg"))
TEXT = Kind("text/plain; charset=utf-8", "txt", "Text", ("txt",))
LABELS = {kind.content_type: kind.label for kind in (PDF, PNG, JPEG, TEXT)}

# Whitespace control characters a transcript may hold; any other control character means it is not text.
_TEXT_CONTROLS = {"\t", "\n", "\r", "\f", "\v"}
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # Unicode's Cc, less the whitespace above


def _refuse(what: str) -> ValidationError:
    return ValidationError({"file": MSG_NOT_ACCEPTED.format(what=what)}, code="not_accepted")


# --- Reading the content ----------------------------------------------------------------------------------


def check_size(upload: UploadedFile) -> None:
    """Before anything is read: the size the upload handler counted."""
    if not upload.size:
        raise ValidationError({"file": MSG_EMPTY}, code="empty")
    if upload.size > max_bytes():
        raise ValidationError({"file": MSG_TOO_BIG.format(size=filesizeformat(upload.size),
                                                          limit=filesizeformat(max_bytes()))}, code="too_big")


def sniff(upload: UploadedFile) -> Kind:
    """What the file is, from its content; ValidationError (on the ``file`` field) for anything not accepted."""
    check_size(upload)
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    try:
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return _image(upload, PNG, "PNG")
        if head.startswith(b"\xff\xd8\xff"):
            return _image(upload, JPEG, "JPEG")
        if head.startswith(b"%PDF-"):
            check_pdf(upload)  # the same check as the signed agreement copy
            return PDF
        if head.startswith(PROGRAM_SIGNATURES):
            raise _refuse(looks_like(head))
        return _text(upload, head)
    finally:
        upload.seek(0)


def _image(upload: IO[bytes], kind: Kind, pillow_format: str) -> Kind:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                found = image.format
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError({"file": "This image has too many pixels to be a screenshot or photo."},
                              code="too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ValidationError({"file": MSG_BROKEN_IMAGE.format(kind=kind.label.split()[0])},
                              code="broken") from None
    if found != pillow_format:
        raise ValidationError({"file": MSG_BROKEN_IMAGE.format(kind=kind.label.split()[0])}, code="broken")
    return kind


def _text(upload: IO[bytes], head: bytes) -> Kind:
    """Plain UTF-8 text (a byte-order mark is fine), read a chunk at a time; no NUL or other control bytes."""
    if b"\x00" in head:
        raise _refuse(looks_like(head))
    markup = markup_start(head)
    if markup:
        raise _refuse(markup)
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
    upload.seek(0)
    while True:
        chunk = upload.read(CHUNK_BYTES)
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError:
            if _is_binary(head):
                raise _refuse(looks_like(head)) from None
            raise ValidationError({"file": MSG_TEXT_NOT_UTF8}, code="not_utf8") from None
        if _CONTROL_CHARACTERS.search(text):
            raise _refuse(looks_like(head))
        if not chunk:
            return TEXT


def _is_binary(head: bytes) -> bool:
    """Control bytes other than whitespace (or NUL) in the first bytes: a binary file, not text in another
    encoding."""
    controls = sum(1 for byte in head if byte < 32 and chr(byte) not in _TEXT_CONTROLS)
    return controls > 0


def clean_filename(name: str, kind: Kind) -> str:
    """The name to show and to download under: no folders, no control or invisible characters (a right-to-left
    override could make ``gpj.exe`` read ``exe.jpg``), and an extension that says what the content is."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    name = " ".join(name.split()).strip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    stem = stem[:120].strip(" .") or "attachment"
    extension = extension.lower() if extension.lower() in kind.extensions else kind.extension
    return f"{stem}.{extension}"


# --- Who may do what ------------------------------------------------------------------------------------


def may_read(access: Access) -> bool:
    """QA reviewers and coordinators, and the reporter; never partner agencies' joint or legal reviewers."""
    return access.full or access.reporter


def _check_may_add(actor: User | None, incident: Incident) -> None:
    workgroup = incident.workgroup
    if actor is None:
        # Only the intake link's own report, with its one file, in the same step as the report.
        if incident.submitted_via != SubmittedVia.INTAKE or incident.attachments.exists():
            raise PermissionDenied(MSG_NOT_YOURS)
        return
    if can(actor, workgroup, Action.REVIEW_INCIDENTS):
        return
    if incident.reported_by_id == actor.pk and not incident.is_marked:
        require(actor, workgroup, Action.REPORT_INCIDENTS)
        if incident.status == IncidentStatus.CLOSED:
            raise ValidationError({"file": MSG_CLOSED}, code="closed")
        return
    if can(actor, workgroup, Action.REPORT_INCIDENTS):
        raise PermissionDenied(MSG_NOT_YOURS)
    require(actor, workgroup, Action.REVIEW_INCIDENTS)  # the layer's own refusal (archived, or the role)


def may_add(user: User, incident: Incident, access: Access) -> bool:
    """For the page: whether to show the upload form (the service decides again)."""
    if access.full:
        return can(user, incident.workgroup, Action.REVIEW_INCIDENTS)
    return (access.reporter and incident.status != IncidentStatus.CLOSED
            and can(user, incident.workgroup, Action.REPORT_INCIDENTS))


# --- Services -------------------------------------------------------------------------------------------


@transaction.atomic
def attachment_add(*, actor: User | None, incident: Incident, upload: UploadedFile) -> Attachment:
    """Keep a file with the incident: QA reviewers and coordinators on any incident, the reporter on their own
    while it is open, and the intake link (``actor`` None) with the report it sends."""
    _check_may_add(actor, incident)
    # The incident's row is locked while its attachments are counted, so two uploads cannot pass the cap.
    Incident.objects.select_for_update().filter(pk=incident.pk).first()
    if incident.attachments.count() >= max_per_incident():
        raise ValidationError({"file": MSG_TOO_MANY.format(limit=max_per_incident())}, code="too_many")
    kind = sniff(upload)
    attachment = Attachment(workgroup_id=incident.workgroup_id, incident=incident,
                            filename=clean_filename(upload.name, kind), content_type=kind.content_type,
                            size=upload.size, uploaded_by=actor)
    attachment.full_clean(exclude=["file"])
    # A neutral stored name: the person's name for the file may itself say too much, and stays in the row.
    attachment.file.save(f"attachment.{kind.extension}", upload, save=False)
    return save_validated(attachment, actor)


@transaction.atomic
def attachment_delete(*, actor: User, incident: Incident, attachment: Attachment) -> None:
    """QA reviewers and coordinators remove a file; it leaves storage once the deletion commits."""
    require(actor, incident.workgroup, Action.REVIEW_INCIDENTS)
    if attachment.incident_id != incident.pk:
        raise ValidationError("That file belongs to another incident.")
    attachment._history_user = actor
    attachment.delete()


# --- The incident page's panel ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AttachmentPanel:
    attachments: list[Attachment]
    can_upload: bool
    can_delete: bool
    full: bool  # the cap is reached
    max_per_incident: int
    max_size: str  # "10.0 MB"
    accept: str = ACCEPT_ATTRIBUTE


def attachment_panel(*, user: User, incident: Incident, access: Access) -> AttachmentPanel | None:
    """What ``templates/incidents/_attachments.html`` shows (one query), or None for people who do not read
    attachments (partner agencies)."""
    if not may_read(access):
        return None
    attachments = list(incident.attachments.select_related("uploaded_by").order_by("created_at", "pk"))
    cap = max_per_incident()
    return AttachmentPanel(
        attachments=attachments, can_upload=may_add(user, incident, access),
        can_delete=access.full and can(user, incident.workgroup, Action.REVIEW_INCIDENTS),
        full=len(attachments) >= cap, max_per_incident=cap, max_size=filesizeformat(max_bytes()),
    )
