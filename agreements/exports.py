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
"""

from __future__ import annotations

import datetime as dt
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


class _DocxHTMLWriter(HTMLParser):
    """Writes clause HTML (p, br, ol, ul, li, strong, em, b, i — nothing else survives nh3) into a document.

    Unknown tags are ignored but their text is kept; text is always written as text, never markup.
    Each <ol> restarts its numbering at 1 (a fresh Word numbering instance per list).
    """

    def __init__(self, document, numbering: _Numbering):
        super().__init__(convert_charrefs=True)
        self.document = document
        self.numbering = numbering
        self.bold = 0
        self.italic = 0
        self.lists: list[tuple[str, int | None]] = []  # ("ol"|"ul", numId or None)
        self.paragraph = None
        self.after_nested_list = False

    # -- paragraphs
    def _new_paragraph(self, *, list_item: bool = False):
        if self.lists:
            kind, num_id = self.lists[-1]
            depth = min(len(self.lists), 3)
            suffix = "" if depth == 1 else f" {depth}"
            if list_item:
                style = ("List Number" if kind == "ol" else "List Bullet") + suffix
            else:  # text after a nested list, still inside the outer item
                style = "List Continue" + suffix
            self.paragraph = self.document.add_paragraph(style=style)
            if list_item and num_id is not None:
                self.numbering.apply(self.paragraph, num_id)
        else:
            self.paragraph = self.document.add_paragraph()
        return self.paragraph

    def _end_paragraph(self):
        if self.paragraph is not None and self.paragraph.runs:
            last = self.paragraph.runs[-1]
            if last.text.endswith(" "):
                last.text = last.text.rstrip(" ")
        self.paragraph = None

    # -- parser callbacks
    def handle_starttag(self, tag, attrs):
        if tag == "p":
            self._end_paragraph()
            self._new_paragraph()
        elif tag in ("ol", "ul"):
            self._end_paragraph()
            num_id = self.numbering.new_list(min(len(self.lists) + 1, 3)) if tag == "ol" else None
            self.lists.append((tag, num_id))
        elif tag == "li":
            self._end_paragraph()
            self._new_paragraph(list_item=True)
        elif tag == "br":
            if self.paragraph is None:
                self._new_paragraph()
            else:
                if self.paragraph.runs and self.paragraph.runs[-1].text.endswith(" "):
                    self.paragraph.runs[-1].text = self.paragraph.runs[-1].text.rstrip(" ")
                self.paragraph.add_run().add_break()
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in ("p", "li"):
            self._end_paragraph()
        elif tag in ("ol", "ul"):
            self._end_paragraph()
            if self.lists:
                self.lists.pop()
        elif tag in ("strong", "b"):
            self.bold = max(0, self.bold - 1)
        elif tag in ("em", "i"):
            self.italic = max(0, self.italic - 1)

    def handle_data(self, data):
        # The parser decodes character references (``&#1;``): scrub what they name, too.
        text = re.sub(r"\s+", " ", xml_safe(data))
        if self.paragraph is None:
            if not text.strip():
                return  # whitespace between block tags
            self._new_paragraph()
        runs = self.paragraph.runs
        at_start = not runs or not runs[-1].text or runs[-1].text.endswith((" ", "\n"))
        if at_start:
            text = text.lstrip(" ")
        if not text:
            return
        run = self.paragraph.add_run(text)
        if self.bold:
            run.bold = True
        if self.italic:
            run.italic = True

    def close(self):
        super().close()
        self._end_paragraph()


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

    document.add_heading("Terms", level=1)
    numbering = _Numbering(document)
    for clause in agreement.clauses:
        document.add_heading(f"{clause.number}. {clause.title}", level=2)
        html_to_docx(document, clause.html, numbering)

    document.add_heading("Signatures", level=1)
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

    buffer = io.BytesIO()
    document.save(buffer)
    return _reproducible_zip(buffer.getvalue())


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


def _tokens(html: str) -> list[str]:
    return _TOKEN.findall(plain_text(html))


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


__all__ = ["ClauseChange", "agreement_docx", "agreement_pdf", "html_to_docx", "redline", "redline_clauses",
           "scrubbed", "write_reproducible_zip"]
