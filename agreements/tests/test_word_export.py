"""The DOCX export marks each clause so an edited copy can be read back, and writes every tag the sanitiser keeps."""

from __future__ import annotations

import io
import re
import zipfile

import docx

from agreements.exports import FOOTER_NOTICE, agreement_docx, clause_bookmark_name
from agreements.rendering import RenderedClause
from agreements.tests.test_exports import make_agreement
from agreements.word_package import open_package
from agreements.word_reader import read_agreement

RICH = (
    RenderedClause("contacts-and-links", 1, "Contacts",
                   "<h3>Liaisons</h3><p>See <a href=\"https://988lifeline.org/\" rel=\"noopener noreferrer\">the "
                   "<strong>Lifeline</strong> site</a> and <u>keep it current</u>.</p><h4>After hours</h4>"
                   "<p>Call the supervisor.</p>"),
    RenderedClause("escalation_matrix", 2, "Escalation matrix",
                   "<table><thead><tr><th>Risk</th><th>Route</th></tr></thead><tbody><tr><td>Imminent</td>"
                   "<td>911 dispatch<br>and mobile crisis</td></tr><tr><td>Low</td><td>988</td></tr></tbody></table>"),
    RenderedClause("nested", 3, "Steps", "<ol><li>Assess<ul><li>risk</li><li>location</li></ul>then act</li>"
                                         "<li>Record</li></ol>"),
)


def document_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("word/document.xml").decode()


def test_each_clause_sits_inside_a_bookmark_named_from_its_key():
    data = agreement_docx(make_agreement())
    xml = document_xml(data)

    names = re.findall(r'<w:bookmarkStart w:id="(\d+)" w:name="([^"]+)"/>', xml)
    assert names == [("0", "clause_purpose"), ("1", "clause_transfer"), ("2", "clause_escalation"),
                     ("3", "clause_review")]
    # Each starts in its heading and ends before the next clause's heading.
    heading = xml.index('w:name="clause_transfer"')
    assert xml.rfind("<w:p>", 0, heading) < xml.rfind("Heading2", 0, heading)
    assert xml.index('<w:bookmarkEnd w:id="0"/>') < heading
    assert xml.index('<w:bookmarkEnd w:id="3"/>') < xml.index(">Signatures<")


def test_bookmark_names_fit_word_and_never_collide():
    keys = ["purpose-scope", "a-b", "a_b", "x" * 60, "x" * 59 + "y", "Part2-records"]
    names = [clause_bookmark_name(key) for key in keys]

    assert names[0] == "clause_purpose_scope"
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,39}", name) for name in names)


def test_sub_headings_links_underline_and_tables_become_real_word_formatting():
    data = agreement_docx(make_agreement(clauses=RICH))
    document = docx.Document(io.BytesIO(data))
    styles = {p.text: p.style.name for p in document.paragraphs}

    assert styles["Liaisons"] == "Heading 3" and styles["After hours"] == "Heading 4"
    link_paragraph = next(p for p in document.paragraphs if p.text.startswith("See"))
    assert [r.text for r in link_paragraph.runs if r.underline and not r.bold] == ["keep it current"]
    hyperlinks = link_paragraph.hyperlinks
    assert [(h.address, h.text) for h in hyperlinks] == [("https://988lifeline.org/", "the "),
                                                         ("https://988lifeline.org/", "Lifeline"),
                                                         ("https://988lifeline.org/", " site")]
    table = document.tables[1]  # after the parties table
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["Risk", "Route"], ["Imminent", "911 dispatch\nand mobile crisis"], ["Low", "988"]]
    assert table.rows[0]._tr.trPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader") is not None
    assert table.rows[0].cells[0].paragraphs[0].runs[0].bold


def test_what_the_export_writes_reads_back_as_the_same_clause_html():
    agreement = make_agreement(clauses=RICH)

    read = read_agreement(open_package(agreement_docx(agreement)), agreement.clauses)

    assert {key: found.html for key, found in read.clauses.items()} == {
        "contacts-and-links": "<h3>Liaisons</h3><p>See <a href=\"https://988lifeline.org/\" rel=\"noopener "
                              "noreferrer\">the <strong>Lifeline</strong> site</a> and <u>keep it current</u>.</p>"
                              "<h4>After hours</h4><p>Call the supervisor.</p>",
        "escalation_matrix": "<table><thead><tr><th>Risk</th><th>Route</th></tr></thead><tbody><tr><td>Imminent</td>"
                             "<td>911 dispatch<br>and mobile crisis</td></tr><tr><td>Low</td><td>988</td></tr>"
                             "</tbody></table>",
        "nested": "<ol><li>Assess<ul><li>risk</li><li>location</li></ul>then act</li><li>Record</li></ol>",
    }
    assert read.unmatched == []


def test_a_link_that_is_not_a_web_address_is_written_as_plain_text():
    clause = RenderedClause("x", 1, "X", '<p><a href="javascript:alert(1)">click</a> here</p>')
    xml = document_xml(agreement_docx(make_agreement(clauses=(clause,))))

    assert "w:hyperlink" not in xml and "javascript" not in xml and ">click<" in xml


def test_the_footer_says_it_is_a_working_text_not_legal_advice_and_stays_reproducible():
    data = agreement_docx(make_agreement(clauses=RICH))
    footer = docx.Document(io.BytesIO(data)).sections[0].footer

    assert footer.paragraphs[0].text == FOOTER_NOTICE
    assert "Page" in footer.paragraphs[1].text
    assert agreement_docx(make_agreement(clauses=RICH)) == data


def test_a_bookmark_written_as_several_pieces_still_holds_the_whole_clause():
    from agreements.tests.word_helpers import edit_document, w

    agreement = make_agreement()

    def split_like_libreoffice(root):
        # LibreOffice saves a bookmark over several paragraphs as a start in the first one and a second
        # start and end, under the same name, in the last one.
        end = next(b for b in root.iter(w("bookmarkEnd")) if b.get(w("id")) == "1")
        again = end.makeelement(w("bookmarkStart"), {w("id"): "41", w("name"): "clause_transfer"})
        end.getparent().insert(0, again)
        end.set(w("id"), "41")

    data = edit_document(agreement_docx(agreement), split_like_libreoffice)
    read = read_agreement(open_package(data), agreement.clauses)

    assert read.clauses["transfer"].html == read_agreement(open_package(agreement_docx(agreement)),
                                                           agreement.clauses).clauses["transfer"].html
    assert read.clauses["transfer"].html.count("<li>") == 4 and read.unmatched == []
