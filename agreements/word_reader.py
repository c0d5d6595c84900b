"""Reading a Word document that came back from counsel into the app's clause HTML. No database.

``word_package.open_package`` opens the file safely first. Then ``read_agreement`` splits the body into
the app's clauses, by the bookmarks ``agreements.exports`` puts around each clause (``clause_…``), or by
their "N. Title" headings when a bookmark is gone, and reads each clause's paragraphs back into the HTML
clauses are stored as: p, h3/h4 (heading styles), ol/ul/li (list styles or Word numbering), strong/em/u
(run formatting), a[href] (http/https hyperlinks), br and simple tables. Tracked changes are read as
accepted: text in ``w:ins`` is kept, ``w:del`` dropped. Text that belongs to no clause is returned as
"unmatched", with where it was, so nothing is lost.

The reader is the inverse of the export: an untouched export reads back as exactly the HTML it was written
from, and it also reads the same after LibreOffice has rewritten the file (checked by hand).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html import escape

from lxml import etree

from agreements.exports import SIGNATURES_HEADING, TERMS_HEADING, clause_bookmark_name
from agreements.rendering import RenderedClause
from agreements.sanitize import clean_html
from agreements.word_package import R_NS, Package, w
from toolkit.text import xml_safe

# ------------------------------------------------------------------------------------ Paragraphs to HTML


@dataclass
class _Piece:
    text: str = ""
    bold: bool = False
    italic: bool = False
    underline: bool = False
    href: str | None = None
    is_break: bool = False


@dataclass
class _Paragraph:
    kind: str  # "p", "h1" … "h4", "li", "cont"
    list_kind: str = ""  # "ol" | "ul" for "li"
    depth: int = 0
    pieces: list[_Piece] = field(default_factory=list)
    mark_deleted: bool = False  # the paragraph mark is a tracked deletion: it runs on into the next one

    @property
    def text(self) -> str:
        return "".join("\n" if piece.is_break else piece.text for piece in self.pieces).strip()


def _flag(props, name: str) -> bool | None:
    if props is None or (element := props.find(w(name))) is None:
        return None
    value = element.get(w("val"), "true").lower()
    return value not in ("0", "false", "off", "none")


class _InlineReader:
    def __init__(self, package: Package):
        self.package = package

    def pieces(self, paragraph) -> list[_Piece]:
        out: list[_Piece] = []
        self._walk(paragraph, out, href=None)
        return out

    def _walk(self, element, out: list[_Piece], *, href: str | None) -> None:
        for child in element:
            tag = child.tag
            if tag == w("r"):
                self._run(child, out, href)
            elif tag in (w("del"), w("moveFrom")):
                continue  # a proposed deletion: the text as accepted leaves it out
            elif tag == w("hyperlink"):
                self._walk(child, out, href=self.package.links.get(child.get(f"{{{R_NS}}}id", "")) or href)
            elif tag == w("sdt"):
                if (content := child.find(w("sdtContent"))) is not None:
                    self._walk(content, out, href=href)
            elif tag in (w("ins"), w("moveTo"), w("smartTag"), w("customXml"), w("fldSimple"), w("dir"), w("bdo")):
                self._walk(child, out, href=href)

    def _run(self, run, out: list[_Piece], href: str | None) -> None:
        props = run.find(w("rPr"))
        style = ""
        if props is not None and (run_style := props.find(w("rStyle"))) is not None:
            style = self.package.styles.get(run_style.get(w("val"), ""), "")
        bold = bool(_flag(props, "b")) or style == "strong"
        italic = bool(_flag(props, "i")) or style == "emphasis"
        underline = href is None and bool(_flag(props, "u"))  # a link is underlined anyway
        for child in run:
            tag = child.tag
            if tag == w("t"):
                out.append(_Piece(child.text or "", bold, italic, underline, href))
            elif tag == w("tab"):
                out.append(_Piece(" ", bold, italic, underline, href))
            elif tag in (w("br"), w("cr")):
                if child.get(w("type"), "textWrapping") == "textWrapping":
                    out.append(_Piece(is_break=True))
            elif tag == w("noBreakHyphen"):
                out.append(_Piece("-", bold, italic, underline, href))


def _paragraph(p, package: Package, inline: _InlineReader) -> _Paragraph:
    props = p.find(w("pPr"))
    style_id = ""
    num_id = ilvl = None
    mark_deleted = False
    if props is not None:
        if (style := props.find(w("pStyle"))) is not None:
            style_id = style.get(w("val"), "")
        if (num := props.find(w("numPr"))) is not None:
            num_id = num.find(w("numId")).get(w("val")) if num.find(w("numId")) is not None else None
            ilvl = num.find(w("ilvl")).get(w("val"), "0") if num.find(w("ilvl")) is not None else "0"
        mark = props.find(w("rPr"))
        mark_deleted = mark is not None and mark.find(w("del")) is not None
    name = package.styles.get(style_id, style_id.lower())
    result = _Paragraph("p", pieces=inline.pieces(p), mark_deleted=mark_deleted)
    if heading := re.fullmatch(r"heading ?(\d)", name):
        result.kind = f"h{min(int(heading.group(1)), 4)}"
    elif listed := re.fullmatch(r"list (number|bullet|continue)(?: (\d))?", name):
        result.depth = min(int(listed.group(2) or 1), 3)
        result.kind = "cont" if listed.group(1) == "continue" else "li"
        result.list_kind = "ol" if listed.group(1) == "number" else "ul"
    elif num_id not in (None, "0"):
        fmt = package.numbering.get((num_id, ilvl), "decimal")
        result.kind, result.list_kind = "li", "ul" if fmt in ("bullet", "none") else "ol"
        result.depth = min(int(ilvl) + 1 if ilvl.isdigit() else 1, 3)
    return result


def _inline_html(pieces: list[_Piece], *, plain_bold: bool = False) -> str:
    """Pieces as HTML, canonical: whitespace collapsed, same formatting merged, tags always nested alike.

    Linear in the number of pieces, however many a hostile file packs into one paragraph: merged texts
    are collected in lists and joined once (``+=`` on a string would copy it again for every piece).
    """
    merged: list[_Piece] = []
    texts: list[list[str]] = []  # the texts of each merged piece, joined at the end
    for piece in pieces:
        if piece.is_break:
            merged.append(_Piece(is_break=True))
            texts.append([])
            continue
        text = re.sub(r"\s+", " ", xml_safe(piece.text))
        if not text:
            continue
        previous = merged[-1] if merged else None
        if previous is None or previous.is_break or texts[-1][-1].endswith(" "):
            text = text.lstrip(" ")
        if not text:
            continue
        bold = piece.bold and not plain_bold
        if (previous is not None and not previous.is_break and
                (previous.bold, previous.italic, previous.underline, previous.href)
                == (bold, piece.italic, piece.underline, piece.href)):
            texts[-1].append(text)
        else:
            merged.append(_Piece("", bold, piece.italic, piece.underline, piece.href))
            texts.append([text])
    for index, piece in enumerate(merged):  # no space before a line break or at the end
        piece.text = "".join(texts[index])
        if not piece.is_break and (index + 1 == len(merged) or merged[index + 1].is_break):
            piece.text = piece.text.rstrip(" ")
    first = next((index for index, piece in enumerate(merged) if not piece.is_break), len(merged))
    last = next((index for index in range(len(merged) - 1, -1, -1) if not merged[index].is_break), -1)
    merged = merged[first:last + 1]  # no line break at either end
    out, open_href = [], None
    for piece in merged:
        if piece.is_break or piece.href != open_href:
            if open_href is not None:
                out.append("</a>")
                open_href = None
            if not piece.is_break and piece.href:
                out.append(f'<a href="{escape(piece.href, quote=True)}">')
                open_href = piece.href
        if piece.is_break:
            out.append("<br>")
            continue
        html = escape(piece.text, quote=False)
        if piece.underline:
            html = f"<u>{html}</u>"
        if piece.italic:
            html = f"<em>{html}</em>"
        if piece.bold:
            html = f"<strong>{html}</strong>"
        out.append(html)
    if open_href is not None:
        out.append("</a>")
    return "".join(out)


def _table_html(table, package: Package, inline: _InlineReader) -> str:
    head, body = [], []
    for row in table.iter(w("tr")):
        if row.getparent() is not table:
            continue  # a table nested in a cell is read as that cell's text
        props = row.find(w("trPr"))
        if props is not None and props.find(w("del")) is not None:
            continue  # a row deleted with tracked changes
        header = props is not None and props.find(w("tblHeader")) is not None and _flag(props, "tblHeader")
        cells = []
        for cell in row.iter(w("tc")):
            if cell.getparent() is not row and cell.getparent().getparent() is not row:
                continue
            lines = [_inline_html(inline.pieces(p), plain_bold=header) for p in cell.iter(w("p"))]
            tag = "th" if header else "td"
            cells.append(f"<{tag}>{'<br>'.join(line for line in lines if line)}</{tag}>")
        if cells:
            (head if header and not body else body).append(f"<tr>{''.join(cells)}</tr>")
    if not head and not body:
        return ""
    return ("<table>" + (f"<thead>{''.join(head)}</thead>" if head else "")
            + (f"<tbody>{''.join(body)}</tbody>" if body else "") + "</table>")


def blocks_html(blocks: list[Block], package: Package) -> str:
    """The clause HTML of some body blocks (paragraphs and tables), lists nested from their depth."""
    inline = _InlineReader(package)
    out: list[str] = []
    stack: list[list] = []  # [list kind, an <li> is open]

    def close_to(depth: int) -> None:
        while len(stack) > depth:
            kind, item_open = stack.pop()
            out.append(("</li>" if item_open else "") + f"</{kind}>")

    # The pieces of paragraphs whose marks are deleted, waiting for the paragraph they join. Extended in place,
    # never copied: a chain of thousands of such paragraphs stays linear.
    carry: list[_Piece] = []
    for block in blocks:
        if block.element.tag == w("tbl"):
            close_to(0)
            out.append(_table_html(block.element, package, inline))
            continue
        paragraph = _paragraph(block.element, package, inline)
        if carry:
            carry.append(_Piece(" "))
            carry.extend(paragraph.pieces)
            paragraph.pieces, carry = carry, []
        if paragraph.mark_deleted and block is not blocks[-1]:
            carry = paragraph.pieces  # its mark deleted: accepted, it joins the next paragraph
            continue
        html = _inline_html(paragraph.pieces)
        if not html:
            continue
        if paragraph.kind == "li":
            close_to(paragraph.depth)
            if len(stack) == paragraph.depth and stack[-1][0] != paragraph.list_kind:
                close_to(paragraph.depth - 1)
            while len(stack) < paragraph.depth:
                if stack and not stack[-1][1]:
                    out.append("<li>")
                    stack[-1][1] = True
                out.append(f"<{paragraph.list_kind}>")
                stack.append([paragraph.list_kind, False])
            out.append(("</li>" if stack[-1][1] else "") + "<li>" + html)
            stack[-1][1] = True
        elif paragraph.kind == "cont" and len(stack) >= paragraph.depth and stack[paragraph.depth - 1][1]:
            close_to(paragraph.depth)
            out.append(html)
        else:
            close_to(0)
            tag = {"h1": "h3", "h2": "h3", "h3": "h3", "h4": "h4"}.get(paragraph.kind, "p")
            out.append(f"<{tag}>{html}</{tag}>")
    close_to(0)
    return xml_safe(clean_html("".join(out)))


# --------------------------------------------------------------------------------- Blocks and clauses


@dataclass
class Block:
    element: etree._Element
    starts: list[tuple[str, str]] = field(default_factory=list)  # (bookmark id, name) starting in it
    ends: list[str] = field(default_factory=list)  # ids of bookmarks ending in it
    style: str = ""  # the paragraph's style name, lower case ("" for a table)

    @property
    def is_major_heading(self) -> bool:
        return bool(re.fullmatch(r"heading ?[12]", self.style))

    def texts(self, package: Package) -> list[str]:
        inline = _InlineReader(package)
        paragraphs = [self.element] if self.element.tag == w("p") else list(self.element.iter(w("p")))
        texts = [_Paragraph("p", pieces=inline.pieces(p)).text for p in paragraphs]
        return [re.sub(r"[ \t]+", " ", text) for text in texts if text]


def _blocks(package: Package) -> list[Block]:
    blocks: list[Block] = []
    waiting: list[tuple[str, str]] = []  # bookmarks started between blocks belong to the next one

    def walk(container) -> None:
        for child in container:
            if child.tag in (w("p"), w("tbl")):
                block = Block(child, starts=waiting.copy(), style=_style_name(child, package))
                waiting.clear()
                for marker in child.iter(w("bookmarkStart"), w("bookmarkEnd")):
                    if marker.tag == w("bookmarkStart"):
                        block.starts.append((marker.get(w("id"), ""), marker.get(w("name"), "")))
                    else:
                        block.ends.append(marker.get(w("id"), ""))
                blocks.append(block)
            elif child.tag == w("sdt"):
                if (content := child.find(w("sdtContent"))) is not None:
                    walk(content)
            elif child.tag == w("customXml"):
                walk(child)
            elif child.tag == w("bookmarkStart"):
                waiting.append((child.get(w("id"), ""), child.get(w("name"), "")))
            elif child.tag == w("bookmarkEnd") and blocks:
                blocks[-1].ends.append(child.get(w("id"), ""))

    walk(package.body)
    return blocks


def _style_name(element, package: Package) -> str:
    props = element.find(w("pPr")) if element.tag == w("p") else None
    style = props.find(w("pStyle")) if props is not None else None
    style_id = style.get(w("val"), "") if style is not None else ""
    return package.styles.get(style_id, style_id.lower()) if element.tag == w("p") else ""


def _simple(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


_NUMBERED = re.compile(r"^\s*\d+\s*[.)]\s*(.+?)\s*$", re.DOTALL)


@dataclass
class FoundClause:
    key: str
    html: str
    matched_by: str  # "bookmark" | "heading"
    tracked: bool
    heading: str  # the heading as it reads in the document ("" when it is gone)


@dataclass
class ReadAgreement:
    clauses: dict[str, FoundClause]
    unmatched: list[dict[str, str]]  # [{"text", "where"}] in document order
    frame: list[str]  # texts outside the terms (title, parties, signatures)


def _has_tracked_changes(blocks: list[Block]) -> bool:
    tags = (w("ins"), w("del"), w("moveFrom"), w("moveTo"))
    return any(next(block.element.iter(*tags), None) is not None for block in blocks)


def read_agreement(package: Package, clauses: tuple[RenderedClause, ...]) -> ReadAgreement:
    """Split the document into the given clauses (by bookmark, else by heading) and what matches none."""
    blocks = _blocks(package)
    found: dict[str, FoundClause] = {}
    by_name: dict[str, RenderedClause | None] = {}
    for clause in clauses:  # two keys with one name (never by design) match neither: headings decide
        name = clause_bookmark_name(clause.key).lower()
        by_name[name] = None if name in by_name else clause
    present = {name.lower() for block in blocks for _, name in block.starts}
    by_title = {_simple(c.title): c for c in clauses if clause_bookmark_name(c.key).lower() not in present}

    def heading_of(block: Block) -> str:
        return " ".join(block.texts(package)) if block.element.tag == w("p") else ""

    def heading_clause(block: Block) -> RenderedClause | None:
        text = heading_of(block)
        numbered = _NUMBERED.match(text)
        title = numbered.group(1) if numbered else (text if block.is_major_heading else "")
        clause = by_title.get(_simple(title)) if title else None
        return clause if clause is not None and clause.key not in found else None

    terms = next((i for i, block in enumerate(blocks)
                  if block.style == "heading 1" and _simple(heading_of(block)) == _simple(TERMS_HEADING)), None)
    if terms is not None:
        start = terms + 1
    else:  # the "Terms" heading is gone: the terms start at the first clause we recognise
        start = next((i for i, block in enumerate(blocks)
                      if any(by_name.get(n.lower()) for _, n in block.starts) or heading_clause(block)), len(blocks))
    end = next((i for i in range(start, len(blocks)) if blocks[i].style == "heading 1"
                and _simple(heading_of(blocks[i])) == _simple(SIGNATURES_HEADING)), len(blocks))

    unmatched: list[dict[str, str]] = []
    segment: dict | None = None  # {"clause", "by", "bookmark_ids", "blocks", "where"}
    last_title = ""

    def close() -> None:
        nonlocal segment, last_title
        if segment is None:
            return
        seg_blocks, clause = segment["blocks"], segment["clause"]
        if clause is None:
            text = "\n".join(t for block in seg_blocks for t in block.texts(package))
            if text:
                unmatched.append({"text": text, "where": segment["where"]})
        else:
            heading = ""
            first = seg_blocks[0] if seg_blocks else None
            numbered = _NUMBERED.match(heading_of(first)) if first is not None else None
            if first is not None and (first.is_major_heading or (
                    numbered and _simple(numbered.group(1)) == _simple(clause.title))):
                heading = heading_of(first)
                seg_blocks = seg_blocks[1:]
                numbered = _NUMBERED.match(heading)
                if _simple(numbered.group(1) if numbered else heading) != _simple(clause.title):
                    unmatched.append({"text": heading, "where": f"The heading of “{clause.title}” was changed to "
                                      "this; titles are changed in the app, not by a Word import."})
            found[clause.key] = FoundClause(clause.key, blocks_html(seg_blocks, package), segment["by"],
                                            _has_tracked_changes(segment["blocks"]), heading)
            last_title = clause.title
        segment = None

    def where() -> str:
        return f"After “{last_title}”" if last_title else "At the start of the terms"

    for block in blocks[start:end]:
        known = [(i, by_name[n.lower()]) for i, n in block.starts
                 if by_name.get(n.lower()) is not None and by_name[n.lower()].key not in found]
        strange = [n for _, n in block.starts if n.lower().startswith("clause_") and not by_name.get(n.lower())]
        in_bookmark = segment is not None and segment["by"] == "bookmark"
        current = segment["clause"] if in_bookmark else None
        if current is not None and any(clause.key == current.key for _, clause in known):
            # The open clause's bookmark starts again (LibreOffice writes one bookmark as several): same clause.
            segment["bookmark_ids"].update(i for i, clause in known if clause.key == current.key)
            known = [(i, clause) for i, clause in known if clause.key != current.key]
        if known:
            close()
            segment = {"clause": known[0][1], "by": "bookmark", "bookmark_ids": {known[0][0]}, "blocks": []}
        elif strange:
            close()
            segment = {"clause": None, "by": "", "bookmark_ids": set(), "blocks": [],
                       "where": f"Marked as a clause this version does not have ({strange[0]})"}
        elif not in_bookmark and (clause := heading_clause(block)) is not None:
            close()
            segment = {"clause": clause, "by": "heading", "bookmark_ids": set(), "blocks": []}
        elif not in_bookmark and block.is_major_heading and segment:
            close()
        if segment is None:
            segment = {"clause": None, "by": "", "bookmark_ids": set(), "blocks": [], "where": where()}
        segment["blocks"].append(block)
        if segment["by"] == "bookmark" and segment["bookmark_ids"] & set(block.ends):
            close()
    close()
    before = blocks[:terms] if terms is not None else blocks[:start]
    frame = [text for block in before + blocks[end:] for text in block.texts(package)]
    return ReadAgreement(found, unmatched, frame)


def frame_additions(uploaded: list[str], base: list[str], *, ignore: tuple[str, ...] = ()) -> list[str]:
    """Texts outside the terms that the base export does not have (signatory names typed in, a note added)."""
    remaining = Counter(base)
    added = []
    for text in uploaded:
        if remaining[text] > 0:
            remaining[text] -= 1
        elif not any(part in text for part in ignore):
            added.append(text)
    return added


__all__ = ["Block", "FoundClause", "ReadAgreement", "blocks_html", "frame_additions", "read_agreement"]
