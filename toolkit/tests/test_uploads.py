"""The shared content checks: the one PDF check (signed copies, incident attachments) and what imports refuse as
not text."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError

from toolkit import uploads
from toolkit.tests import upload_files as pdfs


def _code(content: bytes, **kwargs) -> str:
    with pytest.raises(ValidationError) as refused:
        uploads.check_pdf(io.BytesIO(content), **kwargs)
    return refused.value.error_dict["file"][0].code if "field" not in kwargs else refused.value.code


@pytest.mark.parametrize("dangerous", pdfs.HOSTILE)
def test_every_kind_of_active_content_is_refused(dangerous):
    assert _code(pdfs.pdf_bytes(dangerous)) == "active"


@pytest.mark.parametrize(("content", "code"), [
    (pdfs.web_page_with_pdf_header(), "web_page"),
    (pdfs.web_page_before_the_objects(), "web_page"),
    (pdfs.web_page_after_the_end(), "web_page"),
    (pdfs.truncated_pdf_bytes(), "broken"),
    (pdfs.encrypted_pdf_bytes(user_password="x"), "password"),
    (b"<!DOCTYPE html><p>hello", "not_pdf"),
])
def test_what_is_not_a_clean_pdf_is_refused_with_its_reason(content, code):
    assert _code(content) == code


def test_a_genuine_pdf_passes_and_is_left_at_its_start():
    upload = io.BytesIO(pdfs.pdf_bytes(pages=3))

    uploads.check_pdf(upload)

    assert upload.tell() == 0


def test_a_truncated_pdf_is_refused_although_a_reader_could_repair_it():
    import pikepdf

    truncated = pdfs.truncated_pdf_bytes()
    with pikepdf.open(io.BytesIO(truncated)) as repaired:  # qpdf rebuilds it: the check must not
        assert len(repaired.pages) >= 1

    assert _code(truncated) == "broken"


def test_a_pdf_of_too_many_objects_is_refused_unwalked(monkeypatch):
    monkeypatch.setattr(uploads, "PDF_MAX_OBJECTS", 3)

    assert _code(pdfs.pdf_bytes(pages=5)) == "too_complex"


def test_the_refusal_can_stand_without_a_field():
    assert _code(pdfs.pdf_bytes("launch"), field=None) == "active"


@pytest.mark.parametrize(("head", "what"), [
    (pdfs.pdf_bytes()[:64], "a PDF"),
    (b"PK\x03\x04\x14\x00", "a ZIP archive"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "a PNG image"),
    (b"MZ\x90\x00\x03", "a Windows program"),
])
def test_files_that_are_not_text_are_named(head, what):
    assert uploads.binary_signature(head).startswith(what)


@pytest.mark.parametrize("head", [
    b"name,sector\r\nCounty 911,PSAP\r\n",
    "\ufeffname,sector\n".encode(),
    b"MZ code,name\n1,a\n",  # a column that happens to start like a Windows program
    "name,sector\n".encode("utf-16"),  # left to the decoder, which says how to save UTF-8
])
def test_text_is_not_refused_as_binary(head):
    assert uploads.binary_signature(head) is None


def test_a_pdf_nested_deeper_than_can_be_checked_is_refused_not_waved_through():
    assert _code(pdfs.pdf_bytes("deep_chain")) == "too_complex"


def test_an_ordinary_web_link_in_the_text_is_not_refused():
    """Signed agreements carry links (a county's web site); only a link that opens by itself is refused."""
    import pikepdf

    pdf = pikepdf.open(io.BytesIO(pdfs.pdf_bytes()))
    link = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 100, 20],
                              A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://county.example/")))
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([link]))
    out = io.BytesIO()
    pdf.save(out)

    uploads.check_pdf(io.BytesIO(out.getvalue()))  # no error
