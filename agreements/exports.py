"""Exports of an agreement version: DOCX, PDF and redlines. Pure functions, data in, bytes/HTML out.

Everything starts from a :class:`~agreements.rendering.RenderedAgreement` (placeholders filled, HTML
cleaned by nh3), so the exports read exactly like the web page. No database, no request.

Reproducibility (issue 5, item 6: "the same version gives the same text"):

* DOCX: byte-identical for the same input. Core properties carry fixed dates and no volatile author,
  and the zip is rewritten with a fixed timestamp for every entry (python-docx stamps entries with
  the current time).
* PDF: byte-identical for the same input with the installed WeasyPrint: it writes no creation or
  modification date unless the HTML asks for one (the template does not), and no file identifier
  by default. The tests check both.

Word round trip (issue 14): each clause of the DOCX sits inside a bookmark named from its key
(``clause_bookmark_name``), so ``agreements.word`` can find it again in a copy counsel edited; and the
document's core property "identifier" carries ``RenderedAgreement.reference`` (which agreement, which
version), so an edited copy is read against the version it was made from and no other. Word and LibreOffice
keep it when they save (older LibreOffice as a custom property named "identifier"; the importer reads both).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from html import escape
from html.parser import HTMLParser

from agreements.rendering import RenderedAgreement, RenderedClause, RenderedParty, plain_text
from agreements.sanitize import clean_html
from toolkit.text import xml_safe

# A fixed moment for everything that would otherwise carry "now" (core properties, zip entries).
FIXED_DATETIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_ZIP_DATE_TIME = (2000, 1, 1, 0, 0, 0)

DRAFT_NOTICE = "DRAFT — not for signature"
SIGNATURE_LINE = "_" * 32
FOOTER_NOTICE = "A working text for the parties and their counsel; not legal advice."
# The frame of the agreement around its clauses; the Word importer (agreements.word) finds the clauses by it.
TERMS_HEADING = "Terms"
SIGNATURES_HEADING = "Signatures"
CLAUSE_BOOKMARK_PREFIX = "clause_"
BOOKMARK_MAX_LENGTH = 40  # Word's limit; names are letters, digits and underscores, starting with a letter


def clause_heading(number: int, title: str) -> str:
    return f"{number}. {title}"


def clause_bookmark_name(key: str) -> str:
    """The Word bookmark that marks a clause: ``clause_`` and the key, hyphens as underscores.

    A key that would not survive that plainly (too long for Word's 40 characters, or with an underscore
    that could be taken for a hyphen) is shortened and given 8 hex digits of its hash, so two keys never
    share a name; the importer inverts the mapping from the version's own keys.
    """
    name = CLAUSE_BOOKMARK_PREFIX + key.replace("-", "_")
    if re.fullmatch(r"[A-Za-z0-9-]+", key) and len(name) <= BOOKMARK_MAX_LENGTH:
        return name
    digest = hashlib.sha256(key.encode()).hexdigest()[:8]
    room = BOOKMARK_MAX_LENGTH - len(CLAUSE_BOOKMARK_PREFIX) - len(digest) - 1
    return f"{CLAUSE_BOOKMARK_PREFIX}{re.sub(r'[^A-Za-z0-9]', '_', key)[:room]}_{digest}"


def scrubbed(agreement: RenderedAgreement) -> RenderedAgreement:
    """Every text of the agreement as XML (DOCX) and WeasyPrint can hold it.

    ``selectors.render_version`` already scrubs what it reads; the exports do it again because they
    are pure functions anyone may hand a ``RenderedAgreement`` to, and one control character is
    enough for python-docx to refuse the whole document.
    """
    return replace(
        agreement,
        title=xml_safe(agreement.title),
        kind_label=xml_safe(agreement.kind_label),
        workgroup_name=xml_safe(agreement.workgroup_name),
        status_label=xml_safe(agreement.status_label),
        parties=tuple(RenderedParty(xml_safe(p.name), xml_safe(p.signatory_name), xml_safe(p.signatory_title),
                                    xml_safe(p.signed_on)) for p in agreement.parties),
        # nh3 again as well: it turns character references (``&#1;``) into the characters, xml_safe drops them.
        clauses=tuple(RenderedClause(c.key, c.number, xml_safe(c.title), xml_safe(clean_html(xml_safe(c.html))))
                      for c in agreement.clauses),
        variables={xml_safe(label): xml_safe(value) for label, value in agreement.variables.items()},
        reference=xml_safe(agreement.reference),
    )


# --------------------------------------------------------------------------------------------- DOCX


def _version_line(agreement: RenderedAgreement) -> str:
    return " · ".join(
        part for part in (
            agreement.kind_label,
            agreement.workgroup_name,
            f"Version {agreement.version_number} — {agreement.status_label}",
        ) if part
    )


@dataclass
class _RunSpec:
    """A piece of text waiting for its paragraph: its formatting and, for a link, its address."""

    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False
    href: str | None = None
    is_break: bool = False


LINK_COLOR = (0x05, 0x63, 0xC1)  # Word's own hyperlink blue


def _web_address(href: str | None) -> str | None:
    """The sanitiser keeps only http(s) links; the writer checks again, being a pure function anyone may call."""
    if not href:
        return None
    href = xml_safe(href).strip()
    return href if re.match(r"(?i)^https?://[^\s]+$", href) else None


class _DocxHTMLWriter(HTMLParser):
    """Writes clause HTML into a document: what the sanitiser lets through and nothing else.

    p and br; h3 and h4 as Word's Heading 3 and Heading 4; ol, ul, li as List Number / List Bullet (three
    levels); strong/b, em/i, u as run formatting; a[href] (http/https only) as a real Word hyperlink to the
    address; table/thead/tbody/tr/th/td as a simple grid (header rows repeat on each page, their text bold).
    Unknown tags are ignored but their text is kept; text is always written as text, never markup.
    Each <ol> restarts its numbering at 1 (a fresh Word numbering instance per list). A table inside a table
    is flattened into its cell: its cells become paragraphs.
    """

    def __init__(self, document, numbering: _Numbering):
        super().__init__(convert_charrefs=True)
        self.document = document
        self.numbering = numbering
        self.bold = 0
        self.italic = 0
        self.underline = 0
        self.links: list[str | None] = []  # the address of each open <a> (None: not a web address)
        self.lists: list[tuple[str, int | None]] = []  # ("ol"|"ul", numId or None)
        # The paragraph being collected: its runs, and where it goes (a body style, or the current table cell).
        self.pending: list[_RunSpec] | None = None
        self.pending_style: tuple[str | None, int | None] = (None, None)
        self.table: dict | None = None  # {"rows": [{"header": bool, "cells": [{"header", "paragraphs"}]}], ...}
        self.nested_tables = 0

    # -- paragraphs
    def _new_paragraph(self, *, list_item: bool = False, style: str | None = None) -> None:
        self.pending = []
        if self.table is not None:
            return  # a paragraph of the current cell: plain, whatever its tag
        num_id = None
        if style is None and self.lists:
            kind, list_num = self.lists[-1]
            depth = min(len(self.lists), 3)
            suffix = "" if depth == 1 else f" {depth}"
            if list_item:
                style = ("List Number" if kind == "ol" else "List Bullet") + suffix
                num_id = list_num
            else:  # text after a nested list, still inside the outer item
                style = "List Continue" + suffix
        self.pending_style = (style, num_id)

    def _end_paragraph(self) -> None:
        if self.pending is None:
            return
        runs, self.pending = self.pending, None
        while runs and not runs[-1].is_break and runs[-1].text.endswith(" "):
            runs[-1].text = runs[-1].text.rstrip(" ")
            if not runs[-1].text:
                runs.pop()
        if self.table is not None:
            self._cell()["paragraphs"].append(runs)
            return
        style, num_id = self.pending_style
        paragraph = self.document.add_paragraph(style=style) if style else self.document.add_paragraph()
        if num_id is not None:
            self.numbering.apply(paragraph, num_id)
        for spec in runs:
            _write_run(paragraph, spec)

    # -- tables
    def _row(self) -> dict:
        if not self.table["rows"]:
            self.table["rows"].append({"header": self.table["in_head"], "cells": []})
        return self.table["rows"][-1]

    def _cell(self) -> dict:
        row = self._row()
        if not row["cells"]:
            row["cells"].append({"header": False, "paragraphs": []})
        return row["cells"][-1]

    def _table_tag(self, tag: str, *, start: bool) -> None:
        if tag == "table":
            if not start:
                if self.nested_tables:
                    self.nested_tables -= 1
                    return
                self._end_paragraph()
                table, self.table = self.table, None
                _write_table(self.document, table["rows"])
            elif self.table is not None:
                self.nested_tables += 1
            else:
                self._end_paragraph()
                self.table = {"rows": [], "in_head": False}
            return
        if self.table is None:
            return  # a stray cell tag outside any table: its text is kept as ordinary text
        if self.nested_tables:  # flattened: each inner cell starts a paragraph of the outer cell
            if tag in ("td", "th"):
                self._end_paragraph()
                if start:
                    self._new_paragraph()
            return
        if tag == "thead":
            self.table["in_head"] = start
        elif tag == "tr" and start:
            self._end_paragraph()
            self.table["rows"].append({"header": self.table["in_head"], "cells": []})
        elif tag in ("td", "th"):
            self._end_paragraph()
            if start:
                self._row()["cells"].append({"header": tag == "th", "paragraphs": []})
                self._new_paragraph()

    # -- parser callbacks
    def handle_starttag(self, tag, attrs):
        if tag in ("table", "thead", "tbody", "tr", "th", "td"):
            self._table_tag(tag, start=True)
        elif tag in ("p", "h3", "h4"):
            self._end_paragraph()
            self._new_paragraph(style={"h3": "Heading 3", "h4": "Heading 4"}.get(tag))
        elif tag in ("ol", "ul"):
            self._end_paragraph()
            if self.table is None:
                num_id = self.numbering.new_list(min(len(self.lists) + 1, 3)) if tag == "ol" else None
                self.lists.append((tag, num_id))
        elif tag == "li":
            self._end_paragraph()
            self._new_paragraph(list_item=True)
        elif tag == "br":
            if self.pending is None:
                self._new_paragraph()
            else:
                if self.pending and self.pending[-1].text.endswith(" "):
                    self.pending[-1].text = self.pending[-1].text.rstrip(" ")
                self.pending.append(_RunSpec("", is_break=True))
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
        elif tag == "u":
            self.underline += 1
        elif tag == "a":
            self.links.append(_web_address(dict(attrs).get("href")))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in ("table", "thead", "tbody", "tr", "th", "td"):
            self._table_tag(tag, start=False)
        elif tag in ("p", "li", "h3", "h4"):
            self._end_paragraph()
        elif tag in ("ol", "ul"):
            self._end_paragraph()
            if self.lists and self.table is None:
                self.lists.pop()
        elif tag in ("strong", "b"):
            self.bold = max(0, self.bold - 1)
        elif tag in ("em", "i"):
            self.italic = max(0, self.italic - 1)
        elif tag == "u":
            self.underline = max(0, self.underline - 1)
        elif tag == "a" and self.links:
            self.links.pop()

    def handle_data(self, data):
        # The parser decodes character references (``&#1;``): scrub what they name, too.
        text = re.sub(r"\s+", " ", xml_safe(data))
        if self.pending is None:
            if not text.strip():
                return  # whitespace between block tags
            if self.table is not None:
                self._cell()  # text straight in a row: it still lands in a cell
            self._new_paragraph()
        last = self.pending[-1] if self.pending else None
        if last is None or last.is_break or last.text.endswith(" "):
            text = text.lstrip(" ")
        if not text:
            return
        href = next((link for link in reversed(self.links) if link), None) if self.links else None
        self.pending.append(_RunSpec(text, bold=bool(self.bold), italic=bool(self.italic),
                                     underline=bool(self.underline), href=href))

    def close(self):
        super().close()
        self._end_paragraph()
        if self.table is not None:  # an unclosed table: write what it has
            self.nested_tables = 0
            self._table_tag("table", start=False)


def _write_run(paragraph, spec: _RunSpec, *, bold: bool = False) -> None:
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import RGBColor

    run = paragraph.add_run()
    if spec.is_break:
        run.add_break()
        return
    run.text = spec.text
    if spec.bold or bold:
        run.bold = True
    if spec.italic:
        run.italic = True
    if spec.underline or spec.href:
        run.underline = True
    if spec.href:
        run.font.color.rgb = RGBColor(*LINK_COLOR)
        # A real hyperlink: Word and LibreOffice open it, and the importer reads the address back.
        r_id = paragraph.part.relate_to(spec.href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        hyperlink = OxmlElement("w:hyperlink")
        hyperlink.set(qn("r:id"), r_id)
        run._r.addprevious(hyperlink)
        hyperlink.append(run._r)


def _write_table(document, rows: list[dict]) -> None:
    from docx.oxml import OxmlElement

    rows = [row for row in rows if row["cells"]]
    if not rows:
        return
    table = document.add_table(rows=len(rows), cols=max(len(row["cells"]) for row in rows))
    table.style = "Table Grid"
    for spec, row in zip(rows, table.rows, strict=True):
        header = spec["header"] or all(cell["header"] for cell in spec["cells"])
        if header:  # repeated at the top of each page, and read back as the table's head
            row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        for cell_spec, cell in zip(spec["cells"], row.cells, strict=False):
            for index, runs in enumerate(cell_spec["paragraphs"] or [[]]):
                paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
                for run in runs:
                    _write_run(paragraph, run, bold=header or cell_spec["header"])


class _Numbering:
    """Fresh numbering instances so each <ol> in each clause counts from 1 in Word and LibreOffice."""

    def __init__(self, document):
        from docx.oxml.ns import qn

        self.qn = qn
        self.document = document
        self.numbering = document.part.numbering_part.element
        self.abstract_for_style: dict[str, str] = {}
        for level in (1, 2, 3):
            name = "List Number" + ("" if level == 1 else f" {level}")
            style_num = document.styles[name].element.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
            num_id = style_num.get(qn("w:val"))
            for num in self.numbering.findall(qn("w:num")):
                if num.get(qn("w:numId")) == num_id:
                    self.abstract_for_style[level] = num.find(qn("w:abstractNumId")).get(qn("w:val"))
        self.next_id = max(int(n.get(qn("w:numId"))) for n in self.numbering.findall(qn("w:num"))) + 1

    def new_list(self, level: int) -> int | None:
        from docx.oxml import OxmlElement

        qn = self.qn
        abstract = self.abstract_for_style.get(level)
        if abstract is None:
            return None
        num = OxmlElement("w:num")
        num.set(qn("w:numId"), str(self.next_id))
        abstract_el = OxmlElement("w:abstractNumId")
        abstract_el.set(qn("w:val"), abstract)
        num.append(abstract_el)
        override = OxmlElement("w:lvlOverride")
        override.set(qn("w:ilvl"), "0")
        start = OxmlElement("w:startOverride")
        start.set(qn("w:val"), "1")
        override.append(start)
        num.append(override)
        self.numbering.append(num)  # w:num elements come after all w:abstractNum elements
        self.next_id += 1
        return self.next_id - 1

    def apply(self, paragraph, num_id: int) -> None:
        from docx.oxml import OxmlElement

        qn = self.qn
        p_pr = paragraph._p.get_or_add_pPr()
        num_pr = OxmlElement("w:numPr")
        ilvl = OxmlElement("w:ilvl")
        ilvl.set(qn("w:val"), "0")
        num_id_el = OxmlElement("w:numId")
        num_id_el.set(qn("w:val"), str(num_id))
        num_pr.append(ilvl)
        num_pr.append(num_id_el)
        # numPr must follow pStyle (and keepNext/keepLines/pageBreakBefore/framePr/widowControl) in pPr.
        style = p_pr.find(qn("w:pStyle"))
        if style is not None:
            style.addnext(num_pr)
        else:
            p_pr.insert(0, num_pr)


def html_to_docx(document, html: str, numbering: _Numbering | None = None) -> None:
    """Append clause HTML to a python-docx document as paragraphs and runs."""
    writer = _DocxHTMLWriter(document, numbering or _Numbering(document))
    writer.feed(html)
    writer.close()


def _set_cell(cell, text: str, *, bold: bool = False) -> None:
    cell.text = ""
    run = cell.paragraphs[0].add_run(text)
    if bold:
        run.bold = True


def _keep_with_next(paragraph) -> None:
    paragraph.paragraph_format.keep_with_next = True


def _signature_block(document, party: RenderedParty) -> None:
    heading = document.add_paragraph()
    heading.add_run(party.name).bold = True
    _keep_with_next(heading)
    table = document.add_table(rows=4, cols=2)
    rows = (
        ("Signature:", SIGNATURE_LINE),
        ("Name:", party.signatory_name or SIGNATURE_LINE),
        ("Title:", party.signatory_title or SIGNATURE_LINE),
        ("Date:", party.signed_on or SIGNATURE_LINE),
    )
    for row, (label, value) in zip(table.rows, rows, strict=True):
        _set_cell(row.cells[0], label, bold=True)
        _set_cell(row.cells[1], value)
        row.cells[0].width = _cm(3.0)
        row.cells[1].width = _cm(12.0)
        for cell in row.cells:
            _keep_with_next(cell.paragraphs[0])
    _keep_together_rows(table)
    document.add_paragraph()


def _keep_together_rows(table) -> None:
    from docx.oxml import OxmlElement

    for row in table.rows:
        tr_pr = row._tr.get_or_add_trPr()
        cant_split = OxmlElement("w:cantSplit")
        tr_pr.append(cant_split)


def _cm(value: float):
    from docx.shared import Cm

    return Cm(value)


def write_reproducible_zip(target, entries) -> None:
    """Write ``(name, bytes)`` entries as a zip into ``target`` with fixed dates: the same input, the same bytes."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            fixed = zipfile.ZipInfo(name, date_time=_ZIP_DATE_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            fixed.create_system = 0
            archive.writestr(fixed, data)


def _reproducible_zip(data: bytes) -> bytes:
    """Rewrite the zip with a fixed date for every entry, same order, same compression."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    write_reproducible_zip(out, ((info.filename, source.read(info.filename)) for info in source.infolist()))
    return out.getvalue()


def agreement_docx(agreement: RenderedAgreement) -> bytes:
    """The agreement as a Word document; the same input always gives the same bytes."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    agreement = scrubbed(agreement)

    document = docx.Document()
    section = document.sections[0]
    section.left_margin = section.right_margin = _cm(2.2)
    section.top_margin = section.bottom_margin = _cm(2.2)

    # Running header and page numbers (fields are updated by Word/LibreOffice on open).
    header = section.header.paragraphs[0]
    header.text = f"{agreement.title} · Version {agreement.version_number}"
    if not agreement.for_signature:
        header.add_run(f" · {DRAFT_NOTICE}")
    for run in header.runs:
        run.font.size = Pt(8)
        run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _page_x_of_y(footer)
    notice = footer.insert_paragraph_before(style=footer.style)
    notice_run = notice.add_run(FOOTER_NOTICE)
    notice_run.font.size = Pt(8)
    notice_run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)

    document.add_paragraph(agreement.title, style="Title")
    document.add_paragraph(_version_line(agreement))
    if not agreement.for_signature:
        notice = document.add_paragraph()
        run = notice.add_run(DRAFT_NOTICE)
        run.bold = True
        run.font.size = Pt(14)
        run.font.color.rgb = RGBColor(0xB0, 0x00, 0x20)

    document.add_heading("Parties", level=1)
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells, ("Party", "Signatory", "Title"), strict=True):
        _set_cell(cell, label, bold=True)
    for party in agreement.parties:
        cells = table.add_row().cells
        _set_cell(cells[0], party.name)
        _set_cell(cells[1], party.signatory_name or "—")
        _set_cell(cells[2], party.signatory_title or "—")

    document.add_heading(TERMS_HEADING, level=1)
    numbering = _Numbering(document)
    for bookmark_id, clause in enumerate(agreement.clauses):
        heading = document.add_heading(clause_heading(clause.number, clause.title), level=2)
        html_to_docx(document, clause.html, numbering)
        _bookmark_clause(document, heading, bookmark_id, clause_bookmark_name(clause.key))

    document.add_heading(SIGNATURES_HEADING, level=1)
    for party in agreement.parties:
        _signature_block(document, party)

    props = document.core_properties
    props.title = agreement.title
    props.subject = f"{agreement.kind_label} — Version {agreement.version_number}"
    props.author = agreement.workgroup_name
    props.last_modified_by = agreement.workgroup_name
    props.comments = ""
    props.keywords = ""
    props.category = agreement.kind_label
    props.revision = max(1, agreement.version_number)
    props.created = FIXED_DATETIME
    props.modified = FIXED_DATETIME
    props.last_printed = FIXED_DATETIME
    if agreement.reference:  # where the text came from; fixed for a version, so the bytes stay reproducible
        props.identifier = agreement.reference[:255]

    buffer = io.BytesIO()
    document.save(buffer)
    return _reproducible_zip(buffer.getvalue())


def _bookmark_clause(document, heading, bookmark_id: int, name: str) -> None:
    """A Word bookmark named after the clause around its heading and body, so an edited copy can be read back.

    It starts in the heading paragraph and ends after the clause's last block (in its last paragraph, or
    just after a table that closes the clause). Ids count from 0 in document order: the same input, the
    same bytes.
    """
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    start.set(qn("w:id"), str(bookmark_id))
    start.set(qn("w:name"), name)
    end.set(qn("w:id"), str(bookmark_id))
    p = heading._p
    p_pr = p.find(qn("w:pPr"))
    if p_pr is not None:
        p_pr.addnext(start)
    else:
        p.insert(0, start)
    body = document.element.body
    last = body[-1]
    if last.tag == qn("w:sectPr"):
        last = last.getprevious()
    if last.tag == qn("w:p"):
        last.append(end)
    else:
        last.addnext(end)


def _page_x_of_y(paragraph) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    def field(instruction: str):
        begin, instr, separate, text, end = (OxmlElement("w:fldChar"), OxmlElement("w:instrText"),
                                             OxmlElement("w:fldChar"), OxmlElement("w:t"), OxmlElement("w:fldChar"))
        begin.set(qn("w:fldCharType"), "begin")
        instr.set(qn("xml:space"), "preserve")
        instr.text = f" {instruction} "
        separate.set(qn("w:fldCharType"), "separate")
        text.text = "1"
        end.set(qn("w:fldCharType"), "end")
        for element in (begin, instr, separate, text, end):
            run = paragraph.add_run()
            run.font.size = Pt(8)
            run._r.append(element)

    for part in ("Page ", ("PAGE",), " of ", ("NUMPAGES",)):
        if isinstance(part, tuple):
            field(part[0])
        else:
            paragraph.add_run(part).font.size = Pt(8)


# ---------------------------------------------------------------------------------------------- PDF


def agreement_pdf(agreement: RenderedAgreement) -> bytes:
    """The agreement as PDF (WeasyPrint; the fetcher in toolkit.pdf allows only data: URIs)."""
    from toolkit.pdf import render_pdf

    agreement = scrubbed(agreement)
    return render_pdf("agreements/pdf/agreement.html", {
        "agreement": agreement,
        "version_line": _version_line(agreement),
        "draft_notice": DRAFT_NOTICE,
    })


# ------------------------------------------------------------------------------------------ Redline

_TOKEN = re.compile(r"\n|[^\s]+")
NEWLINE = "\n"


_CELL_END = re.compile(r"</t[dh]>")
_ROW_END = re.compile(r"</(h3|h4|tr|table)>")


def _tokens(html: str) -> list[str]:
    # Sub-headings and table rows end a line, cells are apart by a space (plain_text knows p, li and br only).
    return _TOKEN.findall(plain_text(_ROW_END.sub("<br>", _CELL_END.sub(" ", html))))


def _render(tokens: list[tuple[str | None, str]]) -> str:
    """Tokens tagged None/"del"/"ins" → HTML; words escaped, newlines as <br>, runs merged into one tag."""
    out: list[str] = []
    open_tag: str | None = None
    previous: str | None = None
    for tag, word in tokens:
        if word != NEWLINE and previous is not None and previous != NEWLINE:
            # The space between two words goes inside the tag only when both words share it.
            if open_tag is not None and open_tag != tag:
                out.append(f"</{open_tag}>")
                open_tag = None
            out.append(" ")
        if tag != open_tag:
            if open_tag is not None:
                out.append(f"</{open_tag}>")
            if tag is not None:
                out.append(f"<{tag}>")
            open_tag = tag
        out.append("<br>" if word == NEWLINE else escape(word, quote=True))
        previous = word
    if open_tag is not None:
        out.append(f"</{open_tag}>")
    return "".join(out)


def redline(old_html: str, new_html: str) -> str:
    """Word-level redline of two clause texts as safe HTML: <del> for removed words, <ins> for added.

    Both inputs are reduced to plain text first (formatting is not compared); every word is escaped.
    """
    old, new = _tokens(old_html), _tokens(new_html)
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    tagged: list[tuple[str | None, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            tagged.extend((None, t) for t in new[j1:j2])
        else:
            tagged.extend(("del", t) for t in old[i1:i2])
            tagged.extend(("ins", t) for t in new[j1:j2])
    return _render(tagged)


@dataclass(frozen=True)
class ClauseChange:
    key: str
    title: str  # the new title (the old one for a removed clause)
    status: str  # "added" | "removed" | "changed" | "unchanged"
    html: str  # safe redline HTML
    old_title: str = ""  # set when the title changed


def redline_clauses(old: tuple[RenderedClause, ...], new: tuple[RenderedClause, ...]) -> list[ClauseChange]:
    """Clauses matched by key, in the new order; a removed clause sits after the clause it followed before.

    A clause is "changed" when its title or its HTML differs — also for a formatting-only change, which
    the word redline cannot show, so a reviewer is never told "unchanged" about a different text.
    """
    old_by_key = {c.key: c for c in old}
    new_keys = {c.key for c in new}
    # Anchor each removed clause to the nearest earlier old clause that is still present (None: the start).
    removed_after: dict[str | None, list[RenderedClause]] = {}
    anchor: str | None = None
    for clause in old:
        if clause.key in new_keys:
            anchor = clause.key
        else:
            removed_after.setdefault(anchor, []).append(clause)

    def removed(key: str | None) -> list[ClauseChange]:
        return [ClauseChange(c.key, c.title, "removed", redline(c.html, "")) for c in removed_after.get(key, [])]

    changes = removed(None)
    for clause in new:
        before = old_by_key.get(clause.key)
        if before is None:
            changes.append(ClauseChange(clause.key, clause.title, "added", redline("", clause.html)))
        else:
            same = before.html == clause.html and before.title == clause.title
            changes.append(ClauseChange(
                clause.key, clause.title, "unchanged" if same else "changed", redline(before.html, clause.html),
                old_title="" if before.title == clause.title else before.title,
            ))
        changes.extend(removed(clause.key))
    return changes


__all__ = ["ClauseChange", "agreement_docx", "agreement_pdf", "clause_bookmark_name", "clause_heading",
           "html_to_docx", "redline", "redline_clauses", "scrubbed", "write_reproducible_zip"]
