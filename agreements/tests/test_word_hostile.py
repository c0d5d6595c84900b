"""Uploaded files are refused, with a reason a person understands, before anything reads them as a document."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError

from agreements import word, word_package
from agreements.models import WordImport
from agreements.tests.word_helpers import exported, make_agreement, parts_of, rezip, upload

pytestmark = pytest.mark.django_db

XXE = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE w:document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
       b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
       b'<w:t>&secret;</w:t></w:r></w:p></w:body></w:document>')
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>'
          b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
          b'<w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>')


@pytest.fixture
def mou(workgroup, coordinator):
    return make_agreement(workgroup, coordinator)


def refused(mou, actor, data: bytes, name: str = "counsel.docx") -> str:
    with pytest.raises(ValidationError) as refusal:
        word.word_import_create(actor=actor, agreement=mou, uploaded=upload(data, name))
    assert not WordImport.objects.exists()
    return " ".join(refusal.value.messages)


def with_document(mou, document_xml: bytes) -> bytes:
    parts = parts_of(exported(mou))
    parts["word/document.xml"] = document_xml
    return rezip(parts)


def test_a_file_that_is_not_a_zip_is_not_a_word_document(mou, coordinator):
    assert refused(mou, coordinator, b"%PDF-1.7 not a Word file", "mou.pdf") == word_package.MSG_NOT_DOCX
    assert refused(mou, coordinator, b"\xd0\xcf\x11\xe0 an old .doc", "mou.doc") == word_package.MSG_NOT_DOCX


def test_a_zip_that_is_not_a_docx_is_refused(mou, coordinator):
    assert refused(mou, coordinator, rezip({"notes.txt": b"hello"})) == word_package.MSG_NOT_DOCX


def test_a_docx_without_its_document_part_is_refused(mou, coordinator):
    parts = parts_of(exported(mou))
    del parts["word/document.xml"]

    assert refused(mou, coordinator, rezip(parts)) == word_package.MSG_NO_DOCUMENT


def test_a_file_over_20_mb_is_refused_unread(mou, coordinator):
    big = exported(mou) + b"\0" * (word_package.MAX_UPLOAD_BYTES + 1)

    assert refused(mou, coordinator, big) == word_package.MSG_TOO_LARGE


def test_a_zip_bomb_is_refused_by_its_unpacked_size(mou, coordinator):
    parts = parts_of(exported(mou))
    parts["word/media/filler.bin"] = b"\0" * (word_package.MAX_UNPACKED_BYTES + 1)  # packs to about 50 KB

    data = rezip(parts)

    assert len(data) < 1024 * 1024
    assert refused(mou, coordinator, data) == word_package.MSG_ZIP_BOMB


def test_a_part_packed_to_an_absurd_ratio_or_too_many_parts_is_refused(mou, coordinator):
    parts = parts_of(exported(mou))
    parts["word/media/filler.bin"] = b"\0" * (5 * 1024 * 1024)  # 5 MB into about 5 KB: a ratio near 1000
    assert refused(mou, coordinator, rezip(parts)) == word_package.MSG_ZIP_BOMB

    many = parts_of(exported(mou))
    many.update({f"word/media/{n}.txt": b"x" for n in range(word_package.MAX_ENTRIES)})
    assert refused(mou, coordinator, rezip(many)) == word_package.MSG_ZIP_BOMB


def test_an_external_entity_is_refused(mou, coordinator):
    assert refused(mou, coordinator, with_document(mou, XXE)) == word_package.MSG_DTD


def test_the_parser_refuses_a_doctype_even_past_the_quick_byte_check(mou, coordinator, monkeypatch):
    monkeypatch.setattr(word_package, "_DECLARATION", re.compile(rb"(?!)"))  # the first line of defence off

    assert refused(mou, coordinator, with_document(mou, XXE)) == word_package.MSG_DTD
    assert refused(mou, coordinator, with_document(mou, LAUGHS)) == word_package.MSG_DTD


def test_entity_expansion_billion_laughs_is_refused(mou, coordinator):
    assert refused(mou, coordinator, with_document(mou, LAUGHS)) == word_package.MSG_DTD


def test_a_doctype_hidden_in_utf16_is_still_refused(mou, coordinator):
    utf16 = XXE.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode().encode("utf-16")

    assert refused(mou, coordinator, with_document(mou, utf16)) == word_package.MSG_DTD


def test_a_damaged_document_part_is_refused(mou, coordinator):
    assert refused(mou, coordinator, with_document(mou, b"<w:document><unclosed>")) == word_package.MSG_DAMAGED


def test_an_encrypted_zip_entry_is_not_read(mou, coordinator):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        for name, content in parts_of(exported(mou)).items():
            archive.writestr(name, content)
    raw = bytearray(data.getvalue())
    # Set the "encrypted" flag on every entry: zipfile then asks for a password it never gets.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := raw.find(signature, start)) != -1:
            raw[start + offset] |= 1
            start += 4

    assert refused(mou, coordinator, bytes(raw)) == word_package.MSG_NOT_DOCX


@pytest.mark.parametrize("part", ["word/vbaProject.bin", "word/activeX/activeX1.xml"])
def test_a_document_with_macros_or_activex_controls_is_refused(mou, coordinator, part):
    parts = parts_of(exported(mou))
    parts[part] = b"\xd0\xcf\x11\xe0 Sub AutoOpen()"

    assert refused(mou, coordinator, rezip(parts)) == word_package.MSG_MACROS


def test_only_web_hyperlinks_are_read_from_relationships_to_outside_the_package(mou):
    parts = parts_of(exported(mou))
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    outside = "".join(
        f'<Relationship Id="{rid}" Type="{office}/{kind}" Target="{target}" TargetMode="External"/>'
        for rid, kind, target in [("rIdTemplate", "attachedTemplate", "http://127.0.0.1:9/template.dotm"),
                                  ("rIdFile", "hyperlink", "file:///etc/passwd"),
                                  ("rIdShare", "hyperlink", "\\\\attacker\\share\\x"),
                                  ("rIdWeb", "hyperlink", "https://example.org/988")])
    rels = parts["word/_rels/document.xml.rels"]
    parts["word/_rels/document.xml.rels"] = rels.replace(b"</Relationships>", outside.encode() + b"</Relationships>")

    links = word_package.open_package(rezip(parts)).links

    assert links.get("rIdWeb") == "https://example.org/988"
    assert not {"rIdTemplate", "rIdFile", "rIdShare"} & set(links)
