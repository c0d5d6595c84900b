"""Shared by the Word round-trip tests: a small agreement of our own, its export, and edits as Word makes them.

The agreement uses its own four-clause template (not the default library, which has its own tests), with
two typed values so that filled-in placeholders can be followed through the round trip.
"""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from lxml import etree

from agreements import services
from agreements.exports import agreement_docx
from agreements.models import Agreement, AgreementTemplate, Clause, TemplateClause, TemplateVariable
from agreements.selectors import render_version
from partners.tests.factories import OrganizationFactory

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CLAUSES = (
    ("purpose", "Purpose", "<p>This agreement, <strong>[[agreement.title]]</strong>, is made among [[parties]] and "
                           "takes effect on [[effective_date]].</p>"),
    ("transfer", "Call Transfer", "<ol><li>911 transfers eligible calls to 988.</li>"
                                  "<li>988 calls 911 within [[response_minutes]] minutes.</li></ol>"),
    ("records", "Records", "<p>Each party keeps its own records for five years.</p>"),
    ("review", "Periodic Review", "<p>The [[party_count]] parties meet every quarter to review transfers.</p>"),
)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def make_agreement(workgroup, coordinator, title: str = "County 988/911 MOU") -> Agreement:
    template = AgreementTemplate.objects.create(workgroup=workgroup, key="word-mou", name="Word MOU", kind="mou")
    TemplateVariable.objects.create(template=template, name="effective_date", label="Effective date", type="date")
    TemplateVariable.objects.create(template=template, name="response_minutes", label="Minutes", type="number",
                                    order=1)
    for order, (key, clause_title, body) in enumerate(CLAUSES):
        clause = Clause.objects.create(workgroup=workgroup, key=key, title=clause_title, category="scope", body=body)
        TemplateClause.objects.create(template=template, clause=clause, order=order)
    line = OrganizationFactory(workgroup=workgroup, name="Riverbend Crisis Line")
    psap = OrganizationFactory(workgroup=workgroup, name="County 911 & Dispatch")
    return services.agreement_create(
        actor=coordinator, workgroup=workgroup, template=template, title=title,
        parties=[{"organization": line, "signatory_name": "Maya Okonkwo"}, {"organization": psap}],
        variables={"effective_date": "2027-05-01", "response_minutes": "10"},
    )


def exported(agreement: Agreement) -> bytes:
    """The Word export of the agreement's current version, as a person downloads it."""
    return agreement_docx(render_version(agreement.versions.get(number=agreement.current_version_number)))


def upload(data: bytes, name: str = "mou-counsel.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=DOCX_TYPE)


def rezip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def edit_document(data: bytes, edit) -> bytes:
    """Apply ``edit(root)`` to word/document.xml and pack the document again."""
    parts = parts_of(data)
    root = etree.fromstring(parts["word/document.xml"])
    edit(root)
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return rezip(parts)


def paragraph(root, containing: str):
    for p in root.iter(w("p")):
        if containing in "".join(t.text or "" for t in p.iter(w("t"))):
            return p
    raise AssertionError(f"No paragraph with {containing!r}")


def replace_text(root, old: str, new: str) -> None:
    """A plain edit (no Track Changes): the words change in their run."""
    for t in paragraph(root, old).iter(w("t")):
        if old in (t.text or ""):
            t.text = t.text.replace(old, new)
            return
    raise AssertionError(f"{old!r} is split over runs")


def _tracked(kind: str, text: str):
    change = etree.Element(w(kind), {w("id"): "901", w("author"): "County Counsel", w("date"): "2027-04-01T00:00:00Z"})
    run = etree.SubElement(change, w("r"))
    t = etree.SubElement(run, w("delText" if kind == "del" else "t"))
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    t.text = text
    return change


def track_changes(root, *, within: str, delete: str, insert_after: str, inserted: str) -> None:
    """Track Changes as Word records them: ``delete`` struck in a w:del, ``inserted`` added in a w:ins."""
    p = paragraph(root, within)
    run = next(r for r in p.iter(w("r")) if within in "".join(t.text or "" for t in r.iter(w("t"))))
    text = run.find(w("t")).text
    assert delete in text and insert_after in text
    before, rest = text.split(delete, 1)
    middle, after = rest.split(insert_after, 1)
    pieces = [("r", before), ("del", delete), ("r", middle + insert_after), ("ins", inserted), ("r", after)]
    for kind, piece in pieces:
        if kind == "r":
            element = etree.Element(w("r"))
            t = etree.SubElement(element, w("t"))
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            t.text = piece
        else:
            element = _tracked(kind, piece)
        run.addprevious(element)
    run.getparent().remove(run)


def remove_bookmark(root, name: str) -> None:
    start = next(b for b in root.iter(w("bookmarkStart")) if b.get(w("name")) == name)
    end = next(b for b in root.iter(w("bookmarkEnd")) if b.get(w("id")) == start.get(w("id")))
    for element in (start, end):
        element.getparent().remove(element)


def add_paragraph_after(root, containing: str, text: str) -> None:
    """A new paragraph typed after the one holding ``containing`` (outside any clause bookmark there)."""
    new = etree.Element(w("p"))
    etree.SubElement(etree.SubElement(new, w("r")), w("t")).text = text
    paragraph(root, containing).addnext(new)


# ------------------------------------------------------------------------- Where the copy came from

CORE = "docProps/core.xml"
DC = "http://purl.org/dc/elements/1.1/"


def exported_version(agreement: Agreement, number: int) -> bytes:
    """The Word export of one version of the agreement, as its version page offers it."""
    return agreement_docx(render_version(agreement.versions.get(number=number)))


def with_identifier(data: bytes, identifier: str | None) -> bytes:
    """The document with its core property "identifier" set to ``identifier``, or removed (None)."""
    parts = parts_of(data)
    root = etree.fromstring(parts[CORE])
    for element in root.findall(f"{{{DC}}}identifier"):
        root.remove(element)
    if identifier is not None:
        etree.SubElement(root, f"{{{DC}}}identifier").text = identifier
    parts[CORE] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return rezip(parts)


def identifier_of(data: bytes) -> str:
    return etree.fromstring(parts_of(data)[CORE]).findtext(f"{{{DC}}}identifier") or ""


def as_custom_property(data: bytes) -> bytes:
    """The identifier moved to a custom property named "identifier", as older LibreOffice versions save it."""
    identifier = identifier_of(data)
    parts = parts_of(with_identifier(data, None))
    parts["docProps/custom.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="identifier">'
        f"<vt:lpwstr>{identifier}</vt:lpwstr></property></Properties>").encode()
    return rezip(parts)


def deleted_mark_chain(root, after: str, count: int, word: str) -> None:
    """``count`` paragraphs of ``word`` after the one holding ``after``, each paragraph mark a tracked deletion,
    as Word records joining paragraphs with Track Changes on: accepted, they are all one paragraph."""
    anchor = paragraph(root, after)
    for n in range(count):  # every tracked change has its own id, as Word writes them
        new = etree.Element(w("p"))
        etree.SubElement(etree.SubElement(etree.SubElement(new, w("pPr")), w("rPr")), w("del"),
                         {w("id"): str(1000 + n), w("author"): "County Counsel"})
        etree.SubElement(etree.SubElement(new, w("r")), w("t")).text = word
        anchor.addprevious(new)
