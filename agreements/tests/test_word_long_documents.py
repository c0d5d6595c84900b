"""Documents built to make the reader work hard are read in time linear in their size, or refused with a reason.

No timing is asserted. The reader these tests guard against copied the joined paragraph once per paragraph:
on the chain of ``LONG_CHAIN`` below it took about a minute where the linear one takes about two seconds, and
the time grows with the square of the length (a 1 MB upload could hold several hundred thousand paragraphs).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from lxml import etree

from agreements import word, word_package
from agreements.models import WordImport
from agreements.placeholders import MAX_LENGTH
from agreements.tests.word_helpers import (
    deleted_mark_chain,
    edit_document,
    exported,
    make_agreement,
    upload,
    w,
)
from agreements.word_package import Package
from agreements.word_reader import Block, blocks_html

CHAIN = 20_000  # through the whole import (three reads of the document)
LONG_CHAIN = 60_000  # through the reader alone


def package_of(paragraphs: list) -> Package:
    body = etree.Element(w("body"))
    body.extend(paragraphs)
    return Package(body=body, styles={}, numbering={}, links={})


def paragraph(text: str, *, mark_deleted: bool = False, breaks: int = 0):
    p = etree.Element(w("p"))
    if mark_deleted:
        etree.SubElement(etree.SubElement(etree.SubElement(p, w("pPr")), w("rPr")), w("del"))
    run = etree.SubElement(p, w("r"))
    for _ in range(breaks):
        etree.SubElement(run, w("br"))
    etree.SubElement(run, w("t")).text = text
    return p


def test_a_long_chain_of_paragraphs_with_deleted_marks_reads_as_one_paragraph():
    paragraphs = [paragraph(f"w{n}", mark_deleted=True) for n in range(LONG_CHAIN)] + [paragraph("end.")]
    package = package_of(paragraphs)

    html = blocks_html([Block(p) for p in paragraphs], package)

    assert html == "<p>" + " ".join(f"w{n}" for n in range(LONG_CHAIN)) + " end.</p>"


def test_many_runs_and_line_breaks_in_one_paragraph_read_in_one_pass():
    p = paragraph("", breaks=CHAIN)  # line breaks first: none is kept at the start of a paragraph
    for n in range(CHAIN):
        etree.SubElement(etree.SubElement(p, w("r")), w("t")).text = f"w{n} "

    html = blocks_html([Block(p)], package_of([p]))

    assert html == "<p>" + " ".join(f"w{n}" for n in range(CHAIN)) + "</p>"


@pytest.mark.django_db
def test_a_clause_joined_past_the_longest_a_clause_may_be_is_refused_by_name(workgroup, coordinator):
    mou = make_agreement(workgroup, coordinator)
    data = edit_document(exported(mou), lambda root: deleted_mark_chain(
        root, "records for five years", CHAIN, "retention schedule"))

    with pytest.raises(ValidationError) as refused:
        word.word_import_create(actor=coordinator, agreement=mou, uploaded=upload(data))

    assert refused.value.messages == [word.MSG_CLAUSE_TOO_LONG.format(title="Records", limit=MAX_LENGTH)]
    assert "“Records” runs to more than 50,000 characters" in refused.value.messages[0]
    assert not WordImport.objects.exists()


@pytest.mark.django_db
def test_a_long_chain_that_stays_within_the_limit_comes_back_as_one_changed_clause(workgroup, coordinator):
    mou = make_agreement(workgroup, coordinator)
    data = edit_document(exported(mou), lambda root: deleted_mark_chain(root, "records for five years", CHAIN, "x"))

    word_import = word.word_import_create(actor=coordinator, agreement=mou, uploaded=upload(data))

    records = next(p for p in word_import.proposals if p["key"] == "records")
    assert records["status"] == "changed"
    assert records["proposed_html"] == "<p>" + "x " * CHAIN + "Each party keeps its own records for five years.</p>"


@pytest.mark.django_db
def test_a_document_with_more_paragraphs_than_any_agreement_is_refused_unread(workgroup, coordinator, monkeypatch):
    mou = make_agreement(workgroup, coordinator)
    monkeypatch.setattr(word_package, "MAX_PARAGRAPHS", 10)  # the export has more than 10; 50,000 in earnest

    with pytest.raises(ValidationError) as refused:
        word.word_import_create(actor=coordinator, agreement=mou, uploaded=upload(exported(mou)))

    assert refused.value.messages == [word_package.MSG_TOO_MANY_PARAGRAPHS]
    assert not WordImport.objects.exists()
