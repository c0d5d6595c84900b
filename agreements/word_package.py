"""Opening a DOCX that comes from outside, safely: the parts the Word importer reads, or a refusal saying why.

* at most 20 MB as uploaded; a zip (a DOCX is one) with ``[Content_Types].xml`` and ``word/document.xml``;
* no zip bomb: at most ``MAX_ENTRIES`` entries, at most 50 MB unpacked in all (the declared sizes are
  checked first, and every read is capped by what is left of the budget; ``zipfile`` itself never returns
  more than an entry declares), no entry compressed more than ``MAX_RATIO`` times;
* at most ``MAX_PARAGRAPHS`` paragraphs (a long agreement has a few thousand): the reader's work grows with
  them, and repetitive paragraphs pack small, so size alone does not bound it;
* no macros or ActiveX controls (a ``vbaProject.bin`` or an ``activeX/`` part): the reader would never run them,
  but an agreement has no use for them and they mark the wrong file, or a hostile one;
* relationships to outside the package are never followed: only hyperlinks to http(s) addresses are read, as
  link targets (Word writes other external relationships for ordinary documents, such as the template a
  document was made from, so they are not a reason to refuse one);
* XML parsed by lxml with entities left unresolved, no network and no DTD loading, and any DOCTYPE or
  ENTITY declaration refused outright, by a byte check and again by the parse: Word never writes one, and
  they are how XXE and "billion laughs" attacks start. (defusedxml is not needed: lxml's own switches cover
  it, and lxml is already a dependency through python-docx.)

The document properties are read the same way, for one value: the "identifier" the export stamps (which
agreement and version the copy was made from), kept as the core property ``dc:identifier`` by Word and
LibreOffice, or as a custom property named "identifier" (older LibreOffice). Returned as found, unchecked.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from itertools import islice

from django.core.exceptions import ValidationError
from lxml import etree

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ENTRIES = 2_000
MAX_RATIO = 200  # unpacked / packed size of one entry; real DOCX parts stay far below
RATIO_APPLIES_ABOVE = 1024 * 1024  # small entries may compress well without meaning anything
MAX_PARAGRAPHS = 50_000

MSG_NOT_DOCX = ("This file is not a Word document (.docx). Save it from Word as “Word Document (.docx)” and upload "
                "that copy; a password-protected document cannot be read either.")
MSG_TOO_LARGE = "The file is larger than 20 MB; an agreement in Word is far smaller. Check that it is the right file."
MSG_ZIP_BOMB = ("This file unpacks to far more than any agreement could (over 50 MB, too many parts, or packed to an "
                "implausible degree), so it was refused without being read.")
MSG_TOO_MANY_PARAGRAPHS = (f"This document has more than {MAX_PARAGRAPHS:,} paragraphs, far more than any agreement, "
                           "so it was refused without being read. Check that it is the right file.")
MSG_NO_DOCUMENT = "This file has no document text in it (word/document.xml is missing): it is not a Word document."
MSG_DTD = ("This document carries XML declarations (DOCTYPE or ENTITY) that Word never writes and that can be used "
           "to make a server read other files, so it was refused.")
MSG_MACROS = ("This document carries macros or ActiveX controls, which an agreement never needs and which can run "
              "code on the computer of whoever opens it, so it was refused. Save it from Word as “Word Document "
              "(.docx)” (Word leaves the macros out) and upload that copy.")
MSG_DAMAGED = "This document is damaged and could not be read. Open it in Word, save it again and upload that copy."

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DC_NS = "http://purl.org/dc/elements/1.1/"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
IDENTIFIER_MAX_LENGTH = 255
# A .docm's VBA project (and its signature), and ActiveX controls: code a Word document can carry.
_ACTIVE_PART = re.compile(r"(?i)(^|/)(vbaProject\.bin|vbaProjectSignature\.bin|vbaData\.xml)$|(^|/)activeX/")
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)|<\x00!\x00(D\x00O\x00C|E\x00N\x00T)", re.IGNORECASE)


def w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


# ------------------------------------------------------------------------------------------- The package


@dataclass
class Package:
    body: etree._Element
    styles: dict[str, str]  # styleId -> style name, lower case ("heading 2", "list number")
    numbering: dict[tuple[str, str], str]  # (numId, ilvl) -> numFmt ("decimal", "bullet", ...)
    links: dict[str, str]  # relationship id -> external web address
    identifier: str = ""  # the document's "identifier" property, as found ("" when it has none)


def _parse_xml(data: bytes) -> etree._Element:
    if _DECLARATION.search(data):
        raise refuse(MSG_DTD, "dtd")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        raise refuse(MSG_DAMAGED, "damaged") from None
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or next(root.iter(etree.Entity), None) is not None:
        raise refuse(MSG_DTD, "dtd")  # another encoding slipped past the byte check: the parse still tells
    return root


class _Reader:
    """Reads entries of the zip within one budget of unpacked bytes, whatever the headers claim."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.budget = MAX_UNPACKED_BYTES

    def read(self, name: str) -> bytes:
        try:
            with self.archive.open(name) as entry:
                data = entry.read(self.budget + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
            raise refuse(MSG_DAMAGED, "damaged") from None
        except (RuntimeError, NotImplementedError):  # encrypted, or a compression zipfile does not know
            raise refuse(MSG_NOT_DOCX, "not_docx") from None
        if len(data) > self.budget:
            raise refuse(MSG_ZIP_BOMB, "zip_bomb")
        self.budget -= len(data)
        return data


def open_package(data: bytes) -> Package:
    """The parts of a DOCX the importer needs, or ValidationError saying why the file is refused."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise refuse(MSG_TOO_LARGE, "too_large")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        raise refuse(MSG_NOT_DOCX, "not_docx") from None
    if len(entries) > MAX_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        raise refuse(MSG_ZIP_BOMB, "zip_bomb")
    for entry in entries:
        if entry.file_size > RATIO_APPLIES_ABOVE and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise refuse(MSG_ZIP_BOMB, "zip_bomb")
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names:
        raise refuse(MSG_NOT_DOCX, "not_docx")
    if "word/document.xml" not in names:
        raise refuse(MSG_NO_DOCUMENT, "no_document")
    if any(_ACTIVE_PART.search(name) for name in names):
        raise refuse(MSG_MACROS, "macros")
    reader = _Reader(archive)
    document = _parse_xml(reader.read("word/document.xml"))
    body = document.find(w("body"))
    if document.tag != w("document") or body is None:
        raise refuse(MSG_NO_DOCUMENT, "no_document")
    if next(islice(body.iter(w("p")), MAX_PARAGRAPHS, None), None) is not None:
        raise refuse(MSG_TOO_MANY_PARAGRAPHS, "too_many_paragraphs")
    optional = {name: _parse_xml(reader.read(name)) for name in
                ("word/styles.xml", "word/numbering.xml", "word/_rels/document.xml.rels", "docProps/core.xml",
                 "docProps/custom.xml") if name in names}
    return Package(body=body, styles=_styles(optional.get("word/styles.xml")),
                   numbering=_numbering(optional.get("word/numbering.xml")),
                   links=_links(optional.get("word/_rels/document.xml.rels")),
                   identifier=_identifier(optional.get("docProps/core.xml"), optional.get("docProps/custom.xml")))


def _styles(root) -> dict[str, str]:
    if root is None:
        return {}
    styles = {}
    for style in root.iter(w("style")):
        name = style.find(w("name"))
        if style.get(w("styleId")) and name is not None:
            styles[style.get(w("styleId"))] = (name.get(w("val")) or "").strip().lower()
    return styles


def _numbering(root) -> dict[tuple[str, str], str]:
    if root is None:
        return {}
    formats: dict[str, dict[str, str]] = {}
    for abstract in root.iter(w("abstractNum")):
        levels = {}
        for level in abstract.iter(w("lvl")):
            fmt = level.find(w("numFmt"))
            levels[level.get(w("ilvl"), "0")] = fmt.get(w("val"), "decimal") if fmt is not None else "decimal"
        formats[abstract.get(w("abstractNumId"), "")] = levels
    numbering = {}
    for num in root.iter(w("num")):
        abstract = num.find(w("abstractNumId"))
        if abstract is not None:
            for ilvl, fmt in formats.get(abstract.get(w("val"), ""), {}).items():
                numbering[(num.get(w("numId"), ""), ilvl)] = fmt
    return numbering


def _links(root) -> dict[str, str]:
    if root is None:
        return {}
    links = {}
    for rel in root.iter(f"{{{PKG_REL_NS}}}Relationship"):
        target = (rel.get("Target") or "").strip()
        if rel.get("Type", "").endswith("/hyperlink") and re.match(r"(?i)^https?://\S+$", target):
            links[rel.get("Id", "")] = target
    return links


def _identifier(core, custom) -> str:
    """The core property dc:identifier, else a custom property named "identifier" (as LibreOffice keeps it)."""
    candidates = []
    if core is not None:
        candidates += [element.text for element in core.iter(f"{{{DC_NS}}}identifier")]
    if custom is not None:
        candidates += ["".join(element.itertext()) for element in custom.iter(f"{{{CUSTOM_NS}}}property")
                       if (element.get("name") or "").strip().lower() == "identifier"]
    return next((text.strip()[:IDENTIFIER_MAX_LENGTH] for text in candidates if text and text.strip()), "")


__all__ = ["MAX_UPLOAD_BYTES", "MSG_DAMAGED", "MSG_DTD", "MSG_NOT_DOCX", "MSG_NO_DOCUMENT", "MSG_TOO_LARGE",
           "MSG_MACROS", "MSG_TOO_MANY_PARAGRAPHS", "MSG_ZIP_BOMB", "Package", "open_package", "w"]
