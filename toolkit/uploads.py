"""What an uploaded file is, read from its content: the checks every upload path shares.

* ``looks_like(head)`` names a file from its first bytes, for refusals that say what was sent instead
  ("it looks like a ZIP archive").
* ``check_pdf(upload)`` is the one PDF check, used by the signed agreement copy and incident attachments. A
  PDF is accepted only when pikepdf opens it as it is (no repair: a truncated file, or a web page with a PDF
  header, does not open), without a password, and nothing in it runs code, starts a program or carries
  files: no JavaScript (the document's open action, the ``/Names`` tree, links' and form fields' actions),
  no launch or import actions, no embedded files, no scripted (XFA) forms, no embedded media. A web page
  before the first object or after the end marker is refused too (browsers that sniff content read the
  start). A PDF that opens without a password but restricts editing (e-signature services write those) is
  checked like any other and accepted.
* ``binary_signature(head)`` names a file whose start shows it is not text (a PDF, ZIP, image, program), for
  the CSV and JSON imports, which check it before decoding.
"""

from __future__ import annotations

import re
from typing import IO

from django.core.exceptions import ValidationError

MSG_NOT_PDF = "This file is not a PDF: it looks like {what}. Upload the document as a PDF file."
MSG_BROKEN_PDF = ("This file starts like a PDF but cannot be read as one; it may be damaged or cut short. Open it, "
                  "print or save it to a new PDF, and upload that copy.")
MSG_PDF_WEB_PAGE = ("This file starts like a PDF but holds a web page (HTML) as well, so it is not accepted. Print "
                    "or save the document to a new PDF and upload that copy.")
MSG_PDF_LOCKED = ("This PDF needs a password to open, so its content cannot be checked (and nobody could read it "
                  "here). Save a copy without the password and upload that.")
MSG_PDF_ACTIVE = ("This PDF contains {what}, which could harm the computer of whoever opens it, so it is not "
                  "accepted. Print it to a new PDF (or scan the paper copy) and upload that instead.")
MSG_PDF_TOO_COMPLEX = ("This PDF is made of more than {limit:,} objects, far more than any document of this kind, "
                       "so it was refused without being read. Print it to a new PDF and upload that copy.")
MSG_PDF_TOO_DEEP = ("This PDF nests its parts far deeper than any document of this kind, so it could not be checked "
                    "and was refused. Print it to a new PDF and upload that copy.")

# What a file is, by its first bytes (for messages; a check decides what it accepts).
_SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF-", "a PDF"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program for Linux"),
    (b"\xcf\xfa\xed\xfe", "a program for macOS"),
    (b"\xce\xfa\xed\xfe", "a program for macOS"),
    (b"\xfe\xed\xfa\xcf", "a program for macOS"),
    (b"\xfe\xed\xfa\xce", "a program for macOS"),
    (b"\xca\xfe\xba\xbe", "a program"),
    (b"#!", "a script"),
    (b"PK\x03\x04", "a ZIP archive (Word and Excel documents are ZIP archives too)"),
    (b"PK\x05\x06", "a ZIP archive (Word and Excel documents are ZIP archives too)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an older Microsoft Office document"),
    (b"Rar!", "a compressed archive"),
    (b"7z\xbc\xaf\x27\x1c", "a compressed archive"),
    (b"\x1f\x8b", "a compressed archive"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"{\\rtf", "an RTF document"),
    (b"SQLite format 3\x00", "a database file"),
]
# Programs are refused even where their bytes would also pass as text.
PROGRAM_SIGNATURES = tuple(magic for magic, what in _SIGNATURES if "program" in what or what == "a script")
# Markup that makes a browser render a page; refused at the start of text and around a PDF's objects. Hex
# strings in a PDF (``<48656c6c6f>``) cannot match: every name here holds a letter that is not a hex digit.
WEB_MARKUP = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|svg|object|embed|meta|style|form)\b",
                        re.IGNORECASE)
_MARKUP_STARTS = [("<!doctype html", "an HTML web page"), ("<html", "an HTML web page"), ("<svg", "an SVG image"),
                  ("<?xml", "an XML file"), ("<script", "an HTML web page")]


def known_kind(head: bytes) -> str | None:
    """What a file is by a signature it starts with, or None."""
    for magic, what in _SIGNATURES:
        if head.startswith(magic):
            return what
    if head[4:8] == b"ftyp":
        return "a video, or a HEIC photo"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "a WebP image"
    return None


def looks_like(head: bytes) -> str:
    return known_kind(head) or "a kind of file the toolkit does not recognise"


def markup_start(head: bytes) -> str | None:
    """What a text file is when it starts as a web page, SVG or XML (a byte order mark and blanks ignored)."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return next((what for markup, what in _MARKUP_STARTS if start.startswith(markup.encode())), None)


def binary_signature(head: bytes) -> str | None:
    """What the start of a file is when it is plainly not text (a PDF, an archive, an image, a program), or
    None. For the CSV and JSON imports, which check it before decoding (their own messages cover NUL bytes and
    other encodings)."""
    kind = known_kind(head)
    # "MZ" and "#!" also begin ordinary text ("MZ code,…"): a program made of them holds NUL bytes as well.
    if kind is not None and (not head.startswith((b"MZ", b"#!")) or b"\x00" in head[:1024]):
        return kind
    return None


# --- PDFs --------------------------------------------------------------------------------------------------

# Keys and names of PDF objects that run something, start programs or carry files.
_PDF_ACTIVE_KEYS = {"/JS": "JavaScript", "/JavaScript": "JavaScript", "/EmbeddedFiles": "embedded files",
                    "/EF": "embedded files", "/XFA": "a scripted (XFA) form", "/RichMedia": "embedded media"}
_PDF_ACTIVE_NAMES = {"/JavaScript": "JavaScript", "/Launch": "an action that starts a program",
                     "/ImportData": "an action that imports data", "/GoToE": "a link into an embedded file",
                     "/EmbeddedFile": "embedded files", "/RichMedia": "embedded media",
                     "/RichMediaExecute": "embedded media", "/FileAttachment": "embedded files",
                     "/GoToR": "a link that opens another file", "/SubmitForm": "a form that sends data elsewhere",
                     "/Sound": "embedded media", "/Movie": "embedded media", "/Screen": "embedded media",
                     "/Rendition": "embedded media", "/3D": "embedded media"}
# Actions that run by themselves (the document opens, a page shows): a web address there is opened unasked.
_PDF_AUTOMATIC_KEYS = ("/OpenAction", "/AA")
_PDF_NAME_KEYS = ("/S", "/Type", "/Subtype")
_PDF_MAX_DEPTH = 64
PDF_MAX_OBJECTS = 200_000  # a 500-page scan has a few thousand; the walk below costs time per object
_PDF_HEAD_BYTES = 1024  # what content-sniffing browsers read before deciding what a file is
_PDF_TAIL_BYTES = 64 * 1024
_FIRST_OBJECT = re.compile(rb"\d+\s+\d+\s+obj\b")


def _refusal(message: str, code: str, field: str | None) -> ValidationError:
    error = ValidationError(message, code=code)
    return ValidationError({field: error}) if field else error


def check_pdf(upload: IO[bytes], *, field: str | None = "file") -> None:
    """Refuse anything but a PDF that opens as it is and holds nothing active (see the module's docstring).

    ValidationError on ``field`` (or without a field when None), with a ``code``: not_pdf, web_page, broken,
    password, too_complex, active. The file is left at its start.
    """
    import pikepdf

    upload.seek(0)
    head = upload.read(_PDF_HEAD_BYTES)
    try:
        if not head.startswith(b"%PDF-"):
            raise _refusal(MSG_NOT_PDF.format(what=looks_like(head)), "not_pdf", field)
        if _web_page_around_objects(upload, head):
            raise _refusal(MSG_PDF_WEB_PAGE, "web_page", field)
        upload.seek(0)
        try:
            # No repair: qpdf would rebuild a truncated file, or one whose objects sit behind a web page.
            with pikepdf.open(upload, attempt_recovery=False) as pdf:
                if len(pdf.objects) > PDF_MAX_OBJECTS:
                    raise _refusal(MSG_PDF_TOO_COMPLEX.format(limit=PDF_MAX_OBJECTS), "too_complex", field)
                try:
                    found = _pdf_active_content(pdf, pikepdf)
                except _TooDeep:
                    raise _refusal(MSG_PDF_TOO_DEEP, "too_complex", field) from None
        except pikepdf.PasswordError:
            raise _refusal(MSG_PDF_LOCKED, "password", field) from None
        except (pikepdf.PdfError, RecursionError, ValueError, OverflowError):
            raise _refusal(MSG_BROKEN_PDF, "broken", field) from None
        if found:
            raise _refusal(MSG_PDF_ACTIVE.format(what=" and ".join(sorted(found))), "active", field)
    finally:
        upload.seek(0)


def _web_page_around_objects(upload: IO[bytes], head: bytes) -> bool:
    """HTML before the first object, or after the last end-of-file marker: the parts a PDF reader skips and a
    browser reads."""
    first_object = _FIRST_OBJECT.search(head)
    if WEB_MARKUP.search(head[: first_object.start()] if first_object else head):
        return True
    upload.seek(0, 2)
    size = upload.tell()
    upload.seek(max(0, size - _PDF_TAIL_BYTES))
    tail = upload.read()
    end = tail.rfind(b"%%EOF")
    return end >= 0 and WEB_MARKUP.search(tail[end + 5:]) is not None


class _TooDeep(Exception):
    pass


def _opens_a_web_address(action, pikepdf) -> bool:
    """An /OpenAction, or an /AA dictionary of trigger → action, that is (or holds) a /URI action."""
    actions = [action]
    if isinstance(action, pikepdf.Dictionary) and "/S" not in action:
        actions = [action.get(key) for key in action.keys()]  # noqa: SIM118 (/AA: trigger → action)
    return any(isinstance(a, pikepdf.Dictionary) and a.get("/S") == pikepdf.Name("/URI") for a in actions)


def _pdf_active_content(pdf, pikepdf) -> set[str]:
    """Walk every object of the file (and the direct dictionaries and arrays inside them) for active content."""
    found: set[str] = set()
    stack = [(obj, 0) for obj in pdf.objects]
    while stack:
        obj, depth = stack.pop()
        if depth > _PDF_MAX_DEPTH:  # nothing a genuine document needs; unchecked depth could hide an action
            raise _TooDeep
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            for key in obj.keys():  # noqa: SIM118 (a pikepdf dictionary, not a dict)
                if key in _PDF_ACTIVE_KEYS:
                    found.add(_PDF_ACTIVE_KEYS[key])
                value = obj.get(key)
                if key in _PDF_AUTOMATIC_KEYS and _opens_a_web_address(value, pikepdf):
                    found.add("an action that opens a web address by itself")
                if key in _PDF_NAME_KEYS and isinstance(value, pikepdf.Name) and str(value) in _PDF_ACTIVE_NAMES:
                    found.add(_PDF_ACTIVE_NAMES[str(value)])
                if isinstance(value, pikepdf.Dictionary | pikepdf.Array) and not value.is_indirect:
                    stack.append((value, depth + 1))
        elif isinstance(obj, pikepdf.Array):
            stack.extend((item, depth + 1) for item in obj
                         if isinstance(item, pikepdf.Dictionary | pikepdf.Array) and not item.is_indirect)
    return found
